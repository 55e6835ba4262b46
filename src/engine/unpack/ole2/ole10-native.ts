import { u16le, u32le } from '../common/byte-reader.js';

/** An embedded file carried by an OLE1 "Package" object (`\x01Ole10Native` stream or RTF objdata). */
export interface NativePackage {
  name: string;
  data: Uint8Array;
  truncated: boolean;
}

/** Longest NUL-terminated string read from a package header (names and paths are short). */
const MAX_STRING = 4096;

function cstring(b: Uint8Array, p: number): [string, number] | undefined {
  const limit = Math.min(b.length, p + MAX_STRING);
  for (let i = p; i < limit; i++) {
    if (b[i] === 0) return [Buffer.from(b.subarray(p, i)).toString('latin1'), i + 1];
  }
  return undefined;
}

/**
 * `Ole10Native`: u32 size, u16 type, label\0, source path\0, u32, u32, temp path\0,
 * u32 data size, data. Anything that does not fit this layout returns undefined (the raw
 * stream is still scanned by the caller).
 */
export function parseOle10Native(b: Uint8Array): NativePackage | undefined {
  let p = 4;
  if (u16le(b, p) === undefined) return undefined;
  p += 2;
  const label = cstring(b, p);
  if (!label) return undefined;
  const source = cstring(b, label[1]);
  if (!source) return undefined;
  p = source[1] + 8;
  const temp = cstring(b, p);
  if (!temp) return undefined;
  p = temp[1];
  const size = u32le(b, p);
  if (size === undefined) return undefined;
  p += 4;
  const data = b.subarray(p, Math.min(b.length, p + size));
  const name = label[0] || source[0].split(/[\\/]/u).pop() || temp[0].split(/[\\/]/u).pop() || 'package';
  return { name, data, truncated: data.length < size };
}
