import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.js';
import type { MessageEvent } from '../../pipeline/stores.js';

const event = (i: number): MessageEvent => ({ transactionId: `tx${i}`, agent: 'smtp', receivedAt: new Date(1_700_000_000_000 + i), mailFrom: 'a@example.org', rcptTo: ['b@example.com'], size: 100 + i, avVerdict: 'clean', detections: [], actions: 'accept:b@example.com', durationMs: 1, dbVersion: 't:1' });

const waitForBatch = () => new Promise((r) => setTimeout(r, 40));

test('event rows are written in batches, visible to reads at once and after close', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-store-'));
  const store = openSqliteStore(dir, { eventFlushMs: 10 });
  for (let i = 1; i <= 5; i++) store.events.record(event(i));
  // A read flushes what is pending.
  assert.deepEqual(store.events.recent(10).map((e) => e.transactionId), ['tx5', 'tx4', 'tx3', 'tx2', 'tx1']);
  store.events.record(event(6));
  await waitForBatch();
  // Written by the timer: another connection sees it without any flush from this one.
  const other = openSqliteStore(dir);
  assert.deepEqual(other.events.recent(1).map((e) => e.transactionId), ['tx6']);
  other.close();
  store.events.record(event(7));
  store.close();
  const reopened = openSqliteStore(dir);
  assert.deepEqual(reopened.events.recent(2).map((e) => [e.transactionId, e.size]), [['tx7', 107], ['tx6', 106]]);
  reopened.close();
});

test('a failed event batch is reported, never thrown at the message that recorded it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-store-'));
  const errors: Array<[string, number]> = [];
  const store = openSqliteStore(dir, { eventFlushMs: 10, onEventLogError: (err, rows) => errors.push([err.message, rows]) });
  // NOT NULL violation inside the batch (a malformed row from a buggy caller).
  store.events.record({ ...event(1), agent: null as unknown as string });
  store.events.record(event(2));
  await waitForBatch();
  assert.equal(errors.length, 1);
  assert.equal(errors[0]![1], 2);
  store.events.record(event(3));
  assert.deepEqual(store.events.recent(5).map((e) => e.transactionId), ['tx3']);
  store.close();
});

test('a full batch is written at once, without waiting for the timer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-store-'));
  const store = openSqliteStore(dir, { eventFlushMs: 60_000 });
  for (let i = 1; i <= 256; i++) store.events.record(event(i));
  const other = openSqliteStore(dir);
  assert.equal(other.events.recent(300).length, 256);
  store.events.record(event(257));
  assert.equal(other.events.recent(300).length, 256, 'the next row waits for its batch');
  other.close();
  store.close();
});
