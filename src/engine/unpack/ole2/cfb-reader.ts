import { u16le, u32le } from '../common/byte-reader.js';

/**
 * Compound File Binary (MS-CFB) reader, our own: every sector index, chain and directory
 * link is bounds-checked, chains are loop-checked, and nothing is read beyond the buffer.
 * (ClamAV's OLE2 parser had over-reads and a double free: CVE-2024-20290, CVE-2025-20128,
 * CVE-2022-20803.) Streams are returned as copies assembled from their sector chains.
 */
export const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const;

const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const NOSTREAM = 0xffffffff;
/** Directory entries beyond this are ignored: real documents have tens to a few thousand. */
const MAX_DIR_ENTRIES = 100_000;

export interface CfbEntry {
  /** Path from the root, `/`-separated (`Macros/VBA/dir`). */
  path: string;
  name: string;
  type: 'storage' | 'stream';
  size: number;
  start: number;
  /** Index into the directory; children of a storage refer to their parent by this. */
  id: number;
  parent: number;
}

export interface CfbFile {
  entries: CfbEntry[];
  /** Problems found while reading (broken chains, bad links); the readable part is still used. */
  problems: string[];
  read(entry: CfbEntry, cap: number): { data: Uint8Array; truncated: boolean } | 'too_big';
}

export function isCfb(b: Uint8Array): boolean {
  return b.length >= 512 && CFB_MAGIC.every((v, i) => b[i] === v);
}

export function openCfb(b: Uint8Array): CfbFile | string {
  if (!isCfb(b)) return 'not a compound file';
  const sectorShift = u16le(b, 0x1e)!;
  const miniShift = u16le(b, 0x20)!;
  if (sectorShift !== 9 && sectorShift !== 12) return `bad sector shift ${sectorShift}`;
  if (miniShift !== 6) return `bad mini sector shift ${miniShift}`;
  const sectorSize = 1 << sectorShift;
  const miniSize = 1 << miniShift;
  const sectorCount = Math.max(0, Math.floor((b.length - sectorSize) / sectorSize) + (b.length % sectorSize ? 1 : 0));
  const problems: string[] = [];
  const sectorOffset = (s: number): number => (s + 1) * sectorSize;
  const sectorValid = (s: number): boolean => s < sectorCount && sectorOffset(s) < b.length;
  const perSector = sectorSize / 4;

  // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) {
    const s = u32le(b, 0x4c + i * 4)!;
    if (s !== FREESECT && s !== ENDOFCHAIN) fatSectors.push(s);
  }
  let difat = u32le(b, 0x44)!;
  const seenDifat = new Set<number>();
  while (difat !== ENDOFCHAIN && difat !== FREESECT && sectorValid(difat) && !seenDifat.has(difat)) {
    seenDifat.add(difat);
    const o = sectorOffset(difat);
    for (let i = 0; i < perSector - 1; i++) {
      const s = u32le(b, o + i * 4);
      if (s !== undefined && s !== FREESECT && s !== ENDOFCHAIN) fatSectors.push(s);
    }
    difat = u32le(b, o + (perSector - 1) * 4) ?? ENDOFCHAIN;
    if (fatSectors.length > sectorCount) break;
  }
  // The FAT can never usefully have more entries than the file has sectors.
  const fat = new Uint32Array(Math.min(fatSectors.length * perSector, sectorCount + perSector)).fill(FREESECT);
  let fi = 0;
  for (const s of fatSectors) {
    if (!sectorValid(s)) { problems.push(`FAT sector ${s} outside the file`); fi += perSector; continue; }
    const o = sectorOffset(s);
    for (let i = 0; i < perSector && fi < fat.length; i++, fi++) fat[fi] = u32le(b, o + i * 4) ?? FREESECT;
    if (fi >= fat.length) break;
  }

  /** Follows a chain with loop and length checks; `limit` bounds how many sectors are wanted. */
  const chain = (table: Uint32Array, start: number, limit: number): number[] => {
    const out: number[] = [];
    const seen = new Set<number>();
    let s = start;
    while (s !== ENDOFCHAIN && out.length < limit) {
      if (s >= table.length || seen.has(s)) {
        if (seen.has(s)) problems.push('sector chain loops');
        break;
      }
      seen.add(s);
      out.push(s);
      s = table[s]!;
    }
    return out;
  };

  const readChain = (start: number, size: number, cap: number): { data: Uint8Array; truncated: boolean } => {
    const want = Math.min(size, cap);
    const out = new Uint8Array(want);
    let filled = 0;
    for (const s of chain(fat, start, Math.ceil(want / sectorSize))) {
      if (!sectorValid(s)) break;
      const o = sectorOffset(s);
      const n = Math.min(sectorSize, want - filled, b.length - o);
      out.set(b.subarray(o, o + n), filled);
      filled += n;
      if (filled >= want) break;
    }
    return { data: out.subarray(0, filled), truncated: filled < want };
  };

  // Directory.
  const dirStart = u32le(b, 0x30)!;
  const dirSectors = chain(fat, dirStart, Math.ceil((MAX_DIR_ENTRIES * 128) / sectorSize));
  const dirBytes = readChain(dirStart, dirSectors.length * sectorSize, MAX_DIR_ENTRIES * 128).data;
  interface Raw { name: string; type: number; left: number; right: number; child: number; start: number; size: number }
  const raw: Raw[] = [];
  for (let p = 0; p + 128 <= dirBytes.length; p += 128) {
    const nameLen = Math.min(64, u16le(dirBytes, p + 0x40)!);
    const name = Buffer.from(dirBytes.subarray(p, p + Math.max(0, nameLen - 2))).toString('utf16le');
    const lo = u32le(dirBytes, p + 0x78)!;
    const hi = sectorShift === 9 ? 0 : u32le(dirBytes, p + 0x7c)!;
    raw.push({
      name, type: dirBytes[p + 0x42]!, left: u32le(dirBytes, p + 0x44)!, right: u32le(dirBytes, p + 0x48)!, child: u32le(dirBytes, p + 0x4c)!,
      start: u32le(dirBytes, p + 0x74)!, size: hi > 0 ? Infinity : lo,
    });
  }
  if (raw.length === 0 || raw[0]!.type !== 5) return 'no root directory entry';

  // Mini stream (root's chain) and mini FAT.
  const cutoff = u32le(b, 0x38)!;
  const root = raw[0]!;
  const miniStream = readChain(root.start, Math.min(root.size, b.length), b.length).data;
  const miniFatStart = u32le(b, 0x3c)!;
  const miniFatBytes = readChain(miniFatStart, Math.min(u32le(b, 0x40)! * sectorSize, b.length), b.length).data;
  const miniFat = new Uint32Array(Math.floor(miniFatBytes.length / 4));
  for (let i = 0; i < miniFat.length; i++) miniFat[i] = u32le(miniFatBytes, i * 4)!;

  const readMini = (start: number, size: number, cap: number): { data: Uint8Array; truncated: boolean } => {
    const want = Math.min(size, cap);
    const out = new Uint8Array(want);
    let filled = 0;
    for (const s of chain(miniFat, start, Math.ceil(want / miniSize))) {
      const o = s * miniSize;
      if (o >= miniStream.length) break;
      const n = Math.min(miniSize, want - filled, miniStream.length - o);
      out.set(miniStream.subarray(o, o + n), filled);
      filled += n;
      if (filled >= want) break;
    }
    return { data: out.subarray(0, filled), truncated: filled < want };
  };

  // Walk the red-black trees from the root; each entry visited once (cycles are ignored).
  const entries: CfbEntry[] = [];
  const visited = new Set<number>([0]);
  const stack: Array<{ id: number; parentPath: string; parent: number }> = [];
  if (root.child !== NOSTREAM) stack.push({ id: root.child, parentPath: '', parent: 0 });
  while (stack.length > 0) {
    const { id, parentPath, parent } = stack.pop()!;
    if (id >= raw.length || visited.has(id)) {
      if (visited.has(id)) problems.push('directory tree loops');
      continue;
    }
    visited.add(id);
    const r = raw[id]!;
    if (r.left !== NOSTREAM) stack.push({ id: r.left, parentPath, parent });
    if (r.right !== NOSTREAM) stack.push({ id: r.right, parentPath, parent });
    if (r.type !== 1 && r.type !== 2) continue;
    const path = parentPath === '' ? r.name : `${parentPath}/${r.name}`;
    entries.push({ path, name: r.name, type: r.type === 1 ? 'storage' : 'stream', size: r.size, start: r.start, id, parent });
    if (r.type === 1 && r.child !== NOSTREAM) stack.push({ id: r.child, parentPath: path, parent: id });
  }
  entries.sort((x, y) => x.id - y.id);

  return {
    entries,
    problems,
    read(entry, cap) {
      if (entry.size > cap) return 'too_big';
      return entry.size < cutoff ? readMini(entry.start, entry.size, cap) : readChain(entry.start, entry.size, cap);
    },
  };
}
