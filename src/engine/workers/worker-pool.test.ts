import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool } from './worker-pool.js';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { isMoatError } from '../../core/errors.js';
import type { EngineSnapshot } from '../contracts.js';
import type { ScanTask } from './worker-messages.js';

const snapshot = { version: 'fixture:1' } as unknown as EngineSnapshot;
const task = (id: number, name: string): ScanTask => ({ type: 'scan', id, input: { kind: 'file', path: '' }, name, limits: { ...DEFAULT_LIMITS }, heuristics: [], allMatch: false, isMail: false, objectHashes: false });

test('a worker that dies mid-scan fails that scan with a temporary WORKER_CRASHED; the pool replaces it', async () => {
  const pool = new WorkerPool(1, snapshot, { workerUrl: new URL('./crashing-worker.test-fixture.ts', import.meta.url) });
  try {
    assert.equal((await pool.run(task(1, 'ok'), [], 10_000)).version, 'fixture');
    const crashing = pool.run(task(2, 'crash'), [], 10_000);
    const queuedBehind = pool.run(task(3, 'ok'), [], 10_000);
    await assert.rejects(crashing, (err: unknown) => isMoatError(err, 'WORKER_CRASHED') && err.temporary);
    // The task queued behind the crash and every later one run on the replacement worker.
    assert.equal((await queuedBehind).version, 'fixture');
    await assert.rejects(pool.run(task(4, 'crash'), [], 10_000), (err: unknown) => isMoatError(err, 'WORKER_CRASHED'));
    assert.equal((await pool.run(task(5, 'ok'), [], 10_000)).version, 'fixture');
    assert.equal(pool.size, 1);
  } finally {
    await pool.close();
  }
});
