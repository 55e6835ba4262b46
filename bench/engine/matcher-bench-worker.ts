/** Worker side of matcher-bench: rebuilds the matcher from shared tables and scans what it is sent. */
import { parentPort } from 'node:worker_threads';
import type { TransferableMatcher } from '../../src/engine/contracts.js';
import { loadMatcher } from '../../src/engine/match/load-matcher.js';

parentPort!.once('message', (msg: { transferable: TransferableMatcher; data: Uint8Array }) => {
  const t0 = performance.now();
  const m = loadMatcher(msg.transferable);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const res = m.scan(msg.data, { type: 'CL_TYPE_BINARY_DATA', containers: [], allMatch: true });
  parentPort!.postMessage({ loadMs, scanMs: performance.now() - t1, names: res.names.length });
});
