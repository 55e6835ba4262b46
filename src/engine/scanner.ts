import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { MoatError, type ErrorCode } from '../core/errors.js';
import { DEFAULT_LIMITS, mergeLimits, type ScanLimits } from '../core/limits.js';
import type { Logger } from '../core/logger.js';
import { verdictOf, type ScanInput, type ScanNode, type ScanOptions, type ScanReport, type Scanner, type ScannerStats } from '../core/verdict.js';
import type { EngineSnapshot } from './contracts.js';
import type { EngineLoadReport } from './engine-snapshot.js';
import { WorkerPool } from './workers/worker-pool.js';
import { startWorker } from './workers/worker-script.js';
import type { BuildRequest } from './workers/build-request.js';
import type { ScanTask } from './workers/worker-messages.js';

export interface ScannerOptions {
  snapshot: EngineSnapshot;
  /** Worker threads; 0 or undefined = one per CPU core. */
  workers?: number;
  limits?: Partial<ScanLimits>;
  /** `[heuristics]` switches that are on. */
  heuristics?: ReadonlySet<string>;
  logger?: Logger;
  /** Extra time after `maxScanTimeMs` before a stuck worker is killed (tests shorten it). */
  hardTimeoutGraceMs?: number;
  /** Objects each worker remembers as clean by SHA-256 (see CleanCache); 0 turns the cache off. Default 16384. */
  cleanCacheEntries?: number;
}

/** The engine's Scanner, plus the hot swap the daemon uses on SIGHUP. */
export interface EngineScanner extends Scanner {
  /** Atomically switches to a new database: later scans use it, running scans finish on the old one. */
  reload(snapshot: EngineSnapshot): void;
  readonly signatureCount: number;
}

/** Objects remembered as clean per worker unless configured (~7 MB of keys per worker). */
export const DEFAULT_CLEAN_CACHE_ENTRIES = 16_384;

/** A worker is killed this long after the scan's own time limit: the soft limit gets a chance to report first. */
const HARD_TIMEOUT_GRACE_MS = 5_000;

/** Loads and compiles databases in a build worker (the caller's event loop stays free). */
export function buildSnapshot(request: BuildRequest): Promise<{ snapshot: EngineSnapshot; report: EngineLoadReport }> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(new URL('./workers/build-worker.ts', import.meta.url), { workerData: request });
    worker.once('message', (msg: { ok: true; snapshot: EngineSnapshot; report: EngineLoadReport } | { ok: false; code: ErrorCode; message: string }) => {
      void worker.terminate();
      if (msg.ok) resolve({ snapshot: msg.snapshot, report: msg.report });
      else reject(new MoatError(msg.code, msg.message));
    });
    worker.once('error', (err) => reject(new MoatError('ENGINE_UNAVAILABLE', `database build failed: ${err.message}`)));
    worker.once('exit', (code) => {
      if (code !== 0) reject(new MoatError('ENGINE_UNAVAILABLE', `database build worker exited with code ${code}`));
    });
  });
}

function collectDetections(root: ScanNode): string[] {
  const signatures: string[] = [];
  const heuristics: string[] = [];
  const stack = [root];
  while (stack.length) {
    const node = stack.shift()!;
    for (const d of node.detections) {
      const list = d.kind === 'signature' ? signatures : heuristics;
      if (!list.includes(d.name)) list.push(d.name);
    }
    stack.push(...node.children);
  }
  return [...signatures, ...heuristics];
}

async function streamToBytes(stream: AsyncIterable<Uint8Array>, max: number): Promise<{ data: Uint8Array; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let truncated = false;
  for await (const chunk of stream) {
    if (total + chunk.length > max) {
      truncated = true;
      if (total < max) chunks.push(chunk.subarray(0, max - total));
      total = max;
      continue; // drain the rest so the writer is not blocked
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  return { data: Buffer.concat(chunks, total), truncated };
}

/**
 * A private copy of the bytes that can be transferred to a worker. Never the caller's own
 * buffer: transferring detaches it, and callers (agents) still need their message afterwards.
 */
function transferable(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

/**
 * The engine: scans run in a worker pool over one shared database snapshot. Files are read by the
 * worker itself; a buffer or stream is copied once into memory that is then transferred. Failures that prevent a verdict reject with a temporary MoatError.
 */
export function createScanner(options: ScannerOptions): EngineScanner {
  const size = options.workers && options.workers > 0 ? options.workers : availableParallelism();
  const limits = mergeLimits(DEFAULT_LIMITS, options.limits);
  const heuristics = [...(options.heuristics ?? [])];
  const pool = new WorkerPool(size, options.snapshot, { logger: options.logger, cleanCacheEntries: options.cleanCacheEntries ?? DEFAULT_CLEAN_CACHE_ENTRIES });
  let snapshot = options.snapshot;
  let nextId = 1;
  const counters = { scans: 0, bytes: 0, detections: 0, errors: 0, cacheHits: 0 };

  const scan = async (input: ScanInput, scanOptions: ScanOptions = {}): Promise<ScanReport> => {
    const started = performance.now();
    const effective = mergeLimits(limits, scanOptions.limits);
    const task: ScanTask = { type: 'scan', id: nextId++, input: { kind: 'file', path: '' }, name: input.name, limits: effective, heuristics, allMatch: scanOptions.allMatch ?? false, isMail: scanOptions.isMail ?? false, objectHashes: scanOptions.objectHashes ?? false };
    const transfer: ArrayBuffer[] = [];
    let truncated = false;
    try {
      if (input.kind === 'file') {
        task.input = { kind: 'file', path: input.path };
        task.name ??= input.path;
        const st = await stat(input.path);
        if (st.size > effective.maxScanBytes) {
          // Never read more than the scan budget: report the object as too big instead.
          return tooBigReport(input.name ?? input.path, st.size, effective, snapshot.version, started);
        }
      } else {
        const bytes = input.kind === 'buffer' ? { data: input.data, truncated: false } : await streamToBytes(input.stream, effective.maxScanBytes);
        truncated = bytes.truncated;
        const buffer = transferable(bytes.data);
        task.input = { kind: 'bytes', data: buffer };
        transfer.push(buffer);
      }
      const reply = await pool.run(task, transfer, effective.maxScanTimeMs + (options.hardTimeoutGraceMs ?? HARD_TIMEOUT_GRACE_MS), scanOptions.signal);
      const root = reply.root;
      if (truncated && root.state === 'clean') {
        root.state = 'too_big';
        (root.notes ??= []).push(`input longer than max_scan_bytes ${effective.maxScanBytes}; only the first part was scanned`);
      }
      const detections = collectDetections(root);
      counters.scans++;
      counters.bytes += reply.bytesScanned;
      counters.cacheHits += reply.cacheHits;
      if (detections.length) counters.detections++;
      return { verdict: verdictOf(root), detections, root, dbVersion: reply.version, durationMs: Math.round(performance.now() - started), bytesScanned: reply.bytesScanned };
    } catch (err) {
      counters.errors++;
      if (err instanceof MoatError) throw err;
      throw new MoatError('SCAN_FAILED', (err as Error).message, {}, { cause: err });
    }
  };

  return {
    scan,
    get dbVersion() {
      return snapshot.version;
    },
    get signatureCount() {
      return snapshot.signatureCount;
    },
    stats(): ScannerStats {
      return { ...counters, busyWorkers: pool.busy, workers: pool.size, queued: pool.queued, signatures: snapshot.signatureCount };
    },
    reload(next) {
      snapshot = next;
      pool.setSnapshot(next);
      options.logger?.info({ version: next.version, signatures: next.signatureCount }, 'signature database switched');
    },
    close: () => pool.close(),
  };
}

function tooBigReport(name: string, size: number, limits: ScanLimits, version: string, started: number): ScanReport {
  const root: ScanNode = {
    id: 0,
    parentId: null,
    depth: 0,
    type: 'CL_TYPE_ANY',
    name,
    size,
    sha256: '',
    state: 'too_big',
    detections: [],
    notes: [`file is ${size} bytes, above max_scan_bytes ${limits.maxScanBytes}; not read`],
    children: [],
  };
  return { verdict: 'not_scanned', detections: [], root, dbVersion: version, durationMs: Math.round(performance.now() - started), bytesScanned: 0 };
}

/** Convenience for composition roots: build the snapshot in a worker, then start the pool. */
export async function loadEngine(options: Omit<ScannerOptions, 'snapshot'> & { databases: string[]; strict?: boolean; pua?: boolean }): Promise<{ scanner: EngineScanner; report: EngineLoadReport }> {
  const { snapshot, report } = await buildSnapshot({ paths: options.databases, strict: options.strict ?? false, pua: options.pua ?? false, nowSeconds: Math.floor(Date.now() / 1000) });
  return { scanner: createScanner({ ...options, snapshot }), report };
}
