/**
 * Verifies one signature part at one start position: edge assertions, `[x-y]` char anchors
 * and the instruction sequence (with backtracking over generic alternates). Every step is
 * charged to a budget so hostile data cannot make verification explode.
 */
import { OP_ALT, OP_BYTE, OP_CLS, OP_END, OP_SET, OP_SKIP } from './pattern-encoder.js';
import {
  F_LCH,
  F_LEFT,
  F_RCH,
  F_RIGHT,
  P_FLAGS,
  P_LCH,
  P_LCH_MAX,
  P_LCH_MIN,
  P_PC,
  P_RCH,
  P_RCH_MAX,
  P_RCH_MIN,
  PART_STRIDE,
} from './matcher-layout.js';
import { CLASS_B, CLASS_L } from './pattern-ast.js';

/**
 * ClamAV's boundary classes for (B): 1 = may precede a word, 2 = may follow, 3 = both.
 * `\n \r " ' = >` follow, `. < @` precede, `space - / _` both.
 */
const BOUNDARY = ((): Uint8Array => {
  const t = new Uint8Array(256);
  for (const c of [0x0a, 0x0d, 0x22, 0x27, 0x3d, 0x3e]) t[c] = 2;
  for (const c of [0x2e, 0x3c, 0x40]) t[c] = 1;
  for (const c of [0x20, 0x2d, 0x2f, 0x5f]) t[c] = 3;
  return t;
})();

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

export class PartVerifier {
  /** Bytes under inspection; `base` is the absolute offset of buf[0]. */
  buf: Uint8Array = new Uint8Array(0);
  base = 0;
  /** True when buf ends at the end of the object (right-edge checks see EOF). */
  atEof = false;
  /** Remaining verification steps for this scan. */
  budget = 0;
  exhausted = false;

  constructor(
    private readonly code: Int32Array,
    private readonly sets: Uint32Array,
    private readonly parts: Int32Array,
  ) {}

  /** Returns the end (exclusive, buffer-relative) of the part matched at `start`, or -1. */
  verify(part: number, start: number): number {
    const p = part * PART_STRIDE;
    const flags = this.parts[p + P_FLAGS]!;
    const buf = this.buf;
    if (flags & F_LEFT && !this.leftEdge((flags >> 1) & 3, (flags & 8) !== 0, start)) return -1;
    if (flags & F_LCH) {
      const w = this.parts[p + P_LCH]!;
      const lo = this.parts[p + P_LCH_MIN]!;
      const hi = this.parts[p + P_LCH_MAX]!;
      let ok = false;
      for (let d = lo; d <= hi; d++) {
        const at = start - 1 - d;
        if (at < 0) break;
        if (charMatch(w, buf[at]!)) {
          ok = true;
          break;
        }
      }
      if (!ok) return -1;
    }
    const end = this.run(this.parts[p + P_PC]!, start);
    if (end < 0) return -1;
    if (flags & F_RIGHT && !this.rightEdge((flags >> 5) & 3, (flags & 128) !== 0, end)) return -1;
    if (flags & F_RCH) {
      const w = this.parts[p + P_RCH]!;
      const lo = this.parts[p + P_RCH_MIN]!;
      const hi = this.parts[p + P_RCH_MAX]!;
      let ok = false;
      for (let d = lo; d <= hi; d++) {
        const at = end + d;
        if (at >= buf.length) break;
        if (charMatch(w, buf[at]!)) {
          ok = true;
          break;
        }
      }
      if (!ok) return -1;
    }
    return end;
  }

  private leftEdge(c: number, neg: boolean, pos: number): boolean {
    let hit: boolean;
    if (this.base + pos === 0) hit = true;
    else if (pos === 0) return false; // lookbehind not retained: cannot happen with proper window sizing
    else {
      const prev = this.buf[pos - 1]!;
      if (c === CLASS_B) hit = BOUNDARY[prev] === 1 || BOUNDARY[prev] === 3;
      else if (c === CLASS_L) hit = prev === 0x0a;
      else hit = !isAlnum(prev);
    }
    return hit !== neg;
  }

  private rightEdge(c: number, neg: boolean, pos: number): boolean {
    const buf = this.buf;
    let hit: boolean;
    if (pos >= buf.length) {
      if (!this.atEof) return false;
      hit = true;
    } else {
      const next = buf[pos]!;
      if (c === CLASS_B) hit = BOUNDARY[next]! >= 2;
      else if (c === CLASS_L) hit = next === 0x0a || (next === 0x0d && pos + 1 < buf.length && buf[pos + 1] === 0x0a);
      else hit = !isAlnum(next);
    }
    return hit !== neg;
  }

  /** Runs the sequence at pc from pos; returns the end position or -1. */
  private run(pcIn: number, posIn: number): number {
    const code = this.code;
    const buf = this.buf;
    const len = buf.length;
    let pc = pcIn;
    let pos = posIn;
    for (;;) {
      if (--this.budget < 0) {
        this.exhausted = true;
        return -1;
      }
      const w = code[pc]!;
      switch (w & 0xff) {
        case OP_END:
          return pos;
        case OP_BYTE:
          if (pos >= len || (buf[pos]! & (w >>> 16)) !== ((w >>> 8) & 0xff)) return -1;
          pos++;
          pc++;
          break;
        case OP_SET: {
          if (pos >= len) return -1;
          const b = buf[pos]!;
          if (((this.sets[(w >>> 8) * 8 + (b >>> 5)]! >>> (b & 31)) & 1) === 0) return -1;
          pos++;
          pc++;
          break;
        }
        case OP_SKIP:
          pos += w >>> 8;
          if (pos > len) return -1;
          pc++;
          break;
        case OP_CLS: {
          if (pos >= len) return -1;
          const b = buf[pos]!;
          const c = (w >>> 8) & 0xf;
          const neg = (w >>> 12) & 1;
          let n: number;
          if (c === CLASS_B) n = BOUNDARY[b] !== 0 ? 1 : 0;
          else if (c === CLASS_L) n = b === 0x0a ? 1 : b === 0x0d && pos + 1 < len && buf[pos + 1] === 0x0a ? 2 : 0;
          else n = isAlnum(b) ? 0 : 1;
          if (neg) n = n === 0 ? 1 : 0;
          if (n === 0) return -1;
          pos += n;
          pc++;
          break;
        }
        case OP_ALT: {
          const count = (w >>> 8) & 0xfff;
          const neg = (w >>> 20) & 1;
          const generic = (w >>> 21) & 1;
          const fixed = code[pc + 1]!;
          const next = pc + 2 + count;
          if (generic) {
            for (let i = 0; i < count; i++) {
              const e = this.run(code[pc + 2 + i]!, pos);
              if (e < 0) continue;
              const r = this.run(next, e);
              if (r >= 0) return r;
              if (this.exhausted) return -1;
            }
            return -1;
          }
          let found = -1;
          for (let i = 0; i < count && found < 0; i++) found = this.run(code[pc + 2 + i]!, pos);
          if (this.exhausted) return -1;
          if (neg) {
            if (found >= 0 || pos + fixed > len) return -1;
            pos += fixed;
          } else {
            if (found < 0) return -1;
            pos = found;
          }
          pc = next;
          break;
        }
        default:
          return -1;
      }
    }
  }
}

function charMatch(w: number, b: number): boolean {
  const v = w & 0xff;
  const m = (w >>> 8) & 0xff;
  if (w & 0x10000) return (b | 0x20) === (v | 0x20);
  return (b & m) === v;
}
