import type { Worker } from 'node:worker_threads';
import { MoatError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { EngineSnapshot } from '../contracts.js';
import { startWorker } from './worker-script.js';
import type { EngineMessage, ScanTask, WorkerReply } from './worker-messages.js';

type ResultReply = Extract<WorkerReply, { type: 'result' }>;

interface PendingTask {
  task: ScanTask;
  transfer: ArrayBuffer[];
  timeoutMs: number;
  signal?: AbortSignal;
  resolve(reply: ResultReply): void;
  reject(err: MoatError): void;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  running?: PendingTask;
  timer?: NodeJS.Timeout;
  /** Why the pool itself is terminating this worker (timeout, abort), to report the right error. */
  killReason?: MoatError;
}

/**
 * A fixed set of scanning workers. A worker that crashes, hangs past its time limit or whose
 * scan is aborted is terminated and replaced; the affected call rejects with a temporary
 * MoatError (WORKER_CRASHED, SCAN_TIMEOUT, ABORTED) — callers defer, mail is never lost.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: PendingTask[] = [];
  private snapshot: EngineSnapshot;
  private closed = false;

  private readonly logger: Logger | undefined;
  private readonly cleanCacheEntries: number;
  private readonly workerUrl: URL;

  constructor(
    size: number,
    snapshot: EngineSnapshot,
    options: {
      logger?: Logger;
      /** Capacity of each worker's clean cache, made anew with every engine (0: none). */
      cleanCacheEntries?: number;
      /** The worker's entry module; tests substitute one that crashes. */
      workerUrl?: URL;
    } = {},
  ) {
    this.snapshot = snapshot;
    this.logger = options.logger;
    this.cleanCacheEntries = options.cleanCacheEntries ?? 0;
    this.workerUrl = options.workerUrl ?? new URL('./scan-worker.ts', import.meta.url);
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  get busy(): number {
    return this.slots.filter((s) => s.running).length;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Every later scan uses the new snapshot; scans already running finish on the old one. */
  setSnapshot(snapshot: EngineSnapshot): void {
    this.snapshot = snapshot;
    for (const slot of this.slots) slot.worker.postMessage(this.engineMessage());
  }

  run(task: ScanTask, transfer: ArrayBuffer[], timeoutMs: number, signal?: AbortSignal): Promise<ResultReply> {
    if (this.closed) return Promise.reject(new MoatError('ENGINE_UNAVAILABLE', 'the scanner is closed'));
    if (signal?.aborted) return Promise.reject(new MoatError('ABORTED', 'scan aborted before it started'));
    return new Promise((resolve, reject) => {
      const pending: PendingTask = { task, transfer, timeoutMs, signal, resolve, reject };
      if (signal) {
        pending.onAbort = () => this.abort(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) this.settle(p, new MoatError('ENGINE_UNAVAILABLE', 'the scanner was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = startWorker(this.workerUrl);
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (err) => this.logger?.error({ err: err.message }, 'scanning worker failed'));
    worker.on('exit', (code) => this.onExit(slot, code));
    worker.postMessage(this.engineMessage());
    worker.unref();
    return slot;
  }

  private engineMessage(): EngineMessage {
    return { type: 'engine', snapshot: this.snapshot, cleanCacheEntries: this.cleanCacheEntries };
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.running) continue;
      const pending = this.queue.shift()!;
      slot.running = pending;
      slot.timer = setTimeout(() => {
        slot.killReason = new MoatError('SCAN_TIMEOUT', `scan exceeded ${pending.timeoutMs} ms; the worker was replaced`);
        void slot.worker.terminate();
      }, pending.timeoutMs);
      slot.timer.unref();
      // Keep the process alive while a scan is in flight; idle workers never hold it open.
      slot.worker.ref();
      slot.worker.postMessage(pending.task, pending.transfer);
    }
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === 'engine-ready') return;
    const pending = slot.running;
    if (!pending || pending.task.id !== reply.id) return;
    this.release(slot);
    if (reply.type === 'result') this.settle(pending, undefined, reply);
    else this.settle(pending, new MoatError(reply.code, reply.message));
    this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    const pending = slot.running;
    const reason = slot.killReason ?? new MoatError('WORKER_CRASHED', `scanning worker exited with code ${code}; it was replaced`);
    this.release(slot);
    if (pending) this.settle(pending, reason);
    if (this.closed || index < 0) return;
    this.logger?.warn({ code, reason: reason.code }, 'scanning worker replaced');
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private abort(pending: PendingTask): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(pending, new MoatError('ABORTED', 'scan aborted'));
      return;
    }
    const slot = this.slots.find((s) => s.running === pending);
    if (slot) {
      slot.killReason = new MoatError('ABORTED', 'scan aborted');
      void slot.worker.terminate();
    }
  }

  private release(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.running = undefined;
    slot.worker.unref();
  }

  private settle(pending: PendingTask, err?: MoatError, reply?: ResultReply): void {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    if (err) pending.reject(err);
    else pending.resolve(reply!);
  }
}
