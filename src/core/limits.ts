/**
 * Budgets for untrusted input. Every parser and unpacker receives these; hitting one
 * yields an object state (too_big, depth_exceeded, ...) — never an exception, a hang or
 * unbounded memory. Each default says why it is what it is.
 */
export interface ScanLimits {
  /** Total bytes inspected across all objects of one scan. */
  maxScanBytes: number;
  /** Largest single object (file, member, part) that is inspected. */
  maxObjectBytes: number;
  /** Deepest nesting of containers (message → zip → zip → ...). */
  maxDepth: number;
  /** Most objects one scan may produce. */
  maxObjects: number;
  /** Largest ratio of decompressed to compressed size for one member before it is a bomb. */
  maxCompressionRatio: number;
  /** Wall-clock limit for one scan, milliseconds. */
  maxScanTimeMs: number;
  /** Largest MIME header block of one part. */
  maxHeaderBytes: number;
  /** Most MIME parts in one message. */
  maxMimeParts: number;
}

export const DEFAULT_LIMITS: Readonly<ScanLimits> = Object.freeze({
  // ClamAV's MaxScanSize is 400 MB; mail rarely exceeds 50 MB decoded, 400 MB keeps parity.
  maxScanBytes: 400 * 1024 * 1024,
  // ClamAV's MaxFileSize is 100 MB: larger single objects are reported too_big, not skipped silently.
  maxObjectBytes: 100 * 1024 * 1024,
  // ClamAV's MaxRecursion is 17; legitimate mail nests 3–6 levels, attacks go deeper.
  maxDepth: 17,
  // ClamAV's MaxFiles is 10,000: enough for a real source archive, bounds zip-of-many bombs.
  maxObjects: 10_000,
  // Text and logs compress ~10–20×, zero-filled bombs ~1000×; 250× leaves headroom for sparse data.
  maxCompressionRatio: 250,
  // ClamAV's MaxScanTime is 120 s; an MTA's content-filter timeout is typically 300 s.
  maxScanTimeMs: 120_000,
  // Postfix's header_size_limit is 100 KiB; 1 MiB tolerates odd but legitimate mail.
  maxHeaderBytes: 1024 * 1024,
  // Real mail has tens of parts; 10,000 bounds MIME bombs and matches maxObjects.
  maxMimeParts: 10_000,
});

export function mergeLimits(base: Readonly<ScanLimits>, override: Partial<ScanLimits> | undefined): ScanLimits {
  return { ...base, ...(override ?? {}) };
}
