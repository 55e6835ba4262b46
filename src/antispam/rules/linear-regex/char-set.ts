/**
 * Sets of code points for the linear-time rule matcher: sorted, disjoint inclusive ranges
 * ([lo0, hi0, lo1, hi1, ...]), optionally negated, tested case-insensitively when asked.
 */

export const MAX_CODE_POINT = 0x10ffff;

export interface CharSet {
  /** Sorted, disjoint, non-adjacent inclusive ranges: lo, hi, lo, hi, ... */
  readonly ranges: readonly number[];
  /** Matches the code points *not* in `ranges` (after case variants are tried). */
  readonly negated: boolean;
}

/** Normalises any list of inclusive ranges: sorted, overlaps and neighbours merged. */
export function normaliseRanges(pairs: ReadonlyArray<readonly [number, number]>): number[] {
  const sorted = [...pairs].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

export function rangesToPairs(ranges: readonly number[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  return pairs;
}

export function complementRanges(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

function singleCodePoint(s: string): number | undefined {
  const cp = s.codePointAt(0)!;
  return s.length === (cp > 0xffff ? 2 : 1) ? cp : undefined;
}

/**
 * The forms a code point takes under case-insensitive matching: itself, its lower and upper
 * case, and the lower case of its upper case (so final sigma meets sigma, the Kelvin sign k).
 * Mappings to more than one code point (ß → SS) are ignored, as in JavaScript's /iu.
 */
export function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = [cp];
  const upper = singleCodePoint(ch.toUpperCase());
  for (const v of [singleCodePoint(ch.toLowerCase()), upper, upper === undefined ? undefined : singleCodePoint(String.fromCodePoint(upper).toLowerCase())]) {
    if (v !== undefined && !out.includes(v)) out.push(v);
  }
  return out;
}

export function setMatches(set: CharSet, cp: number, ignoreCase: boolean): boolean {
  const found = ignoreCase ? caseVariants(cp).some((v) => inRanges(set.ranges, v)) : inRanges(set.ranges, cp);
  return found !== set.negated;
}

const DIGIT: Array<[number, number]> = [[0x30, 0x39]];
const WORD: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** Under /iu JavaScript's word characters also hold ſ (U+017F) and the Kelvin sign (U+212A), which fold to s and k. */
const WORD_IGNORE_CASE: Array<[number, number]> = [...WORD, [0x17f, 0x17f], [0x212a, 0x212a]];
/** JavaScript's \s: WhiteSpace and LineTerminator. */
const SPACE: Array<[number, number]> = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
/** What `.` does not match without the s flag. */
export const LINE_TERMINATORS: Array<[number, number]> = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];

/** The ranges of a class escape letter (d, w, s; upper case = complement). */
export function classEscapeRanges(letter: string, ignoreCase: boolean): number[] {
  const base = letter.toLowerCase() === 'd' ? DIGIT : letter.toLowerCase() === 'w' ? (ignoreCase ? WORD_IGNORE_CASE : WORD) : SPACE;
  const ranges = normaliseRanges(base);
  return letter === letter.toUpperCase() ? complementRanges(ranges) : ranges;
}

/** \w as the word-boundary assertions see it. */
export function wordSet(ignoreCase: boolean): CharSet {
  return { ranges: classEscapeRanges('w', ignoreCase), negated: false };
}
