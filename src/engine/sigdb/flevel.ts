/**
 * The ClamAV functionality level Moat claims. Database lines carry `min[:max]` levels and the
 * loader skips lines outside our level, exactly like ClamAV 1.4 (FLEVEL 210) does, so the same
 * database selects the same signatures in Moat and in clamscan. Features at or below this level
 * that Moat does not implement (bytecode, PCRE, icons...) are counted and reported, not claimed.
 */
export const MOAT_FLEVEL = 210;

/** True when a line with these optional level fields applies at our level. Non-numeric fields = malformed (undefined). */
export function flevelApplies(min: string | undefined, max: string | undefined, level = MOAT_FLEVEL): boolean | undefined {
  if (min !== undefined && min !== '') {
    if (!/^\d+$/.test(min)) return undefined;
    if (Number(min) > level) return false;
  }
  if (max !== undefined && max !== '') {
    if (!/^\d+$/.test(max)) return undefined;
    if (Number(max) < level) return false;
  }
  return true;
}
