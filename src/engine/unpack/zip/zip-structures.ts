import iconv from 'iconv-lite';
import { indexOf, slice, u16le, u32le, u64le } from '../common/byte-reader.js';

/** One member as the central directory (or, in fallback, a local header) describes it. */
export interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
  /** True when the name came from a central directory record. */
  fromCentral: boolean;
  /** AES (WinZip AE-x) extra field present: the real method is inside it. */
  aes: boolean;
}

export interface LocalHeader {
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
  /** Offset of the first data byte. */
  dataOffset: number;
  name: string;
  aes: boolean;
}

export const SIG_LOCAL = [0x50, 0x4b, 0x03, 0x04] as const;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
/** EOCD is 22 bytes plus a comment of at most 65,535: search no further back than that. */
const EOCD_SEARCH = 22 + 0xffff;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Flag bit 11 says UTF-8; without it, names that are valid UTF-8 are read as UTF-8 (what Info-ZIP and 7-Zip write on Unix), else CP437. */
function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (utf8) return Buffer.from(raw).toString('utf8');
  try {
    return UTF8.decode(raw);
  } catch {
    return iconv.decode(Buffer.from(raw), 'cp437');
  }
}

interface Extra {
  zip64: { usize?: number; csize?: number; offset?: number };
  aes: boolean;
  unicodePath?: string;
}

/** Parses the extra field; zip64 values are only present for fields that are 0xFFFFFFFF. */
function parseExtra(b: Uint8Array, need: { usize: boolean; csize: boolean; offset: boolean }): Extra {
  const out: Extra = { zip64: {}, aes: false };
  let p = 0;
  while (p + 4 <= b.length) {
    const id = u16le(b, p)!;
    const size = u16le(b, p + 2)!;
    const body = slice(b, p + 4, size);
    if (id === 0x0001) {
      let q = 0;
      if (need.usize) { out.zip64.usize = u64le(body, q); q += 8; }
      if (need.csize) { out.zip64.csize = u64le(body, q); q += 8; }
      if (need.offset) out.zip64.offset = u64le(body, q);
    } else if (id === 0x9901) {
      out.aes = true;
    } else if (id === 0x7075 && body.length > 5) {
      out.unicodePath = Buffer.from(body.subarray(5)).toString('utf8');
    }
    p += 4 + size;
  }
  return out;
}

export interface CentralDirectory {
  entries: ZipEntry[];
  /** Declared entry count (may exceed what was readable). */
  declared: number;
  /** True when records ended early or a signature was wrong. */
  damaged: boolean;
  /** Offset of the directory start (members' data must end before it). */
  offset: number;
}

function findEocd(b: Uint8Array): number {
  const stop = Math.max(0, b.length - EOCD_SEARCH);
  for (let i = b.length - 22; i >= stop; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) return i;
  }
  return -1;
}

/**
 * Reads the central directory. Returns undefined when no end record is found; entries stop
 * at `maxEntries` (the caller's object budget) so a forged count cannot make us loop long.
 */
export function readCentralDirectory(b: Uint8Array, maxEntries: number): CentralDirectory | undefined {
  const eocd = findEocd(b);
  if (eocd < 0) return undefined;
  let count = u16le(b, eocd + 10)!;
  let size = u32le(b, eocd + 12)!;
  let offset = u32le(b, eocd + 16)!;
  const loc = eocd - 20;
  if (loc >= 0 && u32le(b, loc) === SIG_ZIP64_LOCATOR) {
    const z64 = u64le(b, loc + 8)!;
    if (u32le(b, z64) === SIG_ZIP64_EOCD) {
      count = u64le(b, z64 + 32) ?? count;
      size = u64le(b, z64 + 40) ?? size;
      offset = u64le(b, z64 + 48) ?? offset;
    }
  }
  // Self-extractors and prepended data shift everything: trust the directory's position relative to EOCD.
  let shift = 0;
  if (u32le(b, offset) !== SIG_CENTRAL && size <= eocd && u32le(b, eocd - size) === SIG_CENTRAL) {
    shift = eocd - size - offset;
    offset = eocd - size;
  }
  const entries: ZipEntry[] = [];
  let damaged = false;
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (entries.length >= maxEntries) break;
    if (u32le(b, p) !== SIG_CENTRAL) { damaged = true; break; }
    const flags = u16le(b, p + 8)!;
    const method = u16le(b, p + 10)!;
    const crc32 = u32le(b, p + 16)!;
    let csize = u32le(b, p + 20)!;
    let usize = u32le(b, p + 24)!;
    const nameLen = u16le(b, p + 28)!;
    const extraLen = u16le(b, p + 30)!;
    const commentLen = u16le(b, p + 32)!;
    let localOffset = u32le(b, p + 42);
    if (localOffset === undefined || p + 46 + nameLen + extraLen > b.length) { damaged = true; break; }
    const extra = parseExtra(slice(b, p + 46 + nameLen, extraLen), {
      usize: usize === 0xffffffff,
      csize: csize === 0xffffffff,
      offset: localOffset === 0xffffffff,
    });
    if (extra.zip64.usize !== undefined) usize = extra.zip64.usize;
    if (extra.zip64.csize !== undefined) csize = extra.zip64.csize;
    if (extra.zip64.offset !== undefined) localOffset = extra.zip64.offset;
    const name = extra.unicodePath ?? decodeName(slice(b, p + 46, nameLen), (flags & 0x800) !== 0);
    entries.push({ name, flags, method, crc32, compressedSize: csize, uncompressedSize: usize, localOffset: localOffset + shift, fromCentral: true, aes: extra.aes });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (entries.length < count && entries.length < maxEntries) damaged = true;
  return { entries, declared: count, damaged, offset };
}

export function readLocalHeader(b: Uint8Array, offset: number): LocalHeader | undefined {
  if (u32le(b, offset) !== 0x04034b50) return undefined;
  const flags = u16le(b, offset + 6);
  const method = u16le(b, offset + 8);
  let csize = u32le(b, offset + 18);
  let usize = u32le(b, offset + 22);
  const nameLength = u16le(b, offset + 26);
  const extraLength = u16le(b, offset + 28);
  if (flags === undefined || method === undefined || csize === undefined || usize === undefined || nameLength === undefined || extraLength === undefined) return undefined;
  const extra = parseExtra(slice(b, offset + 30 + nameLength, extraLength), { usize: usize === 0xffffffff, csize: csize === 0xffffffff, offset: false });
  if (extra.zip64.usize !== undefined) usize = extra.zip64.usize;
  if (extra.zip64.csize !== undefined) csize = extra.zip64.csize;
  const name = extra.unicodePath ?? decodeName(slice(b, offset + 30, nameLength), (flags & 0x800) !== 0);
  return { flags, method, compressedSize: csize, uncompressedSize: usize, nameLength, extraLength, dataOffset: offset + 30 + nameLength + extraLength, name, aes: extra.aes };
}

/** Offsets of every local-header signature from `from`, at most `max` of them. */
export function scanLocalHeaders(b: Uint8Array, max: number, from = 0): number[] {
  const out: number[] = [];
  for (let i = indexOf(b, SIG_LOCAL, from); i >= 0 && out.length < max; i = indexOf(b, SIG_LOCAL, i + 4)) out.push(i);
  return out;
}

/** Finds a data descriptor after stored data of unknown size (`PK\7\8` + crc + sizes). */
export function findDataDescriptor(b: Uint8Array, from: number): { dataEnd: number; next: number } | undefined {
  for (let i = indexOf(b, [0x50, 0x4b, 0x07, 0x08], from); i >= 0; i = indexOf(b, [0x50, 0x4b, 0x07, 0x08], i + 1)) {
    const csize = u32le(b, i + 8);
    if (csize === i - from) return { dataEnd: i, next: i + 16 };
  }
  return undefined;
}
