import { createHash } from 'node:crypto';

/**
 * Objects already found clean — by this engine snapshot, with these scan options, in this place
 * of the object tree — remembered by content hash, so the same attachment (a signature logo, a
 * newsletter sent as one message per recipient, a file scanned again) is not matched twice.
 * clamd keeps the same kind of cache (of MD5s; `DisableCache` turns it off); this one keys by
 * SHA-256 so that a crafted hash collision cannot make a malicious object look like a cached
 * clean one. The least recently used entries go beyond `capacity`. One cache per worker and
 * engine snapshot: a new database starts an empty cache.
 */
export class CleanCache {
  private readonly entries = new Map<string, true>();
  private hitCount = 0;

  constructor(private readonly capacity: number) {}

  /** True when `key` was added and not evicted since; a hit makes the entry the most recent. */
  has(key: string): boolean {
    if (!this.entries.delete(key)) return false;
    this.entries.set(key, true);
    this.hitCount++;
    return true;
  }

  add(key: string): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, true);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }

  get hits(): number {
    return this.hitCount;
  }
}

/**
 * The part of a cache key that depends on the options of one whole scan (limits, heuristics,
 * all-match, mail): results found under other options are never reused.
 */
export function scanContextKey(options: { limits: object; heuristics: ReadonlySet<string>; allMatch: boolean; isMail?: boolean }): string {
  const text = JSON.stringify([options.limits, [...options.heuristics].sort(), options.allMatch, options.isMail ?? false]);
  return createHash('sha256').update(text).digest('base64').slice(0, 16);
}

/** Key of one object: scan options, depth, the container types above it, its own type, its bytes. */
export function objectKey(context: string, depth: number, containers: readonly string[], type: string, data: Uint8Array): string {
  const digest = createHash('sha256').update(data).digest('base64');
  return `${context}|${depth}|${containers.join('>')}|${type}|${data.length}|${digest}`;
}
