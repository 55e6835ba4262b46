import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abortable, deadline } from './deadline.js';
import { isMoatError } from './errors.js';

test('deadline: aborts with a TimeoutError after the time, with the parent\'s reason when the parent aborts first', async () => {
  const parent = new AbortController();
  const timed = deadline(parent.signal, 20);
  const early = deadline(parent.signal, 10_000);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(timed.signal.aborted, true);
  assert.equal((timed.signal.reason as DOMException).name, 'TimeoutError');
  assert.equal(early.signal.aborted, false);
  parent.abort(new Error('shutting down'));
  assert.equal(early.signal.aborted, true);
  assert.equal((early.signal.reason as Error).message, 'shutting down');
  timed.dispose();
  early.dispose();
  const late = deadline(parent.signal, 10_000);
  assert.equal(late.signal.aborted, true, 'an already aborted parent aborts it at once');
});

test('deadline: after dispose neither the timer nor the parent aborts it', async () => {
  const parent = new AbortController();
  const d = deadline(parent.signal, 10);
  d.dispose();
  await new Promise((r) => setTimeout(r, 30));
  parent.abort();
  assert.equal(d.signal.aborted, false);
});

test('abortable: the work\'s result before the deadline, a TIMEOUT (or ABORTED) rejection at it even when the work never ends', async () => {
  const keepAlive = setTimeout(() => undefined, 5000); // deadline()'s timer is unref'd, and the stuck work holds nothing
  const { signal, dispose } = deadline(new AbortController().signal, 50);
  assert.equal(await abortable(Promise.resolve(7), signal, 'quick'), 7);
  const t = performance.now();
  await assert.rejects(abortable(new Promise(() => undefined), signal, 'stuck call'), (e: unknown) => isMoatError(e, 'TIMEOUT') && /stuck call: deadline passed/.test((e as Error).message));
  assert.ok(performance.now() - t < 1000);
  dispose();
  const parent = new AbortController();
  const late = abortable(new Promise<never>((_, reject) => setTimeout(() => reject(new Error('too late')), 20)), parent.signal, 'shutdown');
  parent.abort(new Error('stopping'));
  await assert.rejects(late, (e: unknown) => isMoatError(e, 'ABORTED'));
  await new Promise((r) => setTimeout(r, 40)); // the late failure of the work is swallowed, not an unhandled rejection
  assert.equal(await abortable(Promise.resolve('no signal'), undefined, 'x'), 'no signal');
  clearTimeout(keepAlive);
});
