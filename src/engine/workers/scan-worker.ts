/**
 * A scanning worker thread: holds the current engine (opened over shared buffers) and scans
 * one input at a time. Messages are handled in order, so an engine swap takes effect for the
 * next scan while the current one finishes on the engine it started with.
 */
import { parentPort } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { openEngine, type OpenEngine } from '../engine-snapshot.js';
import { CleanCache } from '../scan-tree/clean-cache.js';
import { scanTree } from '../scan-tree/scan-tree.js';
import { unpackersByType } from '../unpack/registry-map.js';
import type { EngineMessage, ScanTask, WorkerReply } from './worker-messages.js';

const port = parentPort!;
const unpackers = unpackersByType();
/**
 * The worker's one piece of state (this file is the worker's entry point, its composition root):
 * the current engine and the clean cache that belongs to it, always replaced together.
 */
const current: { engine?: OpenEngine; cleanCache?: CleanCache } = {};

async function runScan(task: ScanTask): Promise<WorkerReply> {
  // Both taken before any await: a scan that outlives an engine swap keeps the old engine and its
  // own cache, so nothing it finds clean lands in the new engine's cache.
  const { engine, cleanCache } = current;
  if (!engine) return { type: 'error', id: task.id, code: 'ENGINE_UNAVAILABLE', message: 'no signature database loaded in this worker' };
  try {
    const data = task.input.kind === 'file' ? await readFile(task.input.path) : new Uint8Array(task.input.data);
    const controller = new AbortController();
    const hitsBefore = cleanCache?.hits ?? 0;
    const result = await scanTree(data, {
      engine,
      unpackers,
      limits: task.limits,
      heuristics: new Set(task.heuristics),
      allMatch: task.allMatch,
      signal: controller.signal,
      name: task.name,
      isMail: task.isMail,
      objectHashes: task.objectHashes,
      cleanCache,
    });
    return { type: 'result', id: task.id, root: result.root, bytesScanned: result.bytesScanned, version: engine.version, cacheHits: (cleanCache?.hits ?? 0) - hitsBefore };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { type: 'error', id: task.id, code: e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' ? 'IO' : 'SCAN_FAILED', message: e.message };
  }
}

port.on('message', (msg: EngineMessage | ScanTask) => {
  if (msg.type === 'engine') {
    // Scans already running hold their own reference to the previous engine (and its cache);
    // what the old database found clean says nothing about the new one.
    const engine = openEngine(msg.snapshot);
    current.engine = engine;
    current.cleanCache = msg.cleanCacheEntries > 0 ? new CleanCache(msg.cleanCacheEntries) : undefined;
    port.postMessage({ type: 'engine-ready', version: engine.version } satisfies WorkerReply);
    return;
  }
  void runScan(msg).then((reply) => port.postMessage(reply));
});
