/**
 * Sets of code points for the linear-time rule matcher: sorted, disjoint inclusive ranges
 * ([lo0, hi0, lo1, hi1, ...]), optionally negated; closed under case when built for a
 * case-insensitive regex, so matching never folds the text.
 */
import { CASE_CLASSES } from './case-folding-data.js';

export const MAX_CODE_POINT = 0x10ffff;

export interface CharSet {
  /** Sorted, disjoint, non-adjacent inclusive ranges: lo, hi, lo, hi, ... */
  readonly ranges: readonly number[];
  /** Matches the code points *not* in `ranges`. */
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

/**
 * A set closed under case: every code point that /iu regexes treat as the same letter as one in
 * `ranges` (Unicode simple case folding as V8 applies it, case-folding-data.ts) is added. A text
 * character then matches a case-insensitive set exactly when it is in the closed ranges.
 */
export function caseClosed(ranges: readonly number[]): number[] {
  const extra: Array<[number, number]> = [];
  for (const members of CASE_CLASSES) {
    if (members.some((cp) => inRanges(ranges, cp))) for (const cp of members) extra.push([cp, cp]);
  }
  return extra.length ? normaliseRanges([...rangesToPairs(ranges), ...extra]) : [...ranges];
}

export function setMatches(set: CharSet, cp: number): boolean {
  return inRanges(set.ranges, cp) !== set.negated;
}

const DIGIT: Array<[number, number]> = [[0x30, 0x39]];
const WORD: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** JavaScript's \s: WhiteSpace and LineTerminator. */
const SPACE: Array<[number, number]> = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
/** What `.` does not match without the s flag. */
export const LINE_TERMINATORS: Array<[number, number]> = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];

/** The ranges of a class escape letter (d, w, s; upper case = complement), closed under case with `ignoreCase`. */
export function classEscapeRanges(letter: string, ignoreCase: boolean): number[] {
  const base = normaliseRanges(letter.toLowerCase() === 'd' ? DIGIT : letter.toLowerCase() === 'w' ? WORD : SPACE);
  // Under /iu, \w also holds what folds to a word character (ſ, the Kelvin sign), and \W is its complement.
  const ranges = ignoreCase ? caseClosed(base) : base;
  return letter === letter.toUpperCase() ? complementRanges(ranges) : ranges;
}

/** \w as the word-boundary assertions see it. */
export function wordSet(ignoreCase: boolean): CharSet {
  return { ranges: classEscapeRanges('w', ignoreCase), negated: false };
}
