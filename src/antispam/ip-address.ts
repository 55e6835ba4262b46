import { isIP } from 'node:net';

/** Private, loopback, link-local, unspecified and unique-local ranges: no blocklist or SPF record speaks of them. */
const PRIVATE = [/^10\./, /^127\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./, /^::1?$/, /^f[cd]/i, /^fe[89ab]/i];

/** An IPv4 address a dual-stack socket reports as IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is taken as IPv4. */
export function canonicalIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip.toLowerCase();
}

/** Neither private, loopback, link-local nor unspecified: an address a blocklist or SPF can speak of. */
export function isPublic(ip: string): boolean {
  return isIP(ip) !== 0 && !PRIVATE.some((re) => re.test(ip));
}
