import type { HashKind, HashLookup, TransferableHashes } from '../contracts.js';

/**
 * Hash signatures packed in typed arrays: per hash kind, three columns sorted by
 * (size, digest) — sizes (Uint32), digests (fixed-width bytes) and name indexes — plus one
 * shared name table. Memory ≈ (8 + digest length) bytes per signature + names, no JS object
 * per signature; every column lives in a SharedArrayBuffer so worker threads share one copy.
 */
export const DIGEST_LENGTH: Readonly<Record<HashKind, number>> = { md5: 16, sha1: 20, sha256: 32 };
const KINDS: readonly HashKind[] = ['md5', 'sha1', 'sha256'];
/** Size value meaning "any size" (`*` in the database; files ≥ 4 GiB are never hashed). */
export const WILDCARD_SIZE = 0xffffffff;

class GrowableBytes {
  buf = new Uint8Array(1024);
  length = 0;
  push(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + bytes.length));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    // Signatures push 16–64 byte pieces: a plain loop beats TypedArray.set's call overhead there.
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < bytes.length; i++) buf[at++] = bytes[i]!;
    this.length = at;
  }
}

class GrowableU32 {
  buf = new Uint32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = value;
  }
}

/** Accumulates hash signatures while databases load; `build()` sorts and packs them. */
export class HashStoreBuilder {
  private readonly digests = new Map<HashKind, GrowableBytes>();
  private readonly sizes = new Map<HashKind, GrowableU32>();
  private readonly nameIdx = new Map<HashKind, GrowableU32>();
  private readonly nameBytes = new GrowableBytes();
  private readonly nameOffsets = new GrowableU32();
  private readonly encoder = new TextEncoder();

  constructor() {
    for (const kind of KINDS) {
      this.digests.set(kind, new GrowableBytes());
      this.sizes.set(kind, new GrowableU32());
      this.nameIdx.set(kind, new GrowableU32());
    }
    this.nameOffsets.push(0);
  }

  get count(): number {
    let n = 0;
    for (const s of this.sizes.values()) n += s.length;
    return n;
  }

  /** Adds one signature; `size` = WILDCARD_SIZE for `*`. The digest length decides md5/sha1/sha256. */
  add(digest: Uint8Array, size: number, name: string): void {
    this.addBytes(digest, size, this.encoder.encode(name));
  }

  /** Same as add() with the name as UTF-8 bytes (plus an optional suffix): no string per signature while loading. */
  addBytes(digest: Uint8Array, size: number, name: Uint8Array, suffix?: Uint8Array): void {
    const kind = kindForLength(digest.length);
    if (!kind) throw new RangeError(`digest of ${digest.length} bytes is not MD5, SHA1 or SHA256`);
    this.digests.get(kind)!.push(digest);
    this.sizes.get(kind)!.push(size);
    this.nameIdx.get(kind)!.push(this.nameOffsets.length - 1);
    this.nameBytes.push(name);
    if (suffix) this.nameBytes.push(suffix);
    this.nameOffsets.push(this.nameBytes.length);
  }

  build(): TransferableHashes {
    const buffers: SharedArrayBuffer[] = [];
    const kinds: Record<string, { count: number; wildcard: boolean; sizes: number; digests: number; names: number }> = {};
    for (const kind of KINDS) {
      const len = DIGEST_LENGTH[kind];
      const sizes = this.sizes.get(kind)!;
      const digests = this.digests.get(kind)!;
      const names = this.nameIdx.get(kind)!;
      const n = sizes.length;
      const sz = sizes.buf;
      const dg = digests.buf;
      const order = sortBySizeThenDigest(sz, dg, n, len);
      const sizeCol = new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)));
      const digestCol = new Uint8Array(new SharedArrayBuffer(Math.max(1, n * len)));
      const nameCol = new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)));
      let wildcard = false;
      for (let i = 0; i < n; i++) {
        const src = order[i]!;
        sizeCol[i] = sz[src]!;
        if (sz[src] === WILDCARD_SIZE) wildcard = true;
        digestCol.set(dg.subarray(src * len, src * len + len), i * len);
        nameCol[i] = names.buf[src]!;
      }
      kinds[kind] = { count: n, wildcard, sizes: buffers.length, digests: buffers.length + 1, names: buffers.length + 2 };
      buffers.push(sizeCol.buffer as SharedArrayBuffer, digestCol.buffer as SharedArrayBuffer, nameCol.buffer as SharedArrayBuffer);
    }
    const nameBytes = new Uint8Array(new SharedArrayBuffer(Math.max(1, this.nameBytes.length)));
    nameBytes.set(this.nameBytes.buf.subarray(0, this.nameBytes.length));
    const nameOffsets = new Uint32Array(new SharedArrayBuffer(this.nameOffsets.length * 4));
    nameOffsets.set(this.nameOffsets.buf.subarray(0, this.nameOffsets.length));
    const meta = { kinds, nameBytes: buffers.length, nameOffsets: buffers.length + 1, nameCount: this.nameOffsets.length - 1 };
    buffers.push(nameBytes.buffer as SharedArrayBuffer, nameOffsets.buffer as SharedArrayBuffer);
    return { meta, buffers };
  }
}

/**
 * Permutation sorting entries by (size, digest). Sizes sort natively through BigUint64 keys
 * (size << 32 | index); only runs of equal size — typically short — use a comparator.
 */
function sortBySizeThenDigest(sizes: Uint32Array, digests: Uint8Array, n: number, len: number): Uint32Array {
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (BigInt(sizes[i]!) << 32n) | BigInt(i);
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = Number(keys[i]! & 0xffffffffn);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sizes[order[end]!] === sizes[order[start]!]) end++;
    if (end - start > 1) {
      const run = Array.from(order.subarray(start, end));
      run.sort((a, b) => compareDigest(digests, a * len, digests, b * len, len));
      order.set(run, start);
    }
    start = end;
  }
  return order;
}

export function kindForLength(length: number): HashKind | undefined {
  return length === 16 ? 'md5' : length === 20 ? 'sha1' : length === 32 ? 'sha256' : undefined;
}

function compareDigest(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

interface KindTable {
  count: number;
  wildcard: boolean;
  sizes: Uint32Array;
  digests: Uint8Array;
  names: Uint32Array;
  len: number;
}

/** Rebuilds a lookup over a TransferableHashes without copying (works in any worker). */
export function hashLookupFrom(t: TransferableHashes): HashLookup {
  const meta = t.meta as {
    kinds: Record<HashKind, { count: number; wildcard: boolean; sizes: number; digests: number; names: number }>;
    nameBytes: number;
    nameOffsets: number;
  };
  const tables = new Map<HashKind, KindTable>();
  let total = 0;
  for (const kind of KINDS) {
    const k = meta.kinds[kind];
    tables.set(kind, {
      count: k.count,
      wildcard: k.wildcard,
      sizes: new Uint32Array(t.buffers[k.sizes]!),
      digests: new Uint8Array(t.buffers[k.digests]!),
      names: new Uint32Array(t.buffers[k.names]!),
      len: DIGEST_LENGTH[kind],
    });
    total += k.count;
  }
  const nameBytes = Buffer.from(t.buffers[meta.nameBytes]!);
  const nameOffsets = new Uint32Array(t.buffers[meta.nameOffsets]!);
  const nameAt = (id: number): string => nameBytes.toString('utf8', nameOffsets[id]!, nameOffsets[id + 1]!);

  /** First index whose size is ≥ size. */
  const lowerBound = (tab: KindTable, size: number): number => {
    let lo = 0;
    let hi = tab.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tab.sizes[mid]! < size) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const find = (tab: KindTable, digest: Uint8Array, size: number): string | undefined => {
    let lo = lowerBound(tab, size);
    let hi = lo;
    while (hi < tab.count && tab.sizes[hi] === size) hi++;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareDigest(tab.digests, mid * tab.len, digest, 0, tab.len);
      if (c === 0) return nameAt(tab.names[mid]!);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  };

  return {
    count: total,
    wantsSize(kind, size) {
      const tab = tables.get(kind)!;
      if (tab.count === 0) return false;
      if (tab.wildcard) return true;
      const i = lowerBound(tab, size);
      return i < tab.count && tab.sizes[i] === size;
    },
    lookup(kind, digest, size) {
      const tab = tables.get(kind)!;
      if (tab.count === 0 || digest.length !== tab.len) return undefined;
      return find(tab, digest, size) ?? (tab.wildcard ? find(tab, digest, WILDCARD_SIZE) : undefined);
    },
  };
}
