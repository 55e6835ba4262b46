/**
 * Encodes a part's elements into the verifier's instruction words (Int32), so verification
 * runs over typed arrays without a JS object per pattern. Layout of one instruction:
 *
 *   OP_BYTE  1 | value<<8 | mask<<16
 *   OP_SET   2 | setIndex<<8                       (set = 8 Uint32 words = 256 bits)
 *   OP_SKIP  3 | n<<8                              (n arbitrary bytes)
 *   OP_CLS   4 | class<<8 | neg<<12                 (consuming (B)/(L)/(W))
 *   OP_ALT   5 | count<<8 | neg<<20 | generic<<21, fixedLen, pc(alt 0) … pc(alt count-1)
 *   OP_END   0                                     (end of a sequence)
 *
 * Alternatives are sub-sequences appended after the sequence that uses them, each ending in OP_END.
 */
import type { Elem } from './pattern-ast.js';
import { seqLength } from './pattern-ast.js';

export const OP_END = 0;
export const OP_BYTE = 1;
export const OP_SET = 2;
export const OP_SKIP = 3;
export const OP_CLS = 4;
export const OP_ALT = 5;

/** Largest count an OP_SKIP word holds (23 bits). */
const MAX_SKIP = (1 << 23) - 1;
/** Largest alternative count in one OP_ALT word (12 bits). */
const MAX_ALTS = (1 << 12) - 1;

/** Growable Int32 / Uint32 buffers shared by every pattern of one compile. */
export class CodeBuilder {
  code = new Int32Array(1 << 16);
  codeLen = 0;
  sets = new Uint32Array(8 * 256);
  setCount = 0;
  private readonly setIndex = new Map<string, number>();

  push(w: number): number {
    if (this.codeLen === this.code.length) {
      const n = new Int32Array(this.code.length * 2);
      n.set(this.code);
      this.code = n;
    }
    this.code[this.codeLen] = w;
    return this.codeLen++;
  }

  addSet(bits: Uint8Array): number {
    const key = Buffer.from(bits.buffer, bits.byteOffset, 32).toString('latin1');
    const known = this.setIndex.get(key);
    if (known !== undefined) return known;
    if ((this.setCount + 1) * 8 > this.sets.length) {
      const n = new Uint32Array(this.sets.length * 2);
      n.set(this.sets);
      this.sets = n;
    }
    const base = this.setCount * 8;
    for (let i = 0; i < 32; i++) this.sets[base + (i >> 2)]! |= bits[i]! << ((i & 3) * 8);
    this.setIndex.set(key, this.setCount);
    return this.setCount++;
  }

  /** Encodes a sequence; returns the pc of its first instruction, or an error string. */
  encodeSeq(elems: Elem[]): number | string {
    const start = this.codeLen;
    const pending: Array<{ slot: number; seq: Elem[] }> = [];
    for (const e of elems) {
      switch (e.t) {
        case 'byte':
          this.push(OP_BYTE | (e.v << 8) | (e.m << 16));
          break;
        case 'set':
          this.push(OP_SET | (this.addSet(e.bits) << 8));
          break;
        case 'skip': {
          let n = e.n;
          while (n > 0) {
            const k = Math.min(n, MAX_SKIP);
            this.push(OP_SKIP | (k << 8));
            n -= k;
          }
          break;
        }
        case 'cls':
          this.push(OP_CLS | (e.c << 8) | ((e.neg ? 1 : 0) << 12));
          break;
        case 'alt': {
          if (e.alts.length > MAX_ALTS) return `more than ${MAX_ALTS} alternatives`;
          const [lo, hi] = seqLength(e.alts[0]!);
          const fixed = !e.generic && lo === hi ? lo : -1;
          this.push(OP_ALT | (e.alts.length << 8) | ((e.neg ? 1 : 0) << 20) | ((e.generic ? 1 : 0) << 21));
          this.push(fixed);
          for (const seq of e.alts) pending.push({ slot: this.push(0), seq });
          break;
        }
      }
    }
    this.push(OP_END);
    for (const p of pending) {
      const pc = this.encodeSeq(p.seq);
      if (typeof pc === 'string') return pc;
      this.code[p.slot] = pc;
    }
    return start;
  }
}
