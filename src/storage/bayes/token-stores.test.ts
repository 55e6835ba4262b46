import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { openSqliteTokenStore } from './sqlite-token-store.js';
import { openRedisTokenStore } from './redis-token-store.js';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';

async function exercise(store: BayesTokenStore) {
  assert.deepEqual(await store.totals(), { spam: 0, ham: 0 });
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'spam'), true);
  assert.equal(await store.learn('m2', ['meeting', 'pills'], 'ham'), true);
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'spam'), false, 'idempotent');
  let counts = await store.counts(['cheap', 'pills', 'unknown']);
  assert.deepEqual(counts.get('pills'), { spam: 1, ham: 1 });
  assert.equal(counts.has('unknown'), false);
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'ham'), true, 're-learning as the other class moves it');
  counts = await store.counts(['cheap', 'pills']);
  assert.deepEqual(counts.get('cheap'), { spam: 0, ham: 1 });
  assert.deepEqual(counts.get('pills'), { spam: 0, ham: 2 });
  assert.deepEqual(await store.totals(), { spam: 0, ham: 2 });
}

test('SQLite token store: counts, totals, idempotent learning, class moves', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-tok-')));
  await exercise(store);
  await store.close();
});

test('Redis token store (the Redis on 127.0.0.1:6379): same contract, shared by every node', async () => {
  const prefix = `moat-test:${randomBytes(6).toString('hex')}:`;
  const a = openRedisTokenStore('redis://127.0.0.1:6379', prefix);
  try {
    await exercise(a);
    const b = openRedisTokenStore('redis://127.0.0.1:6379', prefix);
    assert.deepEqual(await b.totals(), { spam: 0, ham: 2 }, 'a second node sees what the first learned');
    await b.close();
  } finally {
    await a.close();
    const redis = new Redis('redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});
