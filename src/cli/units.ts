/** Parses `100`, `10K`, `100M`, `2G` (binary multiples) for command-line limit flags. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+)([KMG]?)B?$/i.exec(text.trim());
  if (!m) throw new Error(`${flag}: expected a number with an optional K, M or G suffix, got "${text}"`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

/** Parses `500ms`, `30s`, `2m`, `1h`, or a bare number of milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`${flag}: expected a duration like 500ms, 30s, 2m, got "${text}"`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * mult;
}
