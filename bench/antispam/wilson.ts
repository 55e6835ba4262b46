/**
 * The 95% Wilson score interval of a proportion `k` of `n` (Wilson 1927): how far a rate measured
 * on this many messages may be from the filter's true rate. With 2 false positives in 2,064 ham
 * it spans 0.03–0.35%, so a difference of one or two messages is within chance.
 */
export function wilsonInterval(k: number, n: number, z = 1.96): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + z2n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** `k` of `n` as "0.10% (2; 95% CI 0.03–0.35%)". */
export function rateWithInterval(k: number, n: number): string {
  if (!n) return '-';
  const [lo, hi] = wilsonInterval(k, n);
  return `${((100 * k) / n).toFixed(2)}% (${k}; 95% CI ${(100 * lo).toFixed(2)}–${(100 * hi).toFixed(2)}%)`;
}
