/** Minimal PE32 and ELF64 files for offset tests (entry point and sections placed on purpose). */
import type { Rng } from './sig-generator.js';

/** A small ELF64 with one PT_LOAD segment and three sections; the entry point is at file offset `ep`. */
export function elfFile(size: number, ep: number, sections: Array<[number, number]>): Uint8Array {
  const shoff = size;
  const total = size + 64 * (sections.length + 1);
  const b = new Uint8Array(total);
  const dv = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 0x3e, true); // x86-64
  dv.setUint32(20, 1, true);
  const base = 0x400000;
  dv.setBigUint64(24, BigInt(base + ep), true);
  dv.setBigUint64(32, 64n, true); // e_phoff
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, 56, true);
  dv.setUint16(56, 1, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, sections.length + 1, true);
  dv.setUint16(62, 0, true);
  const ph = 64;
  dv.setUint32(ph, 1, true); // PT_LOAD
  dv.setUint32(ph + 4, 5, true);
  dv.setBigUint64(ph + 8, 0n, true);
  dv.setBigUint64(ph + 16, BigInt(base), true);
  dv.setBigUint64(ph + 24, BigInt(base), true);
  dv.setBigUint64(ph + 32, BigInt(size), true);
  dv.setBigUint64(ph + 40, BigInt(size), true);
  sections.forEach(([off, len], i) => {
    const sh = shoff + 64 * (i + 1);
    dv.setUint32(sh + 4, 1, true); // SHT_PROGBITS
    dv.setBigUint64(sh + 8, 6n, true);
    dv.setBigUint64(sh + 16, BigInt(base + off), true);
    dv.setBigUint64(sh + 24, BigInt(off), true);
    dv.setBigUint64(sh + 32, BigInt(len), true);
  });
  return b;
}

/** A minimal PE32 (MZ, PE header, optional header, two sections at raw 0x200 and 0x600); EP RVA 0x1000 + epOff lands in section 0. */
export function peFile(r: Rng, epOff: number): Uint8Array {
  const b = new Uint8Array(0x800);
  for (let i = 0x200; i < b.length; i++) b[i] = r.int(0, 255);
  const dv = new DataView(b.buffer);
  b.set([0x4d, 0x5a]);
  dv.setUint32(0x3c, 0x80, true);
  b.set([0x50, 0x45, 0, 0], 0x80);
  dv.setUint16(0x84, 0x14c, true); // i386
  dv.setUint16(0x86, 2, true);
  dv.setUint16(0x94, 0xe0, true);
  dv.setUint16(0x96, 0x0102, true); // executable, 32-bit
  const opt = 0x98;
  dv.setUint16(opt, 0x10b, true);
  dv.setUint32(opt + 16, 0x1000 + epOff, true);
  dv.setUint32(opt + 28, 0x400000, true); // ImageBase
  dv.setUint32(opt + 32, 0x1000, true);
  dv.setUint32(opt + 36, 0x200, true);
  dv.setUint16(opt + 40, 4, true); // OS version
  dv.setUint16(opt + 48, 4, true); // subsystem version
  dv.setUint32(opt + 56, 0x3000, true); // SizeOfImage
  dv.setUint32(opt + 60, 0x200, true); // SizeOfHeaders
  dv.setUint16(opt + 68, 2, true); // GUI
  dv.setUint32(opt + 92, 16, true); // NumberOfRvaAndSizes
  const sec = opt + 0xe0;
  const put = (i: number, name: string, va: number, raw: number, chr: number): void => {
    const o = sec + i * 40;
    const size = raw === 0x200 ? 0x400 : 0x200;
    b.set(Buffer.from(name), o);
    dv.setUint32(o + 8, size, true);
    dv.setUint32(o + 12, va, true);
    dv.setUint32(o + 16, size, true);
    dv.setUint32(o + 20, raw, true);
    dv.setUint32(o + 36, chr, true);
  };
  put(0, '.text', 0x1000, 0x200, 0x60000020);
  put(1, '.data', 0x2000, 0x600, 0xc0000040);
  return b;
}

