import { CapReached, GrowableOutput } from '../common/growable-output.js';

/**
 * MS-OVBA §2.4.1 decompression (VBA source and the `dir` stream). Own code: small, and
 * every copy is checked against what was already decompressed in the chunk. Output is
 * capped; a broken chunk ends decompression with what was decoded so far.
 */
const CHUNK = 4096;

export interface OvbaResult {
  data: Uint8Array;
  /** True when the container was malformed or cut; `data` holds what decoded. */
  damaged: boolean;
  capped: boolean;
}

export function decompressOvba(src: Uint8Array, cap: number): OvbaResult {
  if (src.length === 0 || src[0] !== 0x01 || cap <= 0) return { data: new Uint8Array(0), damaged: true, capped: false };
  const out = new GrowableOutput(cap);
  let damaged = false;
  let p = 1;
  try {
    outer: while (p + 2 <= src.length) {
      const header = src[p]! | (src[p + 1]! << 8);
      const size = (header & 0x0fff) + 3;
      const compressed = (header & 0x8000) !== 0;
      if (((header >> 12) & 0x7) !== 0x3) { damaged = true; break; }
      const end = Math.min(src.length, p + size);
      if (p + size > src.length) damaged = true;
      p += 2;
      const chunkStart = out.length;
      if (!compressed) {
        const n = Math.min(CHUNK, src.length - p);
        out.write(src.subarray(p, p + n));
        p += n;
        continue;
      }
      while (p < end) {
        const flags = src[p++]!;
        for (let bit = 0; bit < 8 && p < end; bit++) {
          if ((flags & (1 << bit)) === 0) {
            out.writeByte(src[p++]!);
            continue;
          }
          if (p + 2 > end) { damaged = true; break outer; }
          const token = src[p]! | (src[p + 1]! << 8);
          p += 2;
          const diff = out.length - chunkStart;
          let bitCount = 4;
          while (bitCount < 12 && 1 << bitCount < diff) bitCount++;
          const length = (token & (0xffff >> bitCount)) + 3;
          const offset = (token >> (16 - bitCount)) + 1;
          if (offset > diff) { damaged = true; break outer; }
          out.copyMatch(offset, length);
        }
      }
    }
  } catch (err) {
    if (err instanceof CapReached) return { data: out.bytes(), damaged, capped: true };
    throw err;
  }
  return { data: out.bytes(), damaged, capped: false };
}
