import { flevelApplies } from './flevel.js';
import { WILDCARD_SIZE } from './hash-store.js';

/** Result of parsing one hash line: a signature, a line to skip for its level, or an error message. */
export type HashLineResult =
  | { ok: true; digest: Uint8Array; size: number; nameStart: number; nameEnd: number }
  | { ok: false; skip: 'flevel' }
  | { ok: false; error: string };

/** Minimum level for `*` sizes (ClamAV requires `:73` on such lines). */
const WILDCARD_MIN_FLEVEL = 73;
/** File sizes are stored as Uint32; 4 GiB is far above every scan limit. */
const MAX_SIZE = WILDCARD_SIZE - 1;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseHex(line: Uint8Array, start: number, end: number): Uint8Array | undefined {
  const n = end - start;
  if (n !== 32 && n !== 40 && n !== 64) return undefined;
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(line[start + 2 * i]!);
    const lo = hexValue(line[start + 2 * i + 1]!);
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Parses one `.hdb/.hsb/.fp/.sfp` (`hash:size:name`) or `.mdb/.msb` (`size:hash:name`) line,
 * working on bytes so millions of lines load without splitting strings.
 */
export function parseHashLine(line: Uint8Array, sizeFirst: boolean): HashLineResult {
  // Field boundaries without allocating: at most 5 fields.
  const ends = [0, 0, 0, 0, 0];
  let fields = 0;
  for (let i = 0; i <= line.length && fields <= 5; i++) {
    if (i === line.length || line[i] === 58 /* : */) {
      if (fields < 5) ends[fields] = i;
      fields++;
    }
  }
  if (fields < 3 || fields > 5) return { ok: false, error: `expected 3 to 5 colon-separated fields, found ${fields}` };
  const hashField = sizeFirst ? 1 : 0;
  const sizeField = sizeFirst ? 0 : 1;
  const nameStart = ends[1]! + 1;
  const nameEnd = ends[2]!;
  if (nameEnd === nameStart) return { ok: false, error: 'empty signature name' };
  const min = fields > 3 ? latin1(line, ends[2]! + 1, ends[3]!) : undefined;
  const max = fields > 4 ? latin1(line, ends[3]! + 1, ends[4]!) : undefined;
  const applies = min === undefined ? true : flevelApplies(min, max);
  if (applies === undefined) return { ok: false, error: `functionality level must be a number, got "${min}${max !== undefined ? `:${max}` : ''}"` };
  const hashStart = hashField === 0 ? 0 : ends[0]! + 1;
  const sizeStart = sizeField === 0 ? 0 : ends[0]! + 1;
  const digest = parseHex(line, hashStart, ends[hashField]!);
  if (!digest) return { ok: false, error: `hash must be 32, 40 or 64 hex digits, got "${latin1(line, hashStart, ends[hashField]!)}"` };
  const size = parseSize(line, sizeStart, ends[sizeField]!);
  if (size === WILDCARD_SIZE) {
    if (min === undefined || Number(min) < WILDCARD_MIN_FLEVEL) return { ok: false, error: `size "*" requires a minimum functionality level of ${WILDCARD_MIN_FLEVEL} (":${WILDCARD_MIN_FLEVEL}")` };
  } else if (size < 0) {
    return { ok: false, error: `size must be a number or "*", got "${latin1(line, sizeStart, ends[sizeField]!)}"` };
  }
  if (!applies) return { ok: false, skip: 'flevel' };
  return { ok: true, digest, size, nameStart, nameEnd };
}

function latin1(line: Uint8Array, start: number, end: number): string {
  return Buffer.from(line.buffer, line.byteOffset + start, end - start).toString('latin1');
}

/** Decimal size, WILDCARD_SIZE for `*`, -1 when invalid or too large. */
function parseSize(line: Uint8Array, start: number, end: number): number {
  if (end - start === 1 && line[start] === 42 /* * */) return WILDCARD_SIZE;
  if (end === start || end - start > 10) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = line[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v > MAX_SIZE ? -1 : v;
}

/** The signature name of a parsed line, as text (for ignore lists and messages). */
export function hashLineName(line: Uint8Array, r: { nameStart: number; nameEnd: number }): string {
  return Buffer.from(line.buffer, line.byteOffset + r.nameStart, r.nameEnd - r.nameStart).toString('utf8');
}
