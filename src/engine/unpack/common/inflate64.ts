import { BitsExhausted, Huffman, LsbBitReader } from './bit-reader.js';
import { CapReached, GrowableOutput } from './growable-output.js';
import type { DecodeResult } from './capped-inflate.js';

/**
 * Deflate64 ("enhanced deflate", zip method 9): DEFLATE with a 64 KiB window, length
 * symbol 285 = 3 + 16 extra bits, and distance codes 30/31. node:zlib has no Deflate64,
 * so this is our own decoder (plain DEFLATE goes through zlib). Every loop is bounded by
 * input bits or the output cap.
 */
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 3];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 16];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577, 32769, 49153,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14];
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function fixedTables(): [Huffman, Huffman] {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144);
  l.fill(9, 144, 256);
  l.fill(7, 256, 280);
  l.fill(8, 280, 288);
  const d = new Uint8Array(32).fill(5);
  return [new Huffman(l, 288), new Huffman(d, 32)];
}

class Corrupt extends Error {}

function dynamicTables(r: LsbBitReader): [Huffman, Huffman] {
  const nlen = r.bits(5) + 257;
  const ndist = r.bits(5) + 1;
  const ncode = r.bits(4) + 4;
  if (nlen > 288 || ndist > 32) throw new Corrupt('bad table counts');
  const lengths = new Uint8Array(320);
  for (let i = 0; i < ncode; i++) lengths[CL_ORDER[i]!] = r.bits(3);
  const cl = new Huffman(lengths, 19);
  if (!cl.valid) throw new Corrupt('bad code-length code');
  lengths.fill(0);
  let i = 0;
  while (i < nlen + ndist) {
    const sym = cl.decode(r);
    if (sym < 0) throw new Corrupt('bad code-length symbol');
    if (sym < 16) {
      lengths[i++] = sym;
      continue;
    }
    let len = 0;
    let rep: number;
    if (sym === 16) {
      if (i === 0) throw new Corrupt('repeat without previous length');
      len = lengths[i - 1]!;
      rep = 3 + r.bits(2);
    } else if (sym === 17) rep = 3 + r.bits(3);
    else rep = 11 + r.bits(7);
    if (i + rep > nlen + ndist) throw new Corrupt('too many lengths');
    while (rep-- > 0) lengths[i++] = len;
  }
  if (lengths[256] === 0) throw new Corrupt('no end-of-block code');
  const lit = new Huffman(lengths.subarray(0, nlen), nlen);
  const dist = new Huffman(lengths.subarray(nlen, nlen + ndist), ndist);
  return [lit, dist];
}

export function inflate64Capped(input: Uint8Array, cap: number): DecodeResult {
  if (cap <= 0) return { ok: false, reason: 'too_big', note: 'no output allowed' };
  const r = new LsbBitReader(input);
  const out = new GrowableOutput(cap);
  try {
    let last = 0;
    while (last === 0) {
      last = r.bits(1);
      const type = r.bits(2);
      if (type === 0) {
        r.alignToByte();
        const len = r.bits(16);
        const nlen = r.bits(16);
        if ((len ^ 0xffff) !== nlen) throw new Corrupt('stored length check');
        if (r.remainingBytes < len) throw new BitsExhausted();
        out.write(input.subarray(r.pos, r.pos + len));
        r.pos += len;
      } else if (type === 1 || type === 2) {
        const [lit, dist] = type === 1 ? fixedTables() : dynamicTables(r);
        for (;;) {
          const sym = lit.decode(r);
          if (sym < 0) throw new Corrupt('bad literal/length code');
          if (sym < 256) out.writeByte(sym);
          else if (sym === 256) break;
          else {
            const li = sym - 257;
            if (li >= 29) throw new Corrupt('bad length symbol');
            const len = LEN_BASE[li]! + r.bitsWide(LEN_EXTRA[li]!);
            const ds = dist.decode(r);
            if (ds < 0 || ds >= 32) throw new Corrupt('bad distance symbol');
            const d = DIST_BASE[ds]! + r.bits(DIST_EXTRA[ds]!);
            if (d > out.length) throw new Corrupt('distance too far back');
            out.copyMatch(d, len);
          }
        }
      } else throw new Corrupt('invalid block type');
    }
    return { ok: true, data: out.bytes(), consumed: r.pos };
  } catch (err) {
    if (err instanceof CapReached) return { ok: false, reason: 'too_big', note: 'output cap reached' };
    if (err instanceof BitsExhausted || err instanceof Corrupt) {
      if (out.length > 0) return { ok: true, data: out.bytes(), truncated: true, consumed: r.pos };
      return { ok: false, reason: 'corrupted', note: `deflate64: ${err.message}` };
    }
    throw err;
  }
}
