/**
 * Reads the entry point (as a file offset) and section table of PE, ELF and Mach-O files,
 * for `EP+n`/`Sx+n`/`SEx`/`SL+n` offsets and logical-signature conditions. Hostile headers
 * are expected: every read is bounds-checked, counts are capped, nothing throws — a header
 * that does not make sense yields `undefined` (no executable facts), never an exception.
 */
import type { ExecutableInfo } from '../contracts.js';

/** ClamAV refuses PE files with more sections than this (pe.c: 96). */
const MAX_PE_SECTIONS = 96;
/** ClamAV's ELF limits: program headers (128) and section headers kept (256). */
const MAX_ELF_PHNUM = 128;
const MAX_ELF_SHNUM = 256;
/** Mach-O load commands / sections read at most: real binaries have far fewer. */
const MAX_MACHO_CMDS = 1024;
const MAX_MACHO_SECTIONS = 1024;

type Section = ExecutableInfo['sections'][number];

class Reader {
  constructor(
    readonly b: Uint8Array,
    readonly le: boolean,
  ) {}
  ok(off: number, n: number): boolean {
    return Number.isInteger(off) && off >= 0 && off + n <= this.b.length;
  }
  u16(o: number): number {
    const b = this.b;
    return this.le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
  }
  u32(o: number): number {
    const b = this.b;
    return this.le
      ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
      : ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  /** 64-bit read; values beyond 2^53 lose precision, harmless for bounds checks. */
  u64(o: number): number {
    const lo = this.u32(this.le ? o : o + 4);
    const hi = this.u32(this.le ? o + 4 : o);
    return hi * 0x100000000 + lo;
  }
}

export function parseExecutable(bytes: Uint8Array): ExecutableInfo | undefined {
  try {
    if (bytes.length >= 2 && bytes[0] === 0x4d && bytes[1] === 0x5a) return parsePe(bytes);
    if (bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) return parseElf(bytes);
    return parseMachO(bytes);
  } catch {
    return undefined; // defensive: a bug here must never take a scan down
  }
}

function alignDown(v: number, a: number): number {
  return a ? Math.floor(v / a) * a : v;
}

function alignUp(v: number, a: number): number {
  return a ? Math.ceil(v / a) * a : v;
}

function parsePe(b: Uint8Array): ExecutableInfo | undefined {
  const r = new Reader(b, true);
  if (!r.ok(0x3c, 4)) return undefined;
  const pe = r.u32(0x3c);
  if (!r.ok(pe, 24) || r.u32(pe) !== 0x00004550) return undefined;
  const nsec = r.u16(pe + 6);
  const optSize = r.u16(pe + 20);
  const opt = pe + 24;
  if (nsec === 0 || nsec > MAX_PE_SECTIONS || !r.ok(opt, Math.max(optSize, 64))) return undefined;
  const magic = r.u16(opt);
  if (magic !== 0x10b && magic !== 0x20b) return undefined;
  const epRva = r.u32(opt + 16);
  const salignRaw = r.u32(opt + 32);
  let falign = r.u32(opt + 36);
  const headerSize = r.u32(opt + 60);
  const salign = salignRaw && salignRaw % 0x1000 === 0 ? salignRaw : 0x1000;
  const secTable = opt + optSize;
  if (!r.ok(secTable, nsec * 40)) return undefined;
  if (falign !== 0x200) {
    for (let i = 0; i < nsec; i++) {
      const o = secTable + i * 40;
      const raw = r.u32(o + 20);
      if (falign && r.u32(o + 16) && raw % falign && raw % 0x200 === 0) falign = 0x200;
    }
  }
  const sections: Section[] = [];
  for (let i = 0; i < nsec; i++) {
    const o = secTable + i * 40;
    sections.push({
      virtualAddress: alignDown(r.u32(o + 12), salign),
      virtualSize: alignUp(r.u32(o + 8), salign),
      rawOffset: alignDown(r.u32(o + 20), falign),
      rawSize: alignUp(r.u32(o + 16), falign),
    });
  }
  let entryPoint: number | undefined;
  if (epRva < headerSize) entryPoint = epRva < b.length ? epRva : undefined;
  else {
    for (let i = sections.length - 1; i >= 0; i--) {
      const s = sections[i]!;
      if (s.rawSize && s.virtualAddress <= epRva && s.rawSize > epRva - s.virtualAddress) {
        entryPoint = epRva - s.virtualAddress + s.rawOffset;
        break;
      }
    }
  }
  if (entryPoint === undefined) return undefined;
  return { format: 'pe', entryPoint, sections };
}

function parseElf(b: Uint8Array): ExecutableInfo | undefined {
  const cls = b[4];
  const data = b[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return undefined;
  const r = new Reader(b, data === 1);
  const is64 = cls === 2;
  if (!r.ok(0, is64 ? 64 : 52)) return undefined;
  const entry = is64 ? r.u64(24) : r.u32(24);
  const phoff = is64 ? r.u64(32) : r.u32(28);
  const shoff = is64 ? r.u64(40) : r.u32(32);
  const phentsize = r.u16(is64 ? 54 : 42);
  const phnum = r.u16(is64 ? 56 : 44);
  const shentsize = r.u16(is64 ? 58 : 46);
  const shnum = r.u16(is64 ? 60 : 48);
  if (phnum > MAX_ELF_PHNUM) return undefined;
  let entryPoint = 0;
  if (phnum && entry) {
    if (phentsize !== (is64 ? 56 : 32) || !r.ok(phoff, phnum * phentsize)) return undefined;
    let found = false;
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const off = is64 ? r.u64(o + 8) : r.u32(o + 4);
      const vaddr = is64 ? r.u64(o + 16) : r.u32(o + 8);
      const memsz = is64 ? r.u64(o + 40) : r.u32(o + 20);
      if (vaddr <= entry && vaddr + memsz > entry) {
        entryPoint = entry - vaddr + off;
        found = true;
        break;
      }
    }
    if (!found) return undefined;
  }
  const sections: Section[] = [];
  if (shnum && shnum <= MAX_ELF_SHNUM && shentsize === (is64 ? 64 : 40) && r.ok(shoff, shnum * shentsize)) {
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize;
      sections.push({
        virtualAddress: is64 ? r.u64(o + 16) : r.u32(o + 12),
        rawOffset: is64 ? r.u64(o + 24) : r.u32(o + 16),
        rawSize: is64 ? r.u64(o + 32) : r.u32(o + 20),
        virtualSize: is64 ? r.u64(o + 32) : r.u32(o + 20),
      });
    }
  }
  return { format: 'elf', entryPoint, sections };
}

function parseMachO(b: Uint8Array): ExecutableInfo | undefined {
  if (b.length < 28) return undefined;
  const m = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  let le: boolean;
  let is64: boolean;
  if (m === 0xcefaedfe) [le, is64] = [true, false];
  else if (m === 0xcffaedfe) [le, is64] = [true, true];
  else if (m === 0xfeedface) [le, is64] = [false, false];
  else if (m === 0xfeedfacf) [le, is64] = [false, true];
  else return undefined;
  const r = new Reader(b, le);
  const ncmds = Math.min(r.u32(16), MAX_MACHO_CMDS);
  let at = is64 ? 32 : 28;
  const sections: Section[] = [];
  const segments: Array<{ vmaddr: number; vmsize: number; fileoff: number }> = [];
  let epVaddr: number | undefined;
  let epOffset: number | undefined;
  for (let i = 0; i < ncmds; i++) {
    if (!r.ok(at, 8)) break;
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8 || !r.ok(at, size)) break;
    if (cmd === 0x1 || cmd === 0x19) {
      const seg64 = cmd === 0x19;
      const hdr = seg64 ? 72 : 56;
      if (size < hdr) break;
      segments.push({
        vmaddr: seg64 ? r.u64(at + 24) : r.u32(at + 24),
        vmsize: seg64 ? r.u64(at + 32) : r.u32(at + 28),
        fileoff: seg64 ? r.u64(at + 40) : r.u32(at + 32),
      });
      const nsects = r.u32(at + (seg64 ? 64 : 48));
      const ssz = seg64 ? 80 : 68;
      for (let s = 0; s < nsects && sections.length < MAX_MACHO_SECTIONS; s++) {
        const o = at + hdr + s * ssz;
        if (o + ssz > at + size) break;
        const addr = seg64 ? r.u64(o + 32) : r.u32(o + 32);
        const sz = seg64 ? r.u64(o + 40) : r.u32(o + 36);
        const off = r.u32(o + (seg64 ? 48 : 40));
        sections.push({ virtualAddress: addr, virtualSize: sz, rawOffset: off, rawSize: sz });
      }
    } else if (cmd === 0x80000028 && size >= 24) {
      epOffset = r.u64(at + 8); // LC_MAIN entryoff is already a file offset
    } else if ((cmd === 0x5 || cmd === 0x4) && size >= 16) {
      const flavor = r.u32(at + 8);
      if (flavor === 1 && size >= 16 + 64) epVaddr = r.u32(at + 16 + 40); // i386: eip
      else if (flavor === 4 && size >= 16 + 168) epVaddr = r.u64(at + 16 + 128); // x86_64: rip
    }
    at += size;
  }
  if (epOffset === undefined && epVaddr !== undefined) {
    for (const s of segments) {
      if (s.vmaddr <= epVaddr && epVaddr < s.vmaddr + s.vmsize) {
        epOffset = epVaddr - s.vmaddr + s.fileoff;
        break;
      }
    }
  }
  if (epOffset === undefined) return undefined;
  return { format: 'macho', entryPoint: epOffset, sections };
}
