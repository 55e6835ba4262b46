/**
 * Test double for worker-pool.test.ts: a worker that accepts engines like the real one, dies on
 * a scan whose name is "crash", and answers "ok" scans with a clean single-node tree.
 */
import { parentPort } from 'node:worker_threads';
import type { ScanTask, WorkerReply } from './worker-messages.js';

const port = parentPort!;
port.on('message', (msg: { type: 'engine'; snapshot: { version: string } } | ScanTask) => {
  if (msg.type === 'engine') {
    port.postMessage({ type: 'engine-ready', version: msg.snapshot.version } satisfies WorkerReply);
    return;
  }
  if (msg.name === 'crash') process.exit(7);
  const root = { id: 0, parentId: null, depth: 0, type: 'CL_TYPE_ANY', size: 0, sha256: '', state: 'clean' as const, detections: [], children: [] };
  port.postMessage({ type: 'result', id: msg.id, root, bytesScanned: 0, version: 'fixture', cacheHits: 0 } satisfies WorkerReply);
});
