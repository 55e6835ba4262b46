import type { ScanLimits } from '../../core/limits.js';
import type { ScanNode } from '../../core/verdict.js';
import type { EngineSnapshot } from '../contracts.js';

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
}

/** A new engine for the worker, with a new, empty clean cache of this capacity (0: none). */
export interface EngineMessage {
  type: 'engine';
  snapshot: EngineSnapshot;
  cleanCacheEntries: number;
}

export type WorkerReply =
  | { type: 'result'; id: number; root: ScanNode; bytesScanned: number; version: string; /** Objects answered from the clean cache. */ cacheHits: number }
  | { type: 'error'; id: number; code: 'IO' | 'SCAN_FAILED' | 'ENGINE_UNAVAILABLE'; message: string }
  | { type: 'engine-ready'; version: string };
