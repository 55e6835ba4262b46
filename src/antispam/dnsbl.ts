import { isIP } from 'node:net';
import type { AntispamConfig } from '../core/config/sections/antispam.js';
import type { SymbolSource } from './spam-scorer.js';
import { urlHost } from './message-view.js';
import type { SpamSymbol } from './types.js';

/** Resolves A records (node:dns Resolver.resolve4 shape), injected so tests use a local server. */
export type ResolveA = (name: string) => Promise<string[]>;

/** Client IPs looked up per message: the sending host and a few relays before it. */
const MAX_IPS = 4;
/** Link domains looked up per message. */
const MAX_DOMAINS = 10;

const PRIVATE = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./, /^::1$/, /^f[cd]/i, /^fe80/i];

function isPublic(ip: string): boolean {
  return isIP(ip) !== 0 && !PRIVATE.some((re) => re.test(ip));
}

/** IPs of the untrusted part of the Received chain (the first `trusted` headers are our own MTAs'), plus the connecting client. */
export function untrustedIps(received: string[], trusted: number, clientAddress: string | undefined): string[] {
  const ips: string[] = [];
  if (clientAddress && isPublic(clientAddress)) ips.push(clientAddress);
  for (const header of received.slice(trusted)) {
    const m = /\[(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+)\]/i.exec(header);
    if (m && isPublic(m[1]!) && !ips.includes(m[1]!)) ips.push(m[1]!);
    if (ips.length >= MAX_IPS) break;
  }
  return ips;
}

/** The registrable part of a host, approximated by the last two labels (three under common two-level suffixes). */
export function registeredDomain(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const twoLevel = /^(co|com|net|org|gov|ac|edu)\.[a-z]{2}$/.test(labels.slice(-2).join('.'));
  return labels.slice(twoLevel ? -3 : -2).join('.');
}

function reverseIp(ip: string): string | undefined {
  return isIP(ip) === 4 ? ip.split('.').reverse().join('.') : undefined;
}

/** DNS blocklist lookups as a symbol source; a lookup failure (timeout, SERVFAIL) adds nothing. */
export function dnsblSource(config: AntispamConfig, resolve: ResolveA): SymbolSource {
  return async (view, input) => {
    const symbols: SpamSymbol[] = [];
    const ips = untrustedIps(view.headers('received'), config.trusted_received, input.clientAddress);
    const domains = [...new Set(view.urls.map(urlHost).filter((h): h is string => !!h && isIP(h) === 0).map(registeredDomain))].slice(0, MAX_DOMAINS);
    const lookups: Array<Promise<void>> = [];
    for (const list of config.dnsbl) {
      const keys = list.kind === 'ip' ? ips.map(reverseIp).filter((k): k is string => !!k) : domains;
      for (const key of keys) {
        lookups.push(
          resolve(`${key}.${list.zone}`).then(
            (codes) => {
              if (!codes.length) return;
              const score = Math.max(...codes.map((c) => list.codes[c] ?? list.score));
              const name = list.symbol ?? `RBL_${list.zone.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
              if (!symbols.some((s) => s.name === name)) symbols.push({ name, score, description: `listed in ${list.zone}`, options: [key, ...codes] });
            },
            () => undefined,
          ),
        );
      }
    }
    await Promise.all(lookups);
    return { symbols };
  };
}
