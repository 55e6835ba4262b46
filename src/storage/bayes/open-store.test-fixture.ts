// A worker thread that opens the SQLite token store in workerData.dir and says 'ok' or the error
// (token-stores.test.ts: many openers of one new store at once). The openers meet at a barrier
// first (workerData.gate: [arrived, total]), so they open together, not as each finishes loading.
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteTokenStore } from './sqlite-token-store.js';

const { dir, gate } = workerData as { dir: string; gate: Int32Array };
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
for (let arrived = Atomics.load(gate, 0); arrived < gate[1]!; arrived = Atomics.load(gate, 0)) Atomics.wait(gate, 0, arrived, 5_000);
try {
  const store = openSqliteTokenStore(dir, { lockWaitMs: 10_000 });
  await store.close();
  parentPort!.postMessage('ok');
} catch (err) {
  parentPort!.postMessage(`${(err as Error).message} ${((err as Error).stack ?? '').split('\n').slice(1, 4).join(' | ')}`);
}
