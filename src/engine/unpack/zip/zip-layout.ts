import { findDataDescriptor, readCentralDirectory, readLocalHeader, scanLocalHeaders } from './zip-structures.js';

/** A member located in the file: where its compressed bytes are and what it claims to be. */
export interface ZipMember {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  declaredSize: number;
  headerOffset: number;
  dataStart: number;
  dataEnd: number;
  encrypted: boolean;
  /** Why this member is listed unusually (not in the central directory, directory damaged...). */
  notes: string[];
  /** Local header could not be read: the member exists only as a name. */
  missingLocal?: boolean;
}

export interface ZipLayout {
  members: ZipMember[];
  /** Central-directory entries whose byte ranges overlap an earlier one (Fifield's construction). */
  overlapping: number;
  /** True when there was no usable central directory and members came from local headers. */
  fromLocalHeaders: boolean;
  /** More members exist than the object budget allows. */
  truncatedList: boolean;
}

function isEncrypted(flags: number, method: number, aes: boolean): boolean {
  return (flags & 0x1) !== 0 || (flags & 0x40) !== 0 || method === 99 || aes;
}

/**
 * Central directory first; members found only by their local headers are added (a central
 * directory / local header mismatch is an evasion vector, so both views are scanned);
 * without a usable directory, local headers are walked. Overlapping ranges are counted and
 * only the first of each overlapping group is kept.
 */
export function layoutZip(b: Uint8Array, maxMembers: number): ZipLayout {
  const cd = readCentralDirectory(b, maxMembers + 1);
  const members: ZipMember[] = [];
  if (cd !== undefined && cd.entries.length > 0) {
    for (const e of cd.entries) {
      const lh = readLocalHeader(b, e.localOffset);
      const notes = cd.damaged ? ['central directory damaged'] : [];
      if (lh === undefined) {
        members.push({
          name: e.name, flags: e.flags, method: e.method, crc32: e.crc32, declaredSize: e.uncompressedSize, headerOffset: e.localOffset,
          dataStart: e.localOffset, dataEnd: e.localOffset, encrypted: isEncrypted(e.flags, e.method, e.aes), notes: [...notes, 'local header missing'], missingLocal: true,
        });
        continue;
      }
      if (lh.name !== e.name) notes.push(`local header names "${lh.name.slice(0, 200)}"`);
      members.push({
        name: e.name, flags: e.flags, method: e.method, crc32: e.crc32, declaredSize: e.uncompressedSize, headerOffset: e.localOffset,
        dataStart: lh.dataOffset, dataEnd: Math.min(b.length, lh.dataOffset + e.compressedSize),
        encrypted: isEncrypted(e.flags, e.method, e.aes || lh.aes) || isEncrypted(lh.flags, lh.method, lh.aes), notes,
      });
    }
    const overlapping = dropOverlaps(members);
    addHiddenLocals(b, members, maxMembers + 1, cd.offset);
    return { members: members.slice(0, maxMembers), overlapping, fromLocalHeaders: false, truncatedList: members.length > maxMembers || cd.entries.length > maxMembers };
  }
  addHiddenLocals(b, members, maxMembers + 1, b.length);
  for (const m of members) m.notes = ['no central directory: found by local header'];
  return { members: members.slice(0, maxMembers), overlapping: 0, fromLocalHeaders: true, truncatedList: members.length > maxMembers };
}

function dropOverlaps(members: ZipMember[]): number {
  const located = members.filter((m) => !m.missingLocal).sort((a, b) => a.headerOffset - b.headerOffset || a.dataEnd - b.dataEnd);
  const drop = new Set<ZipMember>();
  let end = -1;
  for (const m of located) {
    if (m.headerOffset < end) drop.add(m);
    else end = Math.max(end, m.dataEnd);
  }
  if (drop.size === 0) return 0;
  const kept = members.filter((m) => !drop.has(m));
  members.length = 0;
  members.push(...kept);
  return drop.size;
}

/** Sorted, merged byte ranges with a binary-search membership test. */
class Ranges {
  private readonly list: Array<[number, number]> = [];

  add(start: number, end: number): void {
    let i = this.list.length;
    while (i > 0 && this.list[i - 1]![0] > start) i--;
    this.list.splice(i, 0, [start, end]);
  }

  contains(o: number): boolean {
    let lo = 0;
    let hi = this.list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.list[mid]![0] <= o) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // Ranges may nest (overlap bombs were dropped, but hidden members can sit inside stored data): check a few back.
    for (let k = found; k >= 0 && k > found - 8; k--) if (o < this.list[k]![1]) return true;
    return false;
  }
}

/** Adds local headers outside every known member's range (hidden from the central directory). */
function addHiddenLocals(b: Uint8Array, members: ZipMember[], max: number, limit: number): void {
  const ranges = new Ranges();
  for (const m of members) if (!m.missingLocal) ranges.add(m.headerOffset, Math.max(m.dataEnd, m.dataStart));
  let from = 0;
  while (members.length < max) {
    const [off] = scanLocalHeaders(b, 1, from);
    if (off === undefined || off >= limit) break;
    from = off + 4;
    if (ranges.contains(off)) continue;
    const lh = readLocalHeader(b, off);
    if (lh === undefined) continue;
    let dataEnd = lh.dataOffset + lh.compressedSize;
    let next = dataEnd;
    if ((lh.flags & 0x8) !== 0 && lh.compressedSize === 0) {
      // Streamed member: sizes follow the data in a descriptor; find it, else run to the next header.
      const dd = findDataDescriptor(b, lh.dataOffset);
      dataEnd = dd?.dataEnd ?? nextSignature(b, lh.dataOffset);
      next = dd?.next ?? dataEnd;
    }
    dataEnd = Math.min(dataEnd, b.length);
    members.push({
      name: lh.name, flags: lh.flags, method: lh.method, crc32: -1, declaredSize: lh.uncompressedSize, headerOffset: off,
      dataStart: lh.dataOffset, dataEnd, encrypted: isEncrypted(lh.flags, lh.method, lh.aes), notes: ['not listed in the central directory'],
    });
    ranges.add(off, Math.max(dataEnd, lh.dataOffset));
    from = Math.max(from, Math.min(next, b.length));
  }
}

function nextSignature(b: Uint8Array, from: number): number {
  const [n] = scanLocalHeaders(b, 1, from);
  const cd = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), from);
  const candidates = [n ?? b.length, cd >= 0 ? cd : b.length];
  return Math.min(...candidates);
}
