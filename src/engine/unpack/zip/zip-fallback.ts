import { crc32 } from 'node:zlib';
import { newSevenZip } from '../sevenzip/seven-zip-module.js';
import type { DecodeResult } from '../common/capped-inflate.js';

/** Methods 7-Zip decodes that node:zlib and our own code do not: shrink, reduce, implode, LZMA, zstd, xz, PPMd. */
export const FALLBACK_METHODS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 14, 93, 95, 98]);

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/**
 * Decodes one member with 7-Zip (wasm) by wrapping its compressed bytes in a fresh
 * single-member zip with a safe generated name: no path from the archive reaches 7-Zip,
 * and 7-Zip's decoder stops at the declared size, which the caller checked against the cap.
 */
export async function decodeWithSevenZip(method: number, flags: number, compressed: Uint8Array, declaredSize: number, crc: number, cap: number): Promise<DecodeResult> {
  if (declaredSize > cap) return { ok: false, reason: 'too_big', note: 'declared size above cap' };
  const name = Buffer.from('member');
  // Bit 1/2 carry implode/LZMA options; bit 3 (data descriptor) is cleared since sizes are given.
  const f = flags & 0x0006;
  const lh = Buffer.concat([u32(0x04034b50), u16(63), u16(f), u16(method), u16(0), u16(0x21), u32(crc), u32(compressed.length), u32(declaredSize), u16(name.length), u16(0), name]);
  const cd = Buffer.concat([
    u32(0x02014b50), u16(63), u16(63), u16(f), u16(method), u16(0), u16(0x21), u32(crc), u32(compressed.length), u32(declaredSize),
    u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(0), name,
  ]);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(1), u16(1), u32(cd.length), u32(lh.length + compressed.length), u16(0)]);
  const lines: string[] = [];
  const saved = process.exitCode;
  try {
    const sz = await newSevenZip(lines);
    sz.FS.mkdir('/in');
    sz.FS.mkdir('/out');
    sz.FS.writeFile('/in/a.zip', Buffer.concat([lh, Buffer.from(compressed), cd, eocd]));
    sz.callMain(['x', '-bd', '-y', '-tzip', '-pMoat-no-password-\u0001', '-o/out', '/in/a.zip']);
    let data: Uint8Array;
    try {
      data = sz.FS.readFile('/out/member');
    } catch {
      return { ok: false, reason: 'corrupted', note: `7-Zip could not decode method ${method}: ${lines.filter((l) => /error/iu.test(l)).pop() ?? 'no output'}` };
    }
    if (data.length > cap) return { ok: false, reason: 'too_big', note: 'output cap reached' };
    const truncated = data.length < declaredSize || crc32(data) !== crc;
    return truncated ? { ok: true, data, truncated: true } : { ok: true, data };
  } catch (err) {
    return { ok: false, reason: 'corrupted', note: `7-Zip failed: ${(err as Error).message ?? String(err)}` };
  } finally {
    process.exitCode = saved;
  }
}
