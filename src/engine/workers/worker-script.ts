import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from a module next to this one. Sources are TypeScript run through tsx:
 * a `.ts` module is started through worker-bootstrap.mjs, which registers tsx in the worker
 * thread first (Node 20 does not carry the parent's --import loader into workers).
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  return new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { ...options, argv: [url.href] });
}
