import { constants, inflateSync } from 'node:zlib';
import { inflateRawCapped } from '../common/capped-inflate.js';
import { CapReached, GrowableOutput } from '../common/growable-output.js';

export type FilterResult = { ok: true; data: Uint8Array; partial?: boolean } | { ok: false; reason: 'too_big' | 'unsupported' | 'corrupted'; note: string };

/** Filters applied in a chain beyond this are not a document but a decompression trap. */
export const MAX_FILTER_CHAIN = 8;

function flate(input: Uint8Array, cap: number): FilterResult {
  try {
    const out = inflateSync(input, { maxOutputLength: cap, finishFlush: constants.Z_SYNC_FLUSH });
    return { ok: true, data: new Uint8Array(out.buffer, out.byteOffset, out.length) };
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: 'too_big', note: 'Flate output cap' };
    // Broken zlib headers are common in PDFs: try the raw deflate stream after the 2-byte header.
    const raw = inflateRawCapped(input.subarray(2), cap);
    if (raw.ok && raw.data.length > 0) return { ok: true, data: raw.data, partial: true };
    if (!raw.ok && raw.reason === 'too_big') return { ok: false, reason: 'too_big', note: 'Flate output cap' };
    return { ok: false, reason: 'corrupted', note: `FlateDecode: ${(err as Error).message}` };
  }
}

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
}

function asciiHex(input: Uint8Array, cap: number): FilterResult {
  const out = new GrowableOutput(cap);
  let hi = -1;
  for (const c of input) {
    if (c === 0x3e) break;
    if (isWhite(c)) continue;
    const v = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (v < 0) continue;
    if (hi < 0) hi = v;
    else {
      out.writeByte((hi << 4) | v);
      hi = -1;
    }
  }
  if (hi >= 0) out.writeByte(hi << 4);
  return { ok: true, data: out.bytes() };
}

function ascii85(input: Uint8Array, cap: number): FilterResult {
  const out = new GrowableOutput(cap);
  let tuple = 0;
  let count = 0;
  let i = 0;
  if (input[0] === 0x3c && input[1] === 0x7e) i = 2;
  for (; i < input.length; i++) {
    const c = input[i]!;
    if (c === 0x7e) break;
    if (isWhite(c)) continue;
    if (c === 0x7a && count === 0) {
      out.write(new Uint8Array(4));
      continue;
    }
    if (c < 0x21 || c > 0x75) continue;
    tuple = tuple * 85 + (c - 0x21);
    if (++count === 5) {
      out.write(Uint8Array.of((tuple >>> 24) & 0xff, (tuple >>> 16) & 0xff, (tuple >>> 8) & 0xff, tuple & 0xff));
      tuple = 0;
      count = 0;
    }
  }
  if (count > 1) {
    for (let k = count; k < 5; k++) tuple = tuple * 85 + 84;
    const bytes = [(tuple >>> 24) & 0xff, (tuple >>> 16) & 0xff, (tuple >>> 8) & 0xff, tuple & 0xff];
    out.write(Uint8Array.from(bytes.slice(0, count - 1)));
  }
  return { ok: true, data: out.bytes() };
}

function runLength(input: Uint8Array, cap: number): FilterResult {
  const out = new GrowableOutput(cap);
  let i = 0;
  while (i < input.length) {
    const len = input[i++]!;
    if (len === 128) break;
    if (len < 128) {
      out.write(input.subarray(i, i + len + 1));
      i += len + 1;
    } else if (i < input.length) {
      const n = 257 - len;
      const b = input[i++]!;
      for (let k = 0; k < n; k++) out.writeByte(b);
    }
  }
  return { ok: true, data: out.bytes() };
}

/** PDF LZW (MSB-first codes, 9–12 bits, EarlyChange 1 unless told 0). Own code. */
function lzw(input: Uint8Array, cap: number, earlyChange: number): FilterResult {
  const out = new GrowableOutput(cap);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const length = new Uint16Array(4096);
  for (let i = 0; i < 256; i++) { prefix[i] = -1; suffix[i] = i; length[i] = 1; }
  let next = 258;
  let width = 9;
  let prev = -1;
  let bitBuf = 0;
  let bits = 0;
  const scratch = new Uint8Array(4096);
  const emit = (code: number): number => {
    const len = length[code]!;
    let c = code;
    for (let k = len - 1; k >= 0; k--) { scratch[k] = suffix[c]!; c = prefix[c]!; }
    out.write(scratch.subarray(0, len));
    return scratch[0]!;
  };
  for (let i = 0; i < input.length; i++) {
    bitBuf = ((bitBuf << 8) | input[i]!) & 0xffffff;
    bits += 8;
    while (bits >= width) {
      const code = (bitBuf >>> (bits - width)) & ((1 << width) - 1);
      bits -= width;
      if (code === 256) { next = 258; width = 9; prev = -1; continue; }
      if (code === 257) return { ok: true, data: out.bytes() };
      let first: number;
      if (code < next && (code < 256 || length[code]! > 0)) {
        first = emit(code);
        if (prev >= 0 && next < 4096) { prefix[next] = prev; suffix[next] = first; length[next] = length[prev]! + 1; next++; }
      } else if (code === next && prev >= 0) {
        // KwKwK case: the new entry is prev + first byte of prev.
        const p0 = emit(prev);
        out.writeByte(p0);
        if (next < 4096) { prefix[next] = prev; suffix[next] = p0; length[next] = length[prev]! + 1; next++; }
      } else return { ok: true, data: out.bytes(), partial: true };
      prev = code;
      if (next + earlyChange >= 1 << width && width < 12) width++;
    }
  }
  return { ok: true, data: out.bytes(), partial: true };
}

/** PNG (10–15) and TIFF (2) predictors from /DecodeParms; other values pass data through. */
export function unpredict(data: Uint8Array, predictor: number, colors: number, bpc: number, columns: number): Uint8Array {
  if (predictor < 10) return data;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen <= 0 || rowLen > 1 << 24) return data;
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)]!;
    const src = r * (rowLen + 1) + 1;
    const dst = r * rowLen;
    for (let x = 0; x < rowLen; x++) {
      const raw = data[src + x]!;
      const left = x >= bpp ? out[dst + x - bpp]! : 0;
      const up = r > 0 ? out[dst - rowLen + x]! : 0;
      const ul = r > 0 && x >= bpp ? out[dst - rowLen + x - bpp]! : 0;
      let v = raw;
      if (type === 1) v = raw + left;
      else if (type === 2) v = raw + up;
      else if (type === 3) v = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - ul;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - ul);
        v = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul);
      }
      out[dst + x] = v & 0xff;
    }
  }
  return out;
}

export interface FilterSpec {
  name: string;
  predictor?: number;
  colors?: number;
  bpc?: number;
  columns?: number;
  earlyChange?: number;
}

/** Image codecs: their output is pixels, not content we scan. The encoded bytes are scanned as they are. */
const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'JBIG2Decode', 'CCITTFaxDecode', 'CCF']);

export function applyFilter(f: FilterSpec, input: Uint8Array, cap: number): FilterResult {
  try {
    let r: FilterResult;
    switch (f.name) {
      case 'FlateDecode': case 'Fl': r = flate(input, cap); break;
      case 'ASCIIHexDecode': case 'AHx': r = asciiHex(input, cap); break;
      case 'ASCII85Decode': case 'A85': r = ascii85(input, cap); break;
      case 'RunLengthDecode': case 'RL': r = runLength(input, cap); break;
      case 'LZWDecode': case 'LZW': r = lzw(input, cap, f.earlyChange ?? 1); break;
      case 'Crypt': return { ok: true, data: input };
      default:
        if (IMAGE_FILTERS.has(f.name)) return { ok: true, data: input };
        return { ok: false, reason: 'unsupported', note: `filter ${f.name.slice(0, 40)} not supported` };
    }
    if (r.ok && f.predictor !== undefined && f.predictor >= 10) {
      r = { ...r, data: unpredict(r.data, f.predictor, f.colors ?? 1, f.bpc ?? 8, f.columns ?? 1) };
    }
    return r;
  } catch (err) {
    if (err instanceof CapReached) return { ok: false, reason: 'too_big', note: `${f.name} output cap` };
    throw err;
  }
}

export function isImageFilter(name: string): boolean {
  return IMAGE_FILTERS.has(name);
}
