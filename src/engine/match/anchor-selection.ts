/**
 * Chooses, for each signature part, the short run of static bytes that enters the anchor
 * index. Like ClamAV's anchor shifting, it avoids common bytes (NUL, 0xFF, spaces, letters,
 * frequent x86 opcodes) using a byte-frequency table, and spreads patterns over keys so no
 * single 3-byte key collects a long candidate list.
 */
import { type Elem, elemLength, setHas, setSize } from './pattern-ast.js';

/** A part may start at most this many different positions before its anchor (verification tries each). */
export const MAX_START_SPREAD = 32;
/** Case variants of one anchor (`::i` letters): 3 letters → 8 keys. */
const MAX_ANCHOR_VARIANTS = 8;

/** Rough relative frequency of each byte value in mail attachments, executables and text. */
export const BYTE_WEIGHT = ((): Float64Array => {
  const w = new Float64Array(256).fill(2);
  for (let b = 1; b < 0x20; b++) w[b] = 4;
  for (let b = 0x21; b < 0x7f; b++) w[b] = 6;
  for (let b = 0x30; b <= 0x39; b++) w[b] = 9;
  for (let b = 0x41; b <= 0x5a; b++) w[b] = 8;
  for (let b = 0x61; b <= 0x7a; b++) w[b] = 14;
  for (const c of 'etaoinsrhl') w[c.charCodeAt(0)] = 24;
  for (const b of [0x09, 0x0a, 0x0d]) w[b] = 14;
  for (const b of [0x8b, 0x89, 0x48, 0xe8, 0xc3, 0x55, 0x83, 0x4c, 0x24, 0x0f, 0x85, 0x74, 0x75, 0xeb, 0x8d, 0xcc, 0x90, 0x01, 0x02, 0x04, 0x08, 0x80, 0x40, 0xfe]) {
    w[b] = Math.max(w[b]!, 12);
  }
  w[0x20] = 50;
  w[0xff] = 40;
  w[0x00] = 120;
  return w;
})();

export interface AnchorChoice {
  /** Keys to index: 32-bit (as int32) for 4-byte anchors, 24-bit for 3-byte, 16-bit for 2-byte ones. */
  keys: number[];
  width: 2 | 3 | 4;
  /** Smallest and largest distance from the part start to the anchor's first byte. */
  dmin: number;
  dmax: number;
  /**
   * The four bytes right after the anchor as (value, mask), little-endian in an int32; mask
   * bytes are 0 where the pattern allows anything. Checked before verification: cheap
   * rejection of anchor hits in data that resembles the pattern (code in executables).
   */
  checkValue: number;
  checkMask: number;
}

/** Byte values an element can take when it is usable in an anchor, else undefined. */
function anchorBytes(e: Elem): number[] | undefined {
  if (e.t === 'byte') return e.m === 0xff ? [e.v] : undefined;
  if (e.t === 'set' && setSize(e.bits) <= 2) {
    const out: number[] = [];
    for (let b = 0; b < 256; b++) if (setHas(e.bits, b)) out.push(b);
    return out;
  }
  return undefined;
}

/**
 * Picks the cheapest window; `crowd` counts postings already under each key and is updated.
 * Returns undefined when the part has no two consecutive static bytes at a bounded start spread.
 */
export function chooseAnchor(elems: Elem[], crowd: Map<number, number>): AnchorChoice | undefined {
  const starts: Array<[number, number]> = [];
  let lo = 0;
  let hi = 0;
  for (const e of elems) {
    starts.push([lo, hi]);
    const [l, h] = elemLength(e);
    lo += l;
    hi += h;
  }
  const bytes = elems.map(anchorBytes);
  let best: AnchorChoice | undefined;
  let bestCost = Infinity;
  for (const width of [4, 3, 2] as const) {
    for (let i = 0; i + width <= elems.length; i++) {
      const [dmin, dmax] = starts[i]!;
      if (dmax - dmin > MAX_START_SPREAD) continue;
      const win = bytes.slice(i, i + width);
      if (win.some((b) => b === undefined)) continue;
      const keys = expandKeys(win as number[][]);
      if (keys.length > MAX_ANCHOR_VARIANTS) continue;
      // Log-probability of a random position passing: the first three bytes drive the filter
      // bitset's hit rate, a fourth byte only the hash probe's.
      let cost = WIDTH_PENALTY[width]!;
      (win as number[][]).forEach((vals, j) => {
        const lp = Math.log(vals.reduce((sum, v) => sum + BYTE_WEIGHT[v]!, 0) / WEIGHT_SUM);
        cost += j < 3 ? lp : lp * 0.5;
      });
      // Runs of one byte (padding, fills: 90909090, cccccccc, 41414141) are far more common in
      // real data than their bytes' frequencies suggest.
      if (keys.length === 1 && (win as number[][]).every((vals) => vals[0] === (win as number[][])[0]![0])) cost += RUN_PENALTY;
      let crowdCount = 0;
      for (const k of keys) crowdCount += crowd.get(crowdKey(width, k)) ?? 0;
      cost += Math.log1p(crowdCount) * 1.5 + (dmax - dmin) * 0.05;
      if (cost < bestCost) {
        bestCost = cost;
        best = { keys, width, dmin, dmax, ...checkAfter(elems, i + width) };
      }
    }
  }
  if (!best) return undefined;
  for (const k of best.keys) {
    const ck = crowdKey(best.width, k);
    crowd.set(ck, (crowd.get(ck) ?? 0) + 1);
  }
  return best;
}

/** Value/mask of the (up to) four fixed-position bytes after element index `from`. */
function checkAfter(elems: Elem[], from: number): { checkValue: number; checkMask: number } {
  let value = 0;
  let mask = 0;
  let k = 0;
  for (let i = from; i < elems.length && k < 4; i++) {
    const e = elems[i]!;
    if (e.t === 'byte') {
      value |= (e.v & e.m) << (8 * k);
      mask |= e.m << (8 * k);
      k++;
    } else if (e.t === 'set') {
      // Case-folded letter pairs differ in bit 0x20 only: compare with that bit masked out.
      const vals: number[] = [];
      for (let b = 0; b < 256 && vals.length < 3; b++) if (setHas(e.bits, b)) vals.push(b);
      if (vals.length === 2 && (vals[0]! ^ vals[1]!) === 0x20) {
        value |= (vals[0]! & 0xdf) << (8 * k);
        mask |= 0xdf << (8 * k);
      }
      k++;
    } else if (e.t === 'skip') {
      k += e.n;
    } else {
      break; // classes and alternates: stop (variable or not expressible as a mask)
    }
  }
  return { checkValue: value | 0, checkMask: mask | 0 };
}

/** Extra cost of an anchor made of one repeated byte. */
const RUN_PENALTY = 4;

/** Extra cost of narrower anchors: every filter hit on them reaches the postings. */
const WIDTH_PENALTY: Record<number, number> = { 4: 0, 3: 2, 2: 6 };
const WEIGHT_SUM = BYTE_WEIGHT.reduce((s, w) => s + w, 0);

/** One namespace for the crowding counts of 2-, 3- and 4-byte keys. */
function crowdKey(width: number, k: number): number {
  return width === 4 ? 0x100000000 + (k >>> 0) : width === 3 ? k : -1 - k;
}

function expandKeys(win: number[][]): number[] {
  let keys = [0];
  for (const vals of win) {
    const next: number[] = [];
    for (const k of keys) for (const v of vals) next.push(((k << 8) | v) | 0);
    keys = next;
    if (keys.length > MAX_ANCHOR_VARIANTS) break;
  }
  return keys;
}
