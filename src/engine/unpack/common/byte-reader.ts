/** Bounds-checked little/big-endian reads: out-of-range reads return undefined, never garbage. */
export function u8(b: Uint8Array, o: number): number | undefined {
  return o >= 0 && o < b.length ? b[o] : undefined;
}
export function u16le(b: Uint8Array, o: number): number | undefined {
  return o >= 0 && o + 2 <= b.length ? b[o]! | (b[o + 1]! << 8) : undefined;
}
export function u32le(b: Uint8Array, o: number): number | undefined {
  return o >= 0 && o + 4 <= b.length ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0 : undefined;
}
/** 64-bit little-endian as a JS number; values past 2^53 become Infinity (treated as out of range by callers). */
export function u64le(b: Uint8Array, o: number): number | undefined {
  const lo = u32le(b, o);
  const hi = u32le(b, o + 4);
  if (lo === undefined || hi === undefined) return undefined;
  if (hi >= 0x200000) return Infinity;
  return hi * 0x100000000 + lo;
}
export function u16be(b: Uint8Array, o: number): number | undefined {
  return o >= 0 && o + 2 <= b.length ? (b[o]! << 8) | b[o + 1]! : undefined;
}
export function u32be(b: Uint8Array, o: number): number | undefined {
  return o >= 0 && o + 4 <= b.length ? ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0 : undefined;
}
/** A view (no copy) of `len` bytes at `o`, clamped to the buffer. */
export function slice(b: Uint8Array, o: number, len: number): Uint8Array {
  const start = Math.min(Math.max(0, o), b.length);
  const end = Math.min(b.length, start + Math.max(0, len));
  return b.subarray(start, end);
}
export function indexOf(b: Uint8Array, needle: readonly number[], from = 0): number {
  const first = needle[0]!;
  for (let i = b.indexOf(first, from); i >= 0 && i + needle.length <= b.length; i = b.indexOf(first, i + 1)) {
    let ok = true;
    for (let k = 1; k < needle.length; k++) if (b[i + k] !== needle[k]) { ok = false; break; }
    if (ok) return i;
  }
  return -1;
}
export function ascii(b: Uint8Array, o: number, len: number): string {
  return Buffer.from(slice(b, o, len)).toString('latin1');
}
