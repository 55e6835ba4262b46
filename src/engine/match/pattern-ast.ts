/**
 * The parsed form of one ClamAV hex body signature: ordered parts separated by `*`/`{n-m}`
 * gaps, each part a sequence of elements with optional edge assertions and `[x-y]` char anchors.
 * Built by `hex-pattern-parser.ts`, encoded into typed arrays by `pattern-encoder.ts`.
 */

/** Character classes `(B)` word boundary, `(L)` line marker, `(W)` non-alphanumeric. */
export const CLASS_B = 0;
export const CLASS_L = 1;
export const CLASS_W = 2;
export type CharClass = typeof CLASS_B | typeof CLASS_L | typeof CLASS_W;

export type Elem =
  /** One byte compared under a mask: literal (0xff), `a?` (0xf0), `?a` (0x0f). */
  | { t: 'byte'; v: number; m: number }
  /** A set of accepted bytes (single-byte alternates, negated ones, case-folded letters); 32 bytes = 256 bits. */
  | { t: 'set'; bits: Uint8Array }
  /** n arbitrary bytes (`??` runs, `{n}` with n < 128). */
  | { t: 'skip'; n: number }
  /** A consuming character class in the middle of a part. */
  | { t: 'cls'; c: CharClass; neg: boolean }
  /** Alternatives: fixed-length (negatable) or generic (variable length, backtracking). */
  | { t: 'alt'; alts: Elem[][]; neg: boolean; generic: boolean };

/** A byte anchored x..y bytes before the part (`aa[x-y]HEX`) or after it (`HEX[x-y]aa`). */
export interface CharAnchor {
  v: number;
  m: number;
  /** Case-insensitive letter (from `::i`). */
  nocase: boolean;
  min: number;
  max: number;
}

/** Zero-width assertions at the edges of a part, from `(B)`/`(L)`/`(W)` written first or last. */
export interface EdgeAssertion {
  c: CharClass;
  neg: boolean;
}

export interface PartAst {
  elems: Elem[];
  left?: EdgeAssertion;
  right?: EdgeAssertion;
  leftChar?: CharAnchor;
  rightChar?: CharAnchor;
  /** Distance from the end of the previous part to the start of this one (unused for part 0). */
  gapMin: number;
  /** Infinity for `*`, `{n-}` and ClamAV's `maxdist == 0`. */
  gapMax: number;
}

export interface PatternAst {
  parts: PartAst[];
}

export function elemLength(e: Elem): [number, number] {
  switch (e.t) {
    case 'byte':
    case 'set':
      return [1, 1];
    case 'skip':
      return [e.n, e.n];
    case 'cls':
      return e.c === CLASS_L && !e.neg ? [1, 2] : [1, 1];
    case 'alt': {
      let lo = Infinity;
      let hi = 0;
      for (const a of e.alts) {
        const [l, h] = seqLength(a);
        lo = Math.min(lo, l);
        hi = Math.max(hi, h);
      }
      return [lo === Infinity ? 0 : lo, hi];
    }
  }
}

export function seqLength(elems: Elem[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const e of elems) {
    const [l, h] = elemLength(e);
    lo += l;
    hi += h;
  }
  return [lo, hi];
}

export function newSet(): Uint8Array {
  return new Uint8Array(32);
}

export function setHas(bits: Uint8Array, b: number): boolean {
  return (bits[b >> 3]! & (1 << (b & 7))) !== 0;
}

export function setAdd(bits: Uint8Array, b: number): void {
  bits[b >> 3]! |= 1 << (b & 7);
}

export function setSize(bits: Uint8Array): number {
  let n = 0;
  for (let b = 0; b < 256; b++) if (setHas(bits, b)) n++;
  return n;
}

export function isAsciiLetter(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}
