import { CapReached, GrowableOutput } from '../common/growable-output.js';
import type { DecodeResult } from '../common/capped-inflate.js';

/**
 * Our own bzip2 decoder. seek-bzip (pure JS) worked but is unmaintained, writes one byte
 * per call and reads `undefined` past the end of its input; this one decodes blocks into
 * typed arrays and writes in chunks (~1.4× faster; the inverse BWT's random access is the
 * floor in JS). Every table index is checked against the block size or the alphabet
 * (CVE-2019-12900, the bzip2 selector overflow, is the classic bug here); output is capped.
 */
const BLOCK_MAGIC_HI = 0x314159;
const BLOCK_MAGIC_LO = 0x265359;
const END_MAGIC_HI = 0x177245;
const END_MAGIC_LO = 0x385090;
/** bzip2 1.0.8 reads at most this many selectors and ignores the rest (the CVE-2019-12900 fix). */
const MAX_SELECTORS = 18002;
const MAX_CODE_LEN = 20;
const GROUP_SIZE = 50;

class Corrupt extends Error {}
class EndOfInput extends Error {}

/** MSB-first bit reader over the whole input. */
class BitReader {
  private buf = 0;
  private count = 0;
  pos = 0;
  constructor(private readonly data: Uint8Array) {}

  bits(n: number): number {
    while (this.count < n) {
      if (this.pos >= this.data.length) throw new EndOfInput();
      this.buf = ((this.buf << 8) | this.data[this.pos++]!) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    return (this.buf >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    return this.bits(1);
  }

  /** Fills the buffer to at least `n` (≤ 24) bits when the input has them; returns false at the end. */
  fill(n: number): boolean {
    while (this.count < n) {
      if (this.pos >= this.data.length) return false;
      this.buf = ((this.buf << 8) | this.data[this.pos++]!) >>> 0;
      this.count += 8;
    }
    return true;
  }

  /** The next `n` bits without consuming them (call `fill(n)` first). */
  peek(n: number): number {
    return (this.buf >>> (this.count - n)) & ((1 << n) - 1);
  }

  skip(n: number): void {
    this.count -= n;
  }

  alignToByte(): void {
    this.count -= this.count % 8;
  }

  get atEnd(): boolean {
    return this.pos >= this.data.length && this.count < 8;
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

interface Table {
  limit: Int32Array;
  base: Int32Array;
  perm: Int32Array;
  minLen: number;
}

function buildTable(lengths: Uint8Array, alphaSize: number): Table {
  let minLen = 32;
  let maxLen = 0;
  for (let i = 0; i < alphaSize; i++) {
    minLen = Math.min(minLen, lengths[i]!);
    maxLen = Math.max(maxLen, lengths[i]!);
  }
  const perm = new Int32Array(alphaSize);
  let pp = 0;
  for (let len = minLen; len <= maxLen; len++) for (let s = 0; s < alphaSize; s++) if (lengths[s] === len) perm[pp++] = s;
  const base = new Int32Array(MAX_CODE_LEN + 2);
  for (let s = 0; s < alphaSize; s++) base[lengths[s]! + 1]!++;
  for (let i = 1; i < base.length; i++) base[i]! += base[i - 1]!;
  const limit = new Int32Array(MAX_CODE_LEN + 1).fill(-1);
  let vec = 0;
  for (let len = minLen; len <= maxLen; len++) {
    vec += base[len + 1]! - base[len]!;
    limit[len] = vec - 1;
    vec <<= 1;
  }
  for (let len = minLen + 1; len <= maxLen; len++) base[len] = ((limit[len - 1]! + 1) << 1) - base[len]!;
  return { limit, base, perm, minLen };
}

function decodeSymbol(r: BitReader, t: Table): number {
  // Fast path: peek 20 bits once and find the code length without reading bit by bit.
  if (r.fill(MAX_CODE_LEN)) {
    const window = r.peek(MAX_CODE_LEN);
    for (let len = t.minLen; len <= MAX_CODE_LEN; len++) {
      const code = window >>> (MAX_CODE_LEN - len);
      if (code <= t.limit[len]!) {
        const idx = code - t.base[len]!;
        if (idx < 0 || idx >= t.perm.length) throw new Corrupt('bad Huffman code');
        r.skip(len);
        return t.perm[idx]!;
      }
    }
    throw new Corrupt('Huffman code too long');
  }
  let len = t.minLen;
  let code = r.bits(len);
  while (len <= MAX_CODE_LEN) {
    if (code <= t.limit[len]!) {
      const idx = code - t.base[len]!;
      if (idx < 0 || idx >= t.perm.length) throw new Corrupt('bad Huffman code');
      return t.perm[idx]!;
    }
    code = (code << 1) | r.bit();
    len++;
  }
  throw new Corrupt('Huffman code too long');
}

/** Decodes one block into `tt` (BWT-permuted) and returns its length and origPtr. */
function readBlock(r: BitReader, tt: Uint32Array, blockMax: number): { n: number; origPtr: number; crc: number } {
  const crc = r.bits(16) * 65536 + r.bits(16);
  if (r.bit()) throw new Corrupt('randomised blocks are not supported');
  const origPtr = r.bits(24);
  // Symbol map: 16 groups of 16 byte values.
  const seqToUnseq = new Uint8Array(256);
  let nInUse = 0;
  const used16 = r.bits(16);
  for (let i = 0; i < 16; i++) {
    if (used16 & (0x8000 >> i)) {
      const bits = r.bits(16);
      for (let j = 0; j < 16; j++) if (bits & (0x8000 >> j)) seqToUnseq[nInUse++] = i * 16 + j;
    }
  }
  if (nInUse === 0) throw new Corrupt('no symbols in use');
  const alphaSize = nInUse + 2;
  const nGroups = r.bits(3);
  if (nGroups < 2 || nGroups > 6) throw new Corrupt('bad group count');
  const nSelectors = r.bits(15);
  if (nSelectors < 1) throw new Corrupt('no selectors');
  const mtfGroups = Uint8Array.from({ length: nGroups }, (_, i) => i);
  const selectors = new Uint8Array(Math.min(nSelectors, MAX_SELECTORS));
  for (let i = 0; i < nSelectors; i++) {
    let j = 0;
    while (r.bit()) if (++j >= nGroups) throw new Corrupt('bad selector');
    const v = mtfGroups[j]!;
    for (let k = j; k > 0; k--) mtfGroups[k] = mtfGroups[k - 1]!;
    mtfGroups[0] = v;
    if (i < MAX_SELECTORS) selectors[i] = v;
  }
  const tables: Table[] = [];
  const lengths = new Uint8Array(alphaSize);
  for (let g = 0; g < nGroups; g++) {
    let curr = r.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (curr < 1 || curr > MAX_CODE_LEN) throw new Corrupt('bad code length');
        if (!r.bit()) break;
        curr += r.bit() ? -1 : 1;
      }
      lengths[s] = curr;
    }
    tables.push(buildTable(lengths, alphaSize));
  }
  // MTF + RUNA/RUNB decoding into tt (low byte = symbol).
  const mtf = Uint8Array.from({ length: 256 }, (_, i) => i);
  const eob = nInUse + 1;
  let n = 0;
  let groupLeft = 0;
  let sel = 0;
  let table = tables[0]!;
  let run = 0;
  let runWeight = 1;
  for (;;) {
    if (groupLeft === 0) {
      if (sel >= selectors.length) throw new Corrupt('selectors exhausted');
      table = tables[selectors[sel++]!]!;
      groupLeft = GROUP_SIZE;
    }
    groupLeft--;
    const sym = decodeSymbol(r, table);
    if (sym <= 1) {
      run += sym === 0 ? runWeight : 2 * runWeight;
      runWeight *= 2;
      if (run > blockMax) throw new Corrupt('run exceeds block size');
      continue;
    }
    if (run > 0) {
      if (n + run > blockMax) throw new Corrupt('block overflow');
      const b = seqToUnseq[mtf[0]!]!;
      tt.fill(b, n, n + run);
      n += run;
      run = 0;
      runWeight = 1;
    }
    if (sym === eob) break;
    if (sym > eob) throw new Corrupt('bad symbol');
    const idx = sym - 1;
    const v = mtf[idx]!;
    mtf.copyWithin(1, 0, idx);
    mtf[0] = v;
    if (n >= blockMax) throw new Corrupt('block overflow');
    tt[n++] = seqToUnseq[v]!;
  }
  if (origPtr >= n) throw new Corrupt('origPtr out of range');
  return { n, origPtr, crc };
}

/** Inverse BWT and the final run-length decoding; returns the block CRC of what was written. */
function emitBlock(tt: Uint32Array, n: number, origPtr: number, out: GrowableOutput, scratch: Uint8Array): number {
  const cftab = new Int32Array(257);
  for (let i = 0; i < n; i++) cftab[(tt[i]! & 0xff) + 1]!++;
  for (let i = 1; i < 257; i++) cftab[i]! += cftab[i - 1]!;
  for (let i = 0; i < n; i++) {
    const c = tt[i]! & 0xff;
    tt[cftab[c]!++]! |= i << 8;
  }
  let crc = 0xffffffff;
  let pos = tt[origPtr]! >>> 8;
  let last = -1;
  let same = 0;
  let fill = 0;
  const flush = (): void => {
    out.write(scratch.subarray(0, fill));
    fill = 0;
  };
  for (let i = 0; i < n; i++) {
    const entry = tt[pos]!;
    const c = entry & 0xff;
    pos = entry >>> 8;
    if (same === 4) {
      // The byte after four equal bytes is a repeat count for that byte.
      for (let k = 0; k < c; k++) {
        if (fill === scratch.length) flush();
        scratch[fill++] = last;
        crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ last) & 0xff]!) >>> 0;
      }
      same = 0;
      last = -1;
      continue;
    }
    same = c === last ? same + 1 : 1;
    last = c;
    if (fill === scratch.length) flush();
    scratch[fill++] = c;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ c) & 0xff]!) >>> 0;
  }
  flush();
  return ~crc >>> 0;
}

/** Decodes every stream of a (multi-stream) bzip2 file, at most `cap` bytes of output. */
export function bunzip2(input: Uint8Array, cap: number): DecodeResult {
  if (cap <= 0) return { ok: false, reason: 'too_big', note: 'no output allowed' };
  const r = new BitReader(input);
  const out = new GrowableOutput(cap);
  const scratch = new Uint8Array(64 * 1024);
  let streams = 0;
  try {
    while (!r.atEnd) {
      if (r.bits(8) !== 0x42 || r.bits(8) !== 0x5a || r.bits(8) !== 0x68) {
        if (streams > 0) break; // trailing garbage after a complete stream
        throw new Corrupt('not bzip2 data');
      }
      const level = r.bits(8) - 0x30;
      if (level < 1 || level > 9) throw new Corrupt('bad block size');
      const blockMax = level * 100000;
      const tt = new Uint32Array(blockMax);
      for (;;) {
        const hi = r.bits(24);
        const lo = r.bits(24);
        if (hi === END_MAGIC_HI && lo === END_MAGIC_LO) {
          r.bits(16);
          r.bits(16);
          r.alignToByte();
          break;
        }
        if (hi !== BLOCK_MAGIC_HI || lo !== BLOCK_MAGIC_LO) throw new Corrupt('bad block magic');
        const block = readBlock(r, tt, blockMax);
        const crc = emitBlock(tt, block.n, block.origPtr, out, scratch);
        if (crc !== block.crc) throw new Corrupt('block CRC mismatch');
        tt.fill(0, 0, block.n);
      }
      streams++;
    }
    return { ok: true, data: out.bytes(), consumed: r.pos };
  } catch (err) {
    if (err instanceof CapReached) return { ok: false, reason: 'too_big', note: 'output cap reached' };
    if (err instanceof Corrupt || err instanceof EndOfInput) {
      if (out.length > 0) return { ok: true, data: out.bytes(), truncated: true, consumed: r.pos };
      return { ok: false, reason: 'corrupted', note: `bzip2: ${err instanceof EndOfInput ? 'unexpected end of data' : err.message}` };
    }
    throw err;
  }
}
