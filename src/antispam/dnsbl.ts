import { isIP } from 'node:net';
import type { AntispamConfig } from '../core/config/sections/antispam.js';
import type { SymbolSource } from './spam-scorer.js';
import { urlHost } from './message-view.js';
import type { SpamSymbol } from './types.js';

/** Resolves A records (node:dns Resolver.resolve4 shape), injected so tests use a local server; `zone` is the list asked (each may have its own circuit breaker). */
export type ResolveA = (name: string, zone: string) => Promise<string[]>;

/** Client IPs looked up per message: the sending host and a few relays before it. */
const MAX_IPS = 4;
/** Link domains looked up per message. */
const MAX_DOMAINS = 10;

const PRIVATE = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./, /^::1?$/, /^f[cd]/i, /^fe[89ab]/i];

/** An IPv4 address a dual-stack socket reports as IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is looked up as IPv4. */
export function canonicalIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip.toLowerCase();
}

function isPublic(ip: string): boolean {
  return isIP(ip) !== 0 && !PRIVATE.some((re) => re.test(ip));
}

/** IPs of the untrusted part of the Received chain (the first `trusted` headers are our own MTAs'), plus the connecting client. */
export function untrustedIps(received: string[], trusted: number, clientAddress: string | undefined): string[] {
  const ips: string[] = [];
  const client = clientAddress && canonicalIp(clientAddress);
  if (client && isPublic(client)) ips.push(client);
  for (const header of received.slice(trusted)) {
    // Postfix and Exim write `[2001:db8::1]`, Sendmail `[IPv6:2001:db8::1]`.
    const m = /\[(?:IPv6:)?(\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*)\]/i.exec(header);
    const ip = m && canonicalIp(m[1]!);
    if (ip && isPublic(ip) && !ips.includes(ip)) ips.push(ip);
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

/** The 8 groups of an IPv6 address as 32 hex digits (`::` expanded, an IPv4 tail converted). */
function ipv6Nibbles(ip: string): string | undefined {
  let text = ip.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0')).join('');
}

/** The DNSBL query label of an address (RFC 5782 §2.1, §2.4): octets reversed for IPv4, nibbles reversed for IPv6. */
export function reverseIp(ip: string): string | undefined {
  if (isIP(ip) === 4) return ip.split('.').reverse().join('.');
  if (isIP(ip) !== 6) return undefined;
  return ipv6Nibbles(ip)?.split('').reverse().join('.');
}

/** DNS blocklist lookups as a symbol source; a lookup failure (timeout, SERVFAIL) adds nothing. */
export function dnsblSource(config: AntispamConfig, resolve: ResolveA): SymbolSource {
  return async (view, input) => {
    const symbols: SpamSymbol[] = [];
    const failed = new Set<string>();
    const ips = untrustedIps(view.headers('received'), config.trusted_received, input.clientAddress);
    const domains = [...new Set(view.urls.map(urlHost).filter((h): h is string => !!h && isIP(h) === 0).map(registeredDomain))].slice(0, MAX_DOMAINS);
    const lookups: Array<Promise<void>> = [];
    for (const list of config.dnsbl) {
      const keys = list.kind === 'ip' ? ips.map(reverseIp).filter((k): k is string => !!k) : domains;
      for (const key of keys) {
        lookups.push(
          resolve(`${key}.${list.zone}`, list.zone).then(
            (codes) => {
              if (!codes.length) return;
              const score = Math.max(...codes.map((c) => list.codes[c] ?? list.score));
              const name = list.symbol ?? `RBL_${list.zone.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
              if (!symbols.some((s) => s.name === name)) symbols.push({ name, score, description: `listed in ${list.zone}`, options: [key, ...codes] });
            },
            (err: NodeJS.ErrnoException) => {
              // Not listed is an answer (NXDOMAIN / no A record); anything else means we do not know.
              if (err.code !== 'ENOTFOUND' && err.code !== 'ENODATA') failed.add(`${list.zone} (${err.code ?? err.message})`);
            },
          ),
        );
      }
    }
    await Promise.all(lookups);
    if (failed.size) symbols.push({ name: 'DNSBL_UNAVAILABLE', score: 0, description: 'Some blocklist lookups failed, so the blocklists could not speak', options: [...failed].slice(0, 5) });
    return { symbols };
  };
}
