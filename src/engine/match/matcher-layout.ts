/**
 * Field layout of the compiled matcher's typed arrays. Every table is a SharedArrayBuffer so
 * workers rebuild the matcher (`loadMatcher`) without copying or recompiling patterns.
 */

/** One row per signature part (a `*`/`{n-m}`-separated piece of a body signature). */
export const P_ENTRY = 0; // index of the owning entry (signature or subsignature variant)
export const P_NO = 1; // part number, 0-based
export const P_PC = 2; // first instruction in the code table
export const P_MINLEN = 3;
export const P_MAXLEN = 4;
export const P_GAPMIN = 5; // distance from the previous part's end to this part's start
export const P_GAPMAX = 6; // -1 = unbounded
export const P_FLAGS = 7;
export const P_LCH = 8; // left char anchor: value | mask<<8 | nocase<<16
export const P_LCH_MIN = 9;
export const P_LCH_MAX = 10;
export const P_RCH = 11;
export const P_RCH_MIN = 12;
export const P_RCH_MAX = 13;
export const PART_STRIDE = 14;

export const F_LEFT = 1; // bits 1-2 class, bit 3 negated
export const F_RIGHT = 1 << 4; // bits 5-6 class, bit 7 negated
export const F_LCH = 1 << 8;
export const F_RCH = 1 << 9;

/** One row per entry: an `.ndb` signature, or one variant (ascii/wide) of an `.ldb` subsignature. */
export const E_FIRST_PART = 0;
export const E_PARTS = 1;
export const E_TARGET = 2;
export const E_OFF_KIND = 3;
export const E_OFF_N = 4;
export const E_OFF_SHIFT = 5;
export const E_OFF_SECTION = 6;
export const E_LSIG = 7; // -1 for `.ndb` signatures
export const E_SUBSIG = 8;
export const E_NAME = 9; // name index for `.ndb` signatures
export const ENTRY_STRIDE = 10;

/** Hash slot: key, postings start, postings count (0 = empty). */
export const SLOT_STRIDE = 3;

/**
 * Anchor postings: (part, smallest and largest distance from the part start to the anchor,
 * check value, check mask of the four bytes after the anchor).
 */
export const POSTING_STRIDE = 5;

/** Slot of an anchor key in an open-addressing table of mask+1 slots (Fibonacci hashing). */
export function hashKey(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 8) & mask;
}

/** 3-byte anchor keys → 2^24-bit filter (2 MiB) per matcher root. */
export const BITSET_WORDS = 1 << 19;

/** How many recent ends ClamAV tracks per part (CLI_DEFAULT_AC_TRACKLEN). */
export const TRACK_LEN = 8;

/** ClamAV target numbers that have their own matcher root (appendix FileTypes). */
export const MAX_TARGET = 14;

export interface MatcherMeta {
  version: 1;
  entryCount: number;
  partCount: number;
  signatureCount: number;
  hash4Capacity: number;
  hash3Capacity: number;
  has4: boolean;
  has3: boolean;
  has2: boolean;
  /** Target number → index of its filter bitset; 0 (generic only) for targets without signatures. */
  rootBitset: number[];
  bitsetCount: number;
  maxPartLen: number;
  lsigs: LsigMeta[];
}

export interface LsigMeta {
  name: string;
  target: number;
  subsigCount: number;
  expr: ExprNode;
  cond: LsigConditions;
}

export interface Range {
  lo: number;
  hi: number;
}

export interface LsigConditions {
  fileSize?: Range;
  entryPoint?: Range;
  sections?: Range;
  /** `Container:CL_TYPE_X`; `CL_TYPE_ANY` = the root object only. */
  container?: string;
  /** `Intermediates:A>B>...`, outermost first; `CL_TYPE_ANY` matches any layer. */
  intermediates?: string[];
}

/** Logical expression tree (see `logical-expression.ts`). */
export type ExprNode =
  | { k: 'leaf'; id: number; mod?: Mod }
  | { k: 'op'; op: '&' | '|'; l: ExprNode; r: ExprNode; mod?: Mod };

export interface Mod {
  op: '=' | '>' | '<';
  x: number;
  /** Minimum number of distinct subsignatures of the block (`,Y`). */
  y: number;
}
