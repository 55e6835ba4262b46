import type { ScanLimits } from '../../core/limits.js';
import type { ScanNode } from '../../core/verdict.js';

/** One scan request: the bytes are transferred (not copied), or the worker reads the file itself. */
export interface ScanTask {
  type: 'scan';
  id: number;
  input: { kind: 'bytes'; data: ArrayBuffer } | { kind: 'file'; path: string };
  name?: string;
  limits: ScanLimits;
  heuristics: string[];
  allMatch: boolean;
  objectHashes: boolean;
  isMail: boolean;
  /** Capacity of the worker's clean-object cache (0: no cache). */
  cleanCacheEntries: number;
}

export type WorkerReply =
  | { type: 'result'; id: number; root: ScanNode; bytesScanned: number; version: string; /** Objects answered from the clean cache. */ cacheHits: number }
  | { type: 'error'; id: number; code: 'IO' | 'SCAN_FAILED' | 'ENGINE_UNAVAILABLE'; message: string }
  | { type: 'engine-ready'; version: string };
