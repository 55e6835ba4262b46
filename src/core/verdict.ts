import type { ScanLimits } from './limits.js';

/** States of one scanned object (DESIGN.md §5). */
export const OBJECT_STATES = [
  'clean',
  'infected',
  'suspicious',
  'encrypted',
  'corrupted',
  'unsupported',
  'too_big',
  'depth_exceeded',
  'scan_error',
] as const;
export type ObjectState = (typeof OBJECT_STATES)[number];

/** States meaning "we could not look inside": policy treats them as not scanned. */
export const NOT_SCANNED_STATES: ReadonlySet<ObjectState> = new Set([
  'encrypted',
  'corrupted',
  'unsupported',
  'too_big',
  'depth_exceeded',
  'scan_error',
]);

export interface Detection {
  /** ClamAV-style name, e.g. `Eicar-Signature`, `Heuristics.Encrypted.Zip`. */
  name: string;
  kind: 'signature' | 'heuristic';
}

/** One node of the object tree: the message, a MIME part, an archive member, an embedded file. */
export interface ScanNode {
  /** Sequential within one scan, root = 0. */
  id: number;
  parentId: number | null;
  depth: number;
  /** Content-detected type, ClamAV naming (`CL_TYPE_ZIP`), never derived from the name. */
  type: string;
  name?: string;
  size: number;
  /** SHA-256 hex of the object's bytes when the scan asked for object hashes (empty otherwise, or when the object could not be read). */
  sha256: string;
  state: ObjectState;
  detections: Detection[];
  /** For MIME parts: the part path in the message tree (`1.2.1`), used by cleaning. */
  mimePath?: string;
  /** Human-readable reasons for a non-clean state (limit reached, parse error...). */
  notes?: string[];
  children: ScanNode[];
}

/** Whole-input result: `not_scanned` when nothing was infected but something could not be inspected. */
export type AvVerdict = 'clean' | 'infected' | 'not_scanned';

export interface ScanReport {
  verdict: AvVerdict;
  /** Distinct detection names over the whole tree (signatures first, then heuristics). */
  detections: string[];
  root: ScanNode;
  /** Signature database version string (e.g. `daily:27500,main:62,moat:1`). */
  dbVersion: string;
  durationMs: number;
  bytesScanned: number;
}

export type ScanInput =
  | { kind: 'buffer'; data: Uint8Array; name?: string }
  | { kind: 'file'; path: string; name?: string }
  | { kind: 'stream'; stream: AsyncIterable<Uint8Array>; name?: string };

export interface ScanOptions {
  signal?: AbortSignal;
  limits?: Partial<ScanLimits>;
  /** Keep scanning after the first detection and report every match (clamd ALLMATCHSCAN). */
  allMatch?: boolean;
  /** Hint that the input is a mail message (agents know; `moat scan` detects it). */
  isMail?: boolean;
  /** Compute every object's SHA-256 for the report (`moat scan --json`); off by default, it costs a pass over every object. */
  objectHashes?: boolean;
}

/**
 * The scanning engine seen from outside: pipeline, agents, `moat scan`, clamd socket.
 * Implementations run CPU work in worker threads; calls are safe to make concurrently.
 */
export interface Scanner {
  scan(input: ScanInput, options?: ScanOptions): Promise<ScanReport>;
  /** Version string of the database currently in use. */
  readonly dbVersion: string;
  /** Counters for STATS / metrics. */
  stats(): ScannerStats;
  close(): Promise<void>;
}

export interface ScannerStats {
  scans: number;
  bytes: number;
  detections: number;
  errors: number;
  /** Objects found in the workers' clean caches (not matched again). */
  cacheHits: number;
  busyWorkers: number;
  workers: number;
  queued: number;
  signatures: number;
}

/** Combines node states into the message verdict. */
export function verdictOf(root: ScanNode): AvVerdict {
  let notScanned = false;
  const stack: ScanNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.state === 'infected' || node.state === 'suspicious' || node.detections.length > 0) return 'infected';
    if (NOT_SCANNED_STATES.has(node.state)) notScanned = true;
    stack.push(...node.children);
  }
  return notScanned ? 'not_scanned' : 'clean';
}
