import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadline } from './deadline.js';

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
