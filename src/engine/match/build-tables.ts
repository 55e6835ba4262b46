/**
 * Packs prepared entries into the SharedArrayBuffer tables of a TransferableMatcher:
 * instruction code, byte sets, part rows, entry rows, anchor postings (3-byte keys in an
 * open-addressing hash table, 2-byte keys in a direct 64 Ki table), one 2^24-bit filter per
 * matcher root (generic, and generic + target for every target that has signatures), names.
 */
import type { TransferableMatcher } from '../contracts.js';
import {
  BITSET_WORDS,
  E_FIRST_PART,
  E_LSIG,
  E_NAME,
  E_OFF_KIND,
  E_OFF_N,
  E_OFF_SECTION,
  E_OFF_SHIFT,
  E_PARTS,
  E_SUBSIG,
  E_TARGET,
  ENTRY_STRIDE,
  F_LCH,
  F_LEFT,
  F_RCH,
  F_RIGHT,
  hashKey,
  SLOT_STRIDE,
  type LsigMeta,
  MAX_TARGET,
  type MatcherMeta,
  P_ENTRY,
  P_FLAGS,
  P_GAPMAX,
  P_GAPMIN,
  P_LCH,
  P_LCH_MAX,
  P_LCH_MIN,
  P_MAXLEN,
  P_MINLEN,
  P_NO,
  P_PC,
  P_RCH,
  P_RCH_MAX,
  P_RCH_MIN,
  PART_STRIDE,
  POSTING_STRIDE,
} from './matcher-layout.js';
import type { IndexedEntry } from './prepared-entry.js';
import type { CharAnchor } from './pattern-ast.js';
import { CodeBuilder } from './pattern-encoder.js';


function shared<T extends Int32Array | Uint32Array | Uint8Array>(src: T, n = src.length): SharedArrayBuffer {
  const bytes = n * src.BYTES_PER_ELEMENT;
  const sab = new SharedArrayBuffer(Math.max(bytes, 8));
  new Uint8Array(sab).set(new Uint8Array(src.buffer, src.byteOffset, bytes));
  return sab;
}

function charWord(c: CharAnchor): number {
  return c.v | (c.m << 8) | (c.nocase ? 0x10000 : 0);
}

/** Compile-time posting rows: part, dmin, dmax, target, check value, check mask. */
const TMP_STRIDE = 6;

function copyPosting(dst: Int32Array, at: number, src: number[], i: number): void {
  const o = i * TMP_STRIDE;
  dst[at] = src[o]!;
  dst[at + 1] = src[o + 1]!;
  dst[at + 2] = src[o + 2]!;
  dst[at + 3] = src[o + 4]!;
  dst[at + 4] = src[o + 5]!;
}

export function buildTables(entries: IndexedEntry[], names: string[], lsigs: LsigMeta[]): TransferableMatcher {
  const cb = new CodeBuilder();
  let partCount = 0;
  for (const e of entries) partCount += e.parts.length;
  const entryRows = new Int32Array(Math.max(1, entries.length) * ENTRY_STRIDE);
  const partRows = new Int32Array(Math.max(1, partCount) * PART_STRIDE);
  const post4: number[] = [];
  const post3: number[] = [];
  const post2: number[] = [];
  const keys4: number[] = [];
  const keys3: number[] = [];
  const keys2: number[] = [];
  const targetsUsed = new Set<number>();
  let maxPartLen = 0;
  let pi = 0;
  for (let ei = 0; ei < entries.length; ei++) {
    const e = entries[ei]!;
    const er = ei * ENTRY_STRIDE;
    entryRows[er + E_FIRST_PART] = pi;
    entryRows[er + E_PARTS] = e.parts.length;
    entryRows[er + E_TARGET] = e.target;
    entryRows[er + E_OFF_KIND] = e.off.kind;
    entryRows[er + E_OFF_N] = e.off.n;
    entryRows[er + E_OFF_SHIFT] = e.off.shift;
    entryRows[er + E_OFF_SECTION] = e.off.section;
    entryRows[er + E_LSIG] = e.lsig;
    entryRows[er + E_SUBSIG] = e.subsig;
    entryRows[er + E_NAME] = e.name;
    if (e.target !== 0) targetsUsed.add(e.target);
    for (let k = 0; k < e.parts.length; k++, pi++) {
      const p = e.parts[k]!;
      const pr = pi * PART_STRIDE;
      const pc = cb.encodeSeq(p.ast.elems);
      if (typeof pc === 'string') throw new Error(pc);
      partRows[pr + P_ENTRY] = ei;
      partRows[pr + P_NO] = k;
      partRows[pr + P_PC] = pc;
      partRows[pr + P_MINLEN] = p.minLen;
      partRows[pr + P_MAXLEN] = p.maxLen;
      partRows[pr + P_GAPMIN] = p.ast.gapMin;
      partRows[pr + P_GAPMAX] = p.ast.gapMax === Infinity ? -1 : p.ast.gapMax;
      let flags = 0;
      const a = p.ast;
      if (a.left) flags |= F_LEFT | (a.left.c << 1) | (a.left.neg ? 8 : 0);
      if (a.right) flags |= F_RIGHT | (a.right.c << 5) | (a.right.neg ? 128 : 0);
      if (a.leftChar) {
        flags |= F_LCH;
        partRows[pr + P_LCH] = charWord(a.leftChar);
        partRows[pr + P_LCH_MIN] = a.leftChar.min;
        partRows[pr + P_LCH_MAX] = a.leftChar.max;
      }
      if (a.rightChar) {
        flags |= F_RCH;
        partRows[pr + P_RCH] = charWord(a.rightChar);
        partRows[pr + P_RCH_MIN] = a.rightChar.min;
        partRows[pr + P_RCH_MAX] = a.rightChar.max;
      }
      partRows[pr + P_FLAGS] = flags;
      const extra = (a.leftChar ? a.leftChar.max + 1 : 0) + (a.rightChar ? a.rightChar.max + 1 : 0);
      maxPartLen = Math.max(maxPartLen, p.maxLen + extra);
      for (const key of p.anchor.keys) {
        if (p.anchor.width === 4) {
          keys4.push(key);
          post4.push(pi, p.anchor.dmin, p.anchor.dmax, e.target, p.anchor.checkValue, p.anchor.checkMask);
        } else if (p.anchor.width === 3) {
          keys3.push(key);
          post3.push(pi, p.anchor.dmin, p.anchor.dmax, e.target, p.anchor.checkValue, p.anchor.checkMask);
        } else {
          keys2.push(key);
          post2.push(pi, p.anchor.dmin, p.anchor.dmax, e.target, p.anchor.checkValue, p.anchor.checkMask);
        }
      }
    }
  }

  const h4 = buildHash(keys4, post4);
  const h3 = buildHash(keys3, post3);

  // 2-byte anchors: direct CSR table over 65536 keys.
  const start2 = new Int32Array(65537);
  for (const k of keys2) start2[k + 1]!++;
  for (let i = 0; i < 65536; i++) start2[i + 1]! += start2[i]!;
  const postings2 = new Int32Array(Math.max(1, keys2.length) * POSTING_STRIDE);
  const fill2 = new Int32Array(65536);
  for (let i = 0; i < keys2.length; i++) {
    const k = keys2[i]!;
    const at = (start2[k]! + fill2[k]!++) * POSTING_STRIDE;
    copyPosting(postings2, at, post2, i);
  }

  // Filter bitsets: group 0 = generic root; one more per target with signatures.
  const rootBitset = new Array<number>(MAX_TARGET + 1).fill(0);
  let groups = 1;
  for (const t of [...targetsUsed].sort((a, b) => a - b)) rootBitset[t] = groups++;
  const bitsets = new Uint32Array(groups * BITSET_WORDS);
  const setBit = (t: number, key24: number): void => {
    const groupsFor = t === 0 ? [...Array(groups).keys()] : [rootBitset[t]!];
    for (const g of groupsFor) bitsets[g * BITSET_WORDS + (key24 >>> 5)]! |= 1 << (key24 & 31);
  };
  for (let i = 0; i < keys4.length; i++) setBit(post4[i * TMP_STRIDE + 3]!, keys4[i]! >>> 8);
  for (let i = 0; i < keys3.length; i++) setBit(post3[i * TMP_STRIDE + 3]!, keys3[i]!);
  for (let i = 0; i < keys2.length; i++) for (let x = 0; x < 256; x++) setBit(post2[i * TMP_STRIDE + 3]!, (keys2[i]! << 8) | x);

  const enc = new TextEncoder();
  const nameChunks = names.map((n) => enc.encode(n));
  const nameOffsets = new Int32Array(names.length + 1);
  for (let i = 0; i < names.length; i++) nameOffsets[i + 1] = nameOffsets[i]! + nameChunks[i]!.length;
  const nameBytes = new Uint8Array(Math.max(1, nameOffsets[names.length]!));
  for (let i = 0; i < names.length; i++) nameBytes.set(nameChunks[i]!, nameOffsets[i]!);

  const meta: MatcherMeta = {
    version: 1,
    entryCount: entries.length,
    partCount,
    signatureCount: names.length + lsigs.length,
    hash4Capacity: h4.cap,
    hash3Capacity: h3.cap,
    has4: keys4.length > 0,
    has3: keys3.length > 0,
    has2: keys2.length > 0,
    rootBitset,
    bitsetCount: groups,
    maxPartLen,
    lsigs,
  };
  return {
    meta: meta as unknown as Record<string, unknown>,
    buffers: [
      shared(cb.code, cb.codeLen),
      shared(cb.sets, cb.setCount * 8),
      shared(partRows),
      shared(entryRows),
      shared(h4.slots),
      shared(h4.postings),
      shared(h3.slots),
      shared(h3.postings),
      shared(start2),
      shared(postings2),
      shared(bitsets),
      shared(nameBytes),
      shared(nameOffsets),
    ],
  };
}

interface HashTable {
  cap: number;
  /** Interleaved slots [key, postings start, postings count]; count 0 marks an empty slot. One cache line per probe. */
  slots: Int32Array;
  postings: Int32Array;
}

/** Open addressing (linear probing, load ≤ 1/2) keyed by int32 anchor keys; postings grouped by key. */
function buildHash(keys: number[], posts: number[]): HashTable {
  const counts = new Map<number, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  let cap = 16;
  while (cap < counts.size * 2) cap *= 2;
  const slots = new Int32Array(cap * SLOT_STRIDE);
  const slotOf = new Map<number, number>();
  let cursor = 0;
  for (const [k, n] of counts) {
    let h = hashKey(k, cap - 1);
    while (slots[h * SLOT_STRIDE + 2] !== 0) h = (h + 1) & (cap - 1);
    slots[h * SLOT_STRIDE] = k;
    slots[h * SLOT_STRIDE + 1] = cursor;
    slots[h * SLOT_STRIDE + 2] = n;
    slotOf.set(k, h);
    cursor += n;
  }
  const postings = new Int32Array(Math.max(1, keys.length) * POSTING_STRIDE);
  const fill = new Int32Array(cap);
  for (let i = 0; i < keys.length; i++) {
    const h = slotOf.get(keys[i]!)!;
    const at = (slots[h * SLOT_STRIDE + 1]! + fill[h]!++) * POSTING_STRIDE;
    copyPosting(postings, at, posts, i);
  }
  return { cap, slots, postings };
}
