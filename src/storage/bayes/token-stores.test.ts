import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { openSqliteTokenStore } from './sqlite-token-store.js';
import { openRedisTokenStore, redactRedisUrl } from './redis-token-store.js';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { startWorker } from '../../engine/workers/worker-script.js';
import { once } from 'node:events';
import { isMoatError } from '../../core/errors.js';
import { freePort, waitFor, waitForPort } from '../../../test/e2e/harness/ports.js';

/** Removes a test's keys from the Redis on 127.0.0.1:6379 (SCAN, so tokens with any characters go too). */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  await redis.quit();
}

async function exercise(store: BayesTokenStore) {
  assert.deepEqual(await store.totals(), { spam: 0, ham: 0 });
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'spam'), 'new');
  assert.equal(await store.learn('m2', ['meeting', 'pills'], 'ham'), 'new');
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'spam'), 'known', 'idempotent');
  let counts = await store.counts(['cheap', 'pills', 'unknown']);
  assert.deepEqual(counts.get('pills'), { spam: 1, ham: 1 });
  assert.equal(counts.has('unknown'), false);
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'ham', undefined, { relearn: false }), 'kept', 'autolearn does not move it');
  assert.deepEqual((await store.counts(['cheap'])).get('cheap'), { spam: 1, ham: 0 }, 'kept: nothing changed');
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'spam', undefined, { relearn: false }), 'known');
  assert.equal(await store.learn('m1', ['cheap', 'pills'], 'ham'), 'moved', 're-learning as the other class moves it');
  counts = await store.counts(['cheap', 'pills']);
  assert.deepEqual(counts.get('cheap'), { spam: 0, ham: 1 });
  assert.deepEqual(counts.get('pills'), { spam: 0, ham: 2 });
  assert.deepEqual(await store.totals(), { spam: 0, ham: 2 });
}

/** A store opened with maxLearned = 3: learning more forgets the least recently learned messages. */
async function exerciseLimit(store: BayesTokenStore) {
  await store.learn('e1', ['old', 'shared'], 'spam', Uint8Array.from([1]));
  await store.learn('e2', ['shared'], 'ham', Uint8Array.from([2]));
  await store.learn('e3', ['third'], 'spam');
  assert.deepEqual(await store.totals(), { spam: 2, ham: 1 }, 'at the limit nothing is forgotten');
  assert.equal(await store.learn('e1', ['old', 'shared'], 'spam', Uint8Array.from([1])), 'known', 're-learning a known message changes nothing');
  await store.learn('e4', ['fourth'], 'ham', Uint8Array.from([4]));
  assert.deepEqual(await store.totals(), { spam: 1, ham: 2 }, 'one over: e1, the least recently learned, is forgotten');
  const counts4 = await store.counts(['old', 'shared', 'third', 'fourth']);
  assert.equal(counts4.has('old'), false, "a token only e1 had is deleted");
  assert.deepEqual(counts4.get('shared'), { spam: 0, ham: 1 }, "e1's tokens are taken back out");
  assert.deepEqual(counts4.get('fourth'), { spam: 0, ham: 1 });
  assert.deepEqual(await store.examples(10), [
    { spam: false, features: Uint8Array.from([4]) },
    { spam: false, features: Uint8Array.from([2]) },
  ], 'a forgotten message is no longer an example');
  await store.learn('e5', ['fifth'], 'ham');
  await store.learn('e6', ['sixth'], 'ham');
  const counts6 = await store.counts(['old', 'shared', 'third', 'fourth', 'fifth', 'sixth']);
  assert.deepEqual([...counts6.keys()].sort(), ['fifth', 'fourth', 'sixth'], 'tokens no kept message has are deleted, not left at zero');
  assert.deepEqual(await store.totals(), { spam: 0, ham: 3 });
  assert.equal(await store.learn('e1', ['old', 'shared'], 'spam'), 'new', 'a forgotten message can be learned again');
  assert.deepEqual(await store.totals(), { spam: 1, ham: 2 });
}

/** Forgetting one message (moat learn --forget) and what stats() says, on an empty store. */
async function exerciseForget(store: BayesTokenStore) {
  assert.deepEqual(await store.totals(), { spam: 0, ham: 0 });
  await store.learn('g1', ['only-g1', 'shared'], 'spam', Uint8Array.from([1]));
  await store.learn('g2', ['shared'], 'ham', Uint8Array.from([2]));
  await store.learn('g3', ['only-g3'], 'ham');
  let stats = await store.stats();
  assert.equal(stats.tokens, 3);
  assert.equal(stats.withFeatures, 2);
  const g = await store.generation();
  assert.equal(await store.forget('g1'), 'spam', 'says what it had been learned as');
  assert.ok((await store.generation()) > g, 'forgetting makes the fitted model stale');
  assert.deepEqual(await store.totals(), { spam: 0, ham: 2 });
  const counts = await store.counts(['only-g1', 'shared', 'only-g3']);
  assert.equal(counts.has('only-g1'), false, "a token only the forgotten message had is deleted");
  assert.deepEqual(counts.get('shared'), { spam: 0, ham: 1 });
  assert.deepEqual(await store.examples(10), [{ spam: false, features: Uint8Array.from([2]) }], 'a forgotten message is no example');
  stats = await store.stats();
  assert.deepEqual([stats.tokens, stats.withFeatures], [2, 1]);
  const g2 = await store.generation();
  assert.equal(await store.forget('g1'), undefined, 'forgetting twice changes nothing');
  assert.equal(await store.forget('never-learned'), undefined);
  assert.equal(await store.generation(), g2, 'nothing forgotten, same generation');
  assert.equal(await store.forget('g3'), 'ham');
  assert.equal(await store.learn('g1', ['only-g1', 'shared'], 'spam'), 'new', 'a forgotten message can be learned again');
  assert.deepEqual(await store.totals(), { spam: 1, ham: 1 });
  assert.deepEqual((await store.counts(['shared'])).get('shared'), { spam: 1, ham: 1 });
}

/** The spam model's part of the contract: generation, examples with features (newest first), the model. */
async function exerciseModel(store: BayesTokenStore) {
  const g0 = await store.generation();
  assert.equal(await store.modelGeneration(), undefined);
  assert.equal(await store.loadModel(), undefined);
  await store.learn('f1', ['a'], 'spam', Uint8Array.from([1, 2]));
  await store.learn('f2', ['b'], 'ham', Uint8Array.from([3]));
  await store.learn('f3', ['c'], 'ham');
  await store.learn('f4', ['d'], 'ham');
  const before = await store.totals();
  assert.equal(await store.learn('f4', ['d'], 'ham', Uint8Array.from([7])), 'features', 'learned without features, again with: features added');
  assert.deepEqual(await store.totals(), before, 'counts unchanged');
  assert.deepEqual((await store.counts(['d'])).get('d'), { spam: 0, ham: 1 });
  assert.equal(await store.learn('f4', ['d'], 'ham', Uint8Array.from([7])), 'known', 'and only once');
  const g1 = await store.generation();
  assert.ok(g1 > g0, 'learning moves the generation');
  assert.equal(await store.learn('f1', ['a'], 'spam', Uint8Array.from([1, 2])), 'known');
  assert.equal(await store.generation(), g1, 'nothing learned, same generation');
  assert.deepEqual(await store.examples(10), [
    { spam: false, features: Uint8Array.from([7]) },
    { spam: false, features: Uint8Array.from([3]) },
    { spam: true, features: Uint8Array.from([1, 2]) },
  ], 'newest first; a message learned without features is no example');
  assert.deepEqual(await store.examples(1), [{ spam: false, features: Uint8Array.from([7]) }]);
  await store.learn('f1', ['a'], 'ham', Uint8Array.from([1, 2]));
  assert.deepEqual((await store.examples(10))[0], { spam: false, features: Uint8Array.from([1, 2]) }, 'a moved message is an example of its new class');
  const weights = new Float32Array(1 << 20);
  weights[7] = 1.5;
  weights[(1 << 20) - 1] = -2.25;
  await store.saveModel({ generation: 42, weights });
  assert.equal(await store.modelGeneration(), 42);
  const loaded = await store.loadModel();
  assert.equal(loaded?.generation, 42);
  assert.equal(loaded?.weights[7], 1.5);
  assert.equal(loaded?.weights[(1 << 20) - 1], -2.25);
  assert.equal(await store.loadModel(42), undefined, 'the caller already has this generation');
}

test('SQLite token store: counts, totals, idempotent learning, class moves', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-tok-')));
  await exercise(store);
  await exerciseModel(store);
  await store.close();
});

test('SQLite token store: forgetting a message, and what the store holds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-tok-'));
  const store = openSqliteTokenStore(dir);
  await exerciseForget(store);
  const stats = await store.stats();
  assert.equal(stats.location, join(dir, 'bayes.db'));
  assert.ok((stats.bytes ?? 0) > 0, 'size on disk');
  await store.close();
});

test('SQLite token store: max_learned forgets the least recently learned messages', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-tok-')), { maxLearned: 3 });
  await exerciseLimit(store);
  await store.close();
});

test('SQLite token store: a bayes.db from before the spam model is upgraded in place and keeps its counts', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-tok-'));
  const old = new Database(join(dir, 'bayes.db'));
  old.exec(`CREATE TABLE tokens (token TEXT PRIMARY KEY, spam INTEGER NOT NULL DEFAULT 0, ham INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TABLE learned (key TEXT PRIMARY KEY, class TEXT NOT NULL, tokens TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO tokens VALUES ('pills', 1, 0); INSERT INTO learned VALUES ('m1', 'spam', '["pills"]');`);
  old.close();
  const store = openSqliteTokenStore(dir);
  assert.deepEqual(await store.totals(), { spam: 1, ham: 0 });
  assert.deepEqual((await store.counts(['pills'])).get('pills'), { spam: 1, ham: 0 });
  assert.deepEqual(await store.examples(10), [], 'old messages have no features');
  assert.equal(await store.learn('m2', ['cheap'], 'ham', Uint8Array.from([9])), 'new');
  assert.deepEqual(await store.examples(10), [{ spam: false, features: Uint8Array.from([9]) }]);
  assert.equal(await store.learn('m1', ['pills'], 'spam', Uint8Array.from([4])), 'features', 're-learning an old message adds its features');
  assert.deepEqual((await store.examples(10))[0], { spam: true, features: Uint8Array.from([4]) });
  assert.deepEqual(await store.totals(), { spam: 1, ham: 1 }, 'without counting it twice');
  await store.close();
});

test('Redis token store (the Redis on 127.0.0.1:6379): same contract, shared by every node', async () => {
  const prefix = `moat-test:${randomBytes(6).toString('hex')}:`;
  const a = openRedisTokenStore('redis://127.0.0.1:6379', prefix);
  try {
    await exercise(a);
    await exerciseModel(a);
    const b = openRedisTokenStore('redis://127.0.0.1:6379', prefix);
    try {
      assert.deepEqual(await b.totals(), { spam: 0, ham: 6 }, 'a second node sees what the first learned');
      assert.equal((await b.loadModel())?.weights[7], 1.5, 'and the model the first fitted');
    } finally {
      await b.close();
    }
    const forgetting = openRedisTokenStore('redis://127.0.0.1:6379', `${prefix}forget[*]:`);
    try {
      await exerciseForget(forgetting);
      const stats = await forgetting.stats();
      assert.equal(stats.location, `redis://127.0.0.1:6379 prefix "${prefix}forget[*]:"`);
      assert.equal(stats.tokens, 2, 'a prefix with glob characters counts only its own tokens');
    } finally {
      await forgetting.close();
    }
    const limited = openRedisTokenStore('redis://127.0.0.1:6379', `${prefix}limit:`, { maxLearned: 3 });
    try {
      await exerciseLimit(limited);
    } finally {
      await limited.close();
    }
    // Two nodes learning at once with a limit of 5: each message is forgotten once, and what is
    // kept is exactly what the counters and the token hashes say.
    const nodes = [0, 1].map(() => openRedisTokenStore('redis://127.0.0.1:6379', `${prefix}race:`, { maxLearned: 5 }));
    try {
      await Promise.all(Array.from({ length: 40 }, (_, n) => nodes[n % 2]!.learn(`r${n}`, [`only${n}`, 'common'], n % 3 ? 'spam' : 'ham')));
      const totals = await nodes[0]!.totals();
      assert.equal(totals.spam + totals.ham, 5);
      const common = (await nodes[1]!.counts(['common'])).get('common');
      assert.deepEqual(common, totals, "the token every message has counts each kept message once");
      const only = await nodes[1]!.counts(Array.from({ length: 40 }, (_, n) => `only${n}`));
      assert.equal(only.size, 5, 'the tokens of forgotten messages are gone');
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
    // The same message reaching two nodes at once (one spam run, two MX hosts) is counted once.
    const twins = [0, 1].map(() => openRedisTokenStore('redis://127.0.0.1:6379', `${prefix}twins:`));
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, n) => twins[n % 2]!.learn(`same${n >> 1}`, ['shared', `own${n >> 1}`], 'spam')));
      assert.deepEqual([results.filter((r) => r === 'new').length, results.filter((r) => r === 'known').length], [10, 10], 'one of each pair learns, the other finds it learned');
      assert.deepEqual(await twins[0]!.totals(), { spam: 10, ham: 0 });
      assert.deepEqual((await twins[1]!.counts(['shared'])).get('shared'), { spam: 10, ham: 0 });
    } finally {
      await Promise.all(twins.map((n) => n.close()));
    }
  } finally {
    await a.close();
    await deleteRedisKeys(prefix);
  }
});

/** Messages kept all along are all listed, though learning and forgetting go on during the listing (paging by position would skip some). */
async function exerciseListingWhileLearning(store: BayesTokenStore) {
  for (let i = 0; i < 1200; i++) await store.learn(`l${String(i).padStart(4, '0')}`, [`t${i % 50}`], i % 3 ? 'spam' : 'ham', i % 2 ? Uint8Array.from([i % 100]) : undefined);
  const seen = new Set<string>();
  let i = 0;
  for await (const r of store.learnedMessages()) {
    seen.add(r.key);
    // Halfway: 100 new messages, so (at 1,200 kept) the 100 least recently learned are forgotten.
    if (++i === 600) for (let j = 0; j < 100; j++) await store.learn(`n${j}`, ['new'], 'spam');
  }
  const keptThroughout = Array.from({ length: 1100 }, (_, k) => `l${String(k + 100).padStart(4, '0')}`);
  assert.deepEqual(keptThroughout.filter((k) => !seen.has(k)), [], 'no message kept all along is skipped');
  const listing = store.learnedMessages()[Symbol.asyncIterator]();
  assert.deepEqual((await listing.next()).value, { key: 'l0100', class: 'spam', tokens: ['t0'] }, 'least recently learned first');
  assert.deepEqual((await listing.next()).value, { key: 'l0101', class: 'spam', tokens: ['t1'], features: Uint8Array.from([1]) }, 'with its features');
}

test('SQLite and Redis stores list every learned message kept all along, while learning and forgetting go on', async () => {
  const sqlite = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-tok-')), { maxLearned: 1200 });
  try {
    await exerciseListingWhileLearning(sqlite);
  } finally {
    await sqlite.close();
  }
  const prefix = `moat-test:${randomBytes(6).toString('hex')}:`;
  const redis = openRedisTokenStore('redis://127.0.0.1:6379', prefix, { maxLearned: 1200 });
  try {
    await exerciseListingWhileLearning(redis);
  } finally {
    await redis.close();
    await deleteRedisKeys(prefix);
  }
});

test('SQLite token store: many processes opening one new store at once all get it (schema and upgrades in one write transaction, WAL switch retried)', async () => {
  // Worker threads stand in for processes: each has its own SQLite connection, and all open at
  // once (a barrier in the fixture). Before, openers failed with "duplicate column name" (both
  // added the upgrade columns) and "database is locked" (switching to WAL does not wait).
  const opener = new URL('./open-store.test-fixture.ts', import.meta.url);
  const failures: string[] = [];
  for (let round = 0; round < 25; round++) {
    const dir = await mkdtemp(join(tmpdir(), 'moat-tok-open-'));
    const gate = new Int32Array(new SharedArrayBuffer(8));
    gate[1] = 8;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<string>((resolve) => {
        const worker = startWorker(opener, { workerData: { dir, gate } });
        worker.once('message', (m: string) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', (err) => resolve(err.message));
      })),
    );
    failures.push(...results.filter((r) => r !== 'ok'));
  }
  assert.deepEqual(failures, []);
});

test('a Redis URL is shown without its password', () => {
  assert.equal(redactRedisUrl('redis://moat:s3cret@10.0.0.5:6380/2'), 'redis://moat:***@10.0.0.5:6380/2');
  assert.equal(redactRedisUrl('rediss://:s3cret@cache.example/0'), 'rediss://:***@cache.example/0');
  assert.equal(redactRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redactRedisUrl('not a url s3cret'), '(unparsable Redis URL)');
});

test('SQLite token store: a bayes.db with learned messages but no counters gets them when opened, and keeps them across reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-tok-'));
  const first = openSqliteTokenStore(dir);
  for (const [key, as] of [['a', 'spam'], ['b', 'spam'], ['c', 'ham']] as const) await first.learn(key, [key], as);
  await first.close();
  // As a store written before the counters existed: learned rows, no counters.
  const raw = new Database(join(dir, 'bayes.db'));
  raw.exec("DELETE FROM meta WHERE key LIKE 'learned:%'");
  raw.close();
  const again = openSqliteTokenStore(dir);
  assert.deepEqual(await again.totals(), { spam: 2, ham: 1 }, 'counted once from the learned table');
  await again.learn('c', ['c'], 'spam');
  assert.deepEqual(await again.totals(), { spam: 3, ham: 0 }, 'a class move updates both counters');
  await again.close();
  const third = openSqliteTokenStore(dir);
  assert.deepEqual(await third.totals(), { spam: 3, ham: 0 });
  await third.close();
});

test('SQLite token store: counters and token counts always equal what the kept learned messages say, whatever is learned, moved, repeated, forgotten (by the limit or by name), by two openers of one file', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 5 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.constantFrom('spam', 'ham', 'forget'), fc.boolean()), { maxLength: 40 }),
      async (maxLearned, steps) => {
        const dir = await mkdtemp(join(tmpdir(), 'moat-tok-'));
        const daemon = openSqliteTokenStore(dir, { maxLearned });
        const cli = openSqliteTokenStore(dir, { maxLearned });
        try {
          // Message n has tokens t<n> and t<n mod 3>, so messages share some.
          for (const [n, step, viaCli] of steps) {
            const store = viaCli ? cli : daemon;
            if (step === 'forget') await store.forget(`m${n}`);
            else await store.learn(`m${n}`, [`t${n}`, `s${n % 3}`], step);
          }
          const raw = new Database(join(dir, 'bayes.db'), { readonly: true });
          const kept = raw.prepare('SELECT class, tokens FROM learned').all() as Array<{ class: 'spam' | 'ham'; tokens: string }>;
          const tokenRows = raw.prepare('SELECT token, spam, ham FROM tokens ORDER BY token').all() as Array<{ token: string; spam: number; ham: number }>;
          raw.close();
          const expected = new Map<string, { spam: number; ham: number }>();
          for (const row of kept) {
            for (const t of JSON.parse(row.tokens) as string[]) {
              const c = expected.get(t) ?? { spam: 0, ham: 0 };
              c[row.class]++;
              expected.set(t, c);
            }
          }
          const truth = { spam: kept.filter((r) => r.class === 'spam').length, ham: kept.filter((r) => r.class === 'ham').length };
          assert.deepEqual(await daemon.totals(), truth);
          assert.deepEqual(await cli.totals(), truth);
          if (maxLearned > 0) assert.ok(kept.length <= maxLearned, `${kept.length} kept, limit ${maxLearned}`);
          assert.deepEqual(tokenRows, [...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([token, c]) => ({ token, ...c })));
        } finally {
          await daemon.close();
          await cli.close();
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('SQLite token store: counts() finds any learned token, whatever its characters (quotes, backslashes, controls, astral)', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-tok-')));
  try {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 30 }), fc.string({ maxLength: 8 }), async (tokens, absent) => {
        const key = `k${JSON.stringify(tokens)}`;
        await store.learn(key, tokens, 'spam');
        const counts = await store.counts([...tokens, `absent:${absent}`]);
        for (const t of tokens) assert.ok((counts.get(t)?.spam ?? 0) >= 1, `token ${JSON.stringify(t)} found`);
        assert.equal(counts.has(`absent:${absent}`), false);
      }),
      { numRuns: 100 },
    );
  } finally {
    await store.close();
  }
});

/** A private redis-server on loopback (no persistence), so a test can take it away. */
async function privateRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await waitForPort(port);
  return child;
}

test('Redis token store: while Redis is away every call fails at once with BAYES_STORE_UNAVAILABLE, and the store recovers when it is back', async () => {
  const port = await freePort();
  let server = await privateRedis(port);
  const store = openRedisTokenStore(`redis://127.0.0.1:${port}`, 'moat-test:');
  try {
    assert.equal(await store.learn('m1', ['a'], 'spam'), 'new');
    server.kill('SIGKILL');
    await once(server, 'exit');
    await waitFor('the store to see the loss', async () => (await store.totals().then(() => false, (err: unknown) => isMoatError(err, 'BAYES_STORE_UNAVAILABLE'))));
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await assert.rejects(store.counts(['a']), (err: unknown) => isMoatError(err, 'BAYES_STORE_UNAVAILABLE') && /not connected \(.*\)/.test((err as Error).message));
      assert.ok(performance.now() - t < 1000, 'fails at once, not after reconnection back-off');
    }
    server = await privateRedis(port);
    await waitFor('the store to reconnect', async () => (await store.totals().then(() => true, () => false)), 20_000);
    assert.equal(await store.learn('m2', ['b'], 'ham'), 'new', 'learning works again');
  } finally {
    await store.close();
    server.kill('SIGKILL');
  }
});

test('Redis token store: a hung Redis (SIGSTOP) fails each call within about 2 s instead of holding the message, and the store works again when it resumes', async () => {
  const port = await freePort();
  const server = await privateRedis(port);
  const store = openRedisTokenStore(`redis://127.0.0.1:${port}`, 'moat-test:');
  try {
    assert.equal(await store.learn('h1', ['a'], 'spam'), 'new');
    server.kill('SIGSTOP');
    for (const call of [() => store.counts(['a']), () => store.learn('h2', ['b'], 'ham'), () => store.totals()]) {
      const t = performance.now();
      await assert.rejects(call(), /timed out|timeout/i);
      const ms = performance.now() - t;
      assert.ok(ms < 5000, `failed after ${ms.toFixed(0)} ms`);
    }
    server.kill('SIGCONT');
    await waitFor('the store to answer again', async () => (await store.totals().then(() => true, () => false)), 20_000);
    assert.equal(await store.learn('h3', ['c'], 'ham'), 'new');
  } finally {
    server.kill('SIGCONT');
    const t = performance.now();
    server.kill('SIGSTOP');
    await store.close();
    assert.ok(performance.now() - t < 5000, 'closing does not wait on a hung Redis');
    server.kill('SIGKILL');
  }
});

test('Redis token store: opened while Redis is down, the first call fails within 2 s (its message without the URL\'s password) and closing does not hang', async () => {
  const store = openRedisTokenStore(`redis://moat:s3cret@127.0.0.1:${await freePort()}/0`, 'moat-test:');
  const t = performance.now();
  await assert.rejects(store.totals(), (err: unknown) => isMoatError(err, 'BAYES_STORE_UNAVAILABLE') && /redis:\/\/moat:\*\*\*@127\.0\.0\.1/.test(err.message) && !err.message.includes('s3cret'));
  assert.ok(performance.now() - t < 5000);
  await store.close();
});

test('SQLite token store opened read-only (moat classify, learn --stats, --export): reads what was learned, creates nothing, learns nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-bayes-ro-'));
  assert.throws(() => openSqliteTokenStore(join(dir, 'typo'), { readOnly: true }), /unable to open|does not exist/i, 'no store is created for a state directory that has none');
  const rw = openSqliteTokenStore(dir);
  await rw.learn('k1', ['cheap', 'pills'], 'spam');
  await rw.learn('k2', ['meeting'], 'ham');
  await rw.close();
  const ro = openSqliteTokenStore(dir, { readOnly: true });
  try {
    assert.deepEqual(await ro.totals(), { spam: 1, ham: 1 });
    assert.deepEqual([...(await ro.counts(['cheap', 'meeting', 'absent']))], [['cheap', { spam: 1, ham: 0 }], ['meeting', { spam: 0, ham: 1 }]]);
    await assert.rejects(ro.learn('k3', ['x'], 'spam'), /read-only/);
    assert.equal(await ro.loadModel(), undefined);
  } finally {
    await ro.close();
  }
  const again = openSqliteTokenStore(dir);
  assert.deepEqual(await again.totals(), { spam: 1, ham: 1 }, 'unchanged');
  await again.close();
});

test('SQLite token store: when another process holds the write lock, the daemon\'s store gives up learning within a fraction of a second (its event loop serves all mail; moat learn waits longer: learn-concurrency.test.ts)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-bayes-lock-'));
  const daemon = openSqliteTokenStore(dir);
  await daemon.learn('k0', ['a'], 'spam');
  const holder = new Database(join(dir, 'bayes.db'));
  holder.exec('BEGIN IMMEDIATE');
  try {
    const t = performance.now();
    await assert.rejects(daemon.learn('k1', ['b'], 'ham'), /locked/);
    const ms = performance.now() - t;
    assert.ok(ms < 1000, `the daemon's store waited ${ms.toFixed(0)} ms`);
    assert.deepEqual(await daemon.totals(), { spam: 1, ham: 0 }, 'reading does not wait (WAL)');
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
  assert.equal(await daemon.learn('k1', ['b'], 'ham'), 'new', 'learning works once the lock is free');
  await daemon.close();
});
