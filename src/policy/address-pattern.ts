/**
 * Address patterns in user configuration and lists: `user@example.com` (exact), `@example.com`
 * or `*@example.com` (the domain), `*@*.example.com` / `*` (globs). Case-insensitive.
 */
export function normalizeAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}

export function matchesPattern(address: string, pattern: string): boolean {
  const a = normalizeAddress(address);
  let p = pattern.trim().toLowerCase();
  if (p.startsWith('@')) p = `*${p}`;
  if (!p.includes('*')) return a === p;
  const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(a);
}

/** How specific a pattern is, so `alice@x` beats `@x` beats `*`. */
export function specificity(pattern: string): number {
  const p = pattern.trim();
  if (!p.includes('*') && !p.startsWith('@')) return 3;
  if (/^\*?@[^*]+$/.test(p)) return 2;
  return 1;
}

/** The most specific pattern among `patterns` that matches, if any. */
export function bestMatch(address: string, patterns: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const p of patterns) {
    if (!matchesPattern(address, p)) continue;
    if (best === undefined || specificity(p) > specificity(best)) best = p;
  }
  return best;
}
