import { isIP } from 'node:net';
import type { AntispamConfig } from '../core/config/sections/antispam.js';
import type { SymbolSource } from './spam-scorer.js';
import { urlHost } from './message-view.js';
import type { SpamSymbol } from './types.js';
import { canonicalIp, isPublic } from './ip-address.js';
import { parseReceivedFrom } from './received-client.js';

/** Resolves A records (node:dns Resolver.resolve4 shape), injected so tests use a local server; `zone` is the list asked (each may have its own circuit breaker). */
export type ResolveA = (name: string, zone: string) => Promise<string[]>;

/** Client IPs looked up per message: the sending host and a few relays before it. */
const MAX_IPS = 4;
/** Link domains looked up per message. */
const MAX_DOMAINS = 10;

/** IPs of the untrusted part of the Received chain (the first `trusted` headers are our own MTAs'), plus the connecting client. */
export function untrustedIps(received: string[], trusted: number, clientAddress: string | undefined): string[] {
  const ips: string[] = [];
  const client = clientAddress && canonicalIp(clientAddress);
  if (client && isPublic(client)) ips.push(client);
  for (const header of received.slice(trusted)) {
    // The address the receiving MTA recorded in the `from` clause, not a HELO address literal.
    const ip = parseReceivedFrom(header).address;
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

/**
 * The answers that are listings (RFC 5782 §2.3: A records in 127.0.0.0/8), and what made the
 * others unusable. An address outside 127/8 is no list's answer: a resolver that rewrites
 * NXDOMAIN to a search page would otherwise list every address. 127.255.255.0/24 and 127.0.0.1 are
 * where lists put their error replies (Spamhaus: query refused through a public resolver, or over
 * its limit; URIBL: 127.0.0.1 for every refused query), which mean "not asked", not "listed". A
 * code weighted in `codes` always counts as set.
 */
export function listingCodes(answer: readonly string[], weighted: Readonly<Record<string, number>>): { codes: string[]; unusable?: string } {
  const codes: string[] = [];
  let unusable: string | undefined;
  for (const code of answer) {
    if (code in weighted || (code.startsWith('127.') && !code.startsWith('127.255.255.') && code !== '127.0.0.1')) codes.push(code);
    else unusable ??= code.startsWith('127.') ? `error reply ${code}` : `answer ${code} outside 127.0.0.0/8`;
  }
  return unusable ? { codes, unusable } : { codes };
}

/** DNS blocklist lookups as a symbol source; a lookup failure (timeout, SERVFAIL) adds nothing. */
export function dnsblSource(config: AntispamConfig, resolve: ResolveA): SymbolSource {
  return async (view, input) => {
    // Per symbol, the listing that counts: the highest weight of any listed address or domain (on a
    // tie the one asked first), whatever order the answers come in.
    const listings = new Map<string, { symbol: SpamSymbol; order: number }>();
    const failed = new Set<string>();
    const ips = untrustedIps(view.headers('received'), config.trusted_received, input.clientAddress);
    // A URL's IPv6 host keeps its brackets (`[2001:db8::1]`): an address, not a domain to ask a URI list about.
    const domains = [...new Set(view.urls.map(urlHost).filter((h): h is string => !!h && isIP(h.replace(/^\[(.*)\]$/, '$1')) === 0).map(registeredDomain))].slice(0, MAX_DOMAINS);
    const lookups: Array<Promise<void>> = [];
    for (const list of config.dnsbl) {
      const keys = list.kind === 'ip' ? ips.map(reverseIp).filter((k): k is string => !!k) : domains;
      for (const key of keys) {
        const order = lookups.length;
        lookups.push(
          resolve(`${key}.${list.zone}`, list.zone).then(
            (answer) => {
              const { codes, unusable } = listingCodes(answer, list.codes);
              if (unusable) failed.add(`${list.zone} (${unusable})`);
              if (!codes.length) return;
              const score = Math.max(...codes.map((c) => list.codes[c] ?? list.score));
              const name = list.symbol ?? `RBL_${list.zone.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
              const kept = listings.get(name);
              if (!kept || score > kept.symbol.score || (score === kept.symbol.score && order < kept.order)) {
                listings.set(name, { symbol: { name, score, description: `listed in ${list.zone}`, options: [key, ...codes] }, order });
              }
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
    const symbols = [...listings.values()].sort((a, b) => a.order - b.order).map((l) => l.symbol);
    if (failed.size) symbols.push({ name: 'DNSBL_UNAVAILABLE', score: 0, description: 'Some blocklist lookups failed, so the blocklists could not speak', options: [...failed].slice(0, 5) });
    return { symbols };
  };
}
