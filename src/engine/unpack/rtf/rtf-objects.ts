import { GrowableOutput, CapReached } from '../common/growable-output.js';

/** A hex-encoded blob found in RTF (`\objdata`, `\datastore`), decoded. */
export interface RtfBlob {
  kind: 'objdata' | 'datastore';
  data: Uint8Array;
  capped: boolean;
}

/** Longest control-word name and parameter read (RTF spec: 32 letters, 10 digits); longer runs are text. */
const MAX_WORD = 32;
const MAX_PARAM = 10;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** Index just past the group opening at `p` (or the end of input when it never closes). */
function skipGroup(b: Uint8Array, p: number): number {
  let depth = 0;
  for (let i = p; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c) { i++; continue; }
    if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) return i + 1;
  }
  return b.length;
}

/**
 * Decodes the hex data of the group that starts at `p` (just after the control word) until
 * that group closes. Control words and nested groups inserted to break signatures are
 * skipped; `\binN` takes N raw bytes. Odd nibbles are dropped like Word does.
 */
function decodeHexGroup(b: Uint8Array, p: number, depth0: number, cap: number): { data: Uint8Array; end: number; capped: boolean } {
  const out = new GrowableOutput(cap);
  let depth = depth0;
  let hi = -1;
  try {
    while (p < b.length) {
      const c = b[p]!;
      if (c === 0x7b && b[p + 1] === 0x5c && b[p + 2] === 0x2a) {
        // `{\*\dest ...}` is an ignorable destination: its content is not objdata.
        p = skipGroup(b, p);
        continue;
      }
      if (c === 0x7b) { depth++; p++; continue; }
      if (c === 0x7d) { depth--; p++; if (depth < depth0) break; continue; }
      if (c === 0x5c) {
        let q = p + 1;
        let word = '';
        while (q < b.length && word.length < MAX_WORD && ((b[q]! | 0x20) >= 0x61 && (b[q]! | 0x20) <= 0x7a)) word += String.fromCharCode(b[q++]!);
        let param = '';
        if (b[q] === 0x2d) { param = '-'; q++; }
        while (q < b.length && param.length < MAX_PARAM && b[q]! >= 0x30 && b[q]! <= 0x39) param += String.fromCharCode(b[q++]!);
        if (b[q] === 0x20) q++;
        if (word === '') q = Math.max(q, p + 2);
        if (word === 'bin') {
          const n = Math.max(0, Number(param) || 0);
          const take = b.subarray(q, Math.min(b.length, q + n));
          out.write(take);
          q += take.length;
        }
        p = q;
        continue;
      }
      const v = hexValue(c);
      p++;
      if (v < 0) continue;
      if (hi < 0) hi = v;
      else { out.writeByte((hi << 4) | v); hi = -1; }
    }
  } catch (err) {
    if (err instanceof CapReached) return { data: out.bytes(), end: p, capped: true };
    throw err;
  }
  return { data: out.bytes(), end: p, capped: false };
}

/** Every `\objdata` and `\datastore` blob, at most `max` of them. Linear in the input. */
export function findRtfBlobs(b: Uint8Array, cap: number, max: number): RtfBlob[] {
  const text = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  const out: RtfBlob[] = [];
  const re = /\\(objdata|datastore)(?![a-zA-Z])/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < max) {
    // Depth of the enclosing group: the blob ends when that group closes.
    const r = decodeHexGroup(b, m.index + m[0].length, 1, cap);
    out.push({ kind: m[1] as RtfBlob['kind'], data: r.data, capped: r.capped });
    re.lastIndex = Math.max(re.lastIndex, r.end);
  }
  return out;
}
