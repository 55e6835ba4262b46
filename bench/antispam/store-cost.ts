/**
 * What the SQLite Bayes store costs. The figures in docs/antispam.md ("Bayes", Store) come from here.
 *
 * 1. Disk: `bayes.db` size per learned message after learning the corpus's training half
 *    (3,055 messages) without and with the spam model's features, checkpointed and vacuumed.
 * 2. Token counts: a message's token counts from that store (Bayes only) with `counts()` (one
 *    query per message) against one query per token (how it was done before), same file, same run.
 * 3. Time: what the scorer pays per message to learn how many messages Bayes has learned, on a
 *    `bayes.db` of growing size: `totals()` (two counters in `meta`) against the query it replaced
 *    (`SUM` over the learned table), on the same file in the same run. Synthetic messages of 150
 *    tokens each.
 *
 *   node bin/moat-dev.js bench/antispam/store-cost.ts [--sizes 1000,10000,100000] [--reads 2000]
 *
 * Learning 100,000 messages one transaction at a time takes most of its ~5 minutes.
 */
import { parseArgs } from 'node:util';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { learnMessage } from '../../src/antispam/spam-scorer.js';
import { tokenize } from '../../src/antispam/bayes/tokenizer.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { openSqliteTokenStore } from '../../src/storage/bayes/sqlite-token-store.js';
import { isTest, loadCorpus } from './corpus.js';

const { values } = parseArgs({ options: { sizes: { type: 'string' }, reads: { type: 'string' } } });
const sizes = (values.sizes ?? '1000,10000,100000').split(',').map(Number);
const reads = Number(values.reads ?? 2000);

const train = (await loadCorpus(Infinity)).filter((m) => !isTest(m));
const tokens = train.map((m) => tokenize(viewMessage(Buffer.from(m.text))));

/** ms per message: the store's counts() against one point query per token on the same file. */
async function timeCounts(store: ReturnType<typeof openSqliteTokenStore>, dir: string): Promise<string> {
  let t = performance.now();
  for (const list of tokens) await store.counts(list);
  const batched = (performance.now() - t) / tokens.length;
  const db = new Database(join(dir, 'bayes.db'), { readonly: true });
  const one = db.prepare('SELECT spam, ham FROM tokens WHERE token = ?');
  t = performance.now();
  for (const list of tokens) for (const token of list) one.get(token);
  const perToken = (performance.now() - t) / tokens.length;
  db.close();
  const mean = tokens.reduce((a, l) => a + l.length, 0) / tokens.length;
  return `| ${mean.toFixed(0)} tokens per message | ${batched.toFixed(2)} ms | ${perToken.toFixed(2)} ms |`;
}
let countsTiming = '';
console.log('| training half learned | messages | tokens | bayes.db | per message |\n|---|---|---|---|---|');
for (const withFeatures of [false, true]) {
  const dir = await mkdtemp(join(tmpdir(), 'moat-bench-size-'));
  try {
    const store = openSqliteTokenStore(dir);
    for (const m of train) await learnMessage(store, Buffer.from(m.text), m.spam ? 'spam' : 'ham', withFeatures);
    if (!withFeatures) countsTiming = await timeCounts(store, dir);
    await store.close();
    const db = new Database(join(dir, 'bayes.db'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    const tokens = db.prepare('SELECT COUNT(*) FROM tokens').pluck().get() as number;
    db.close();
    const bytes = (await stat(join(dir, 'bayes.db'))).size;
    console.log(`| ${withFeatures ? 'with model features' : 'Bayes only'} | ${train.length} | ${tokens} | ${(bytes / 1e6).toFixed(1)} MB | ${(bytes / train.length / 1024).toFixed(1)} KiB |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`\n| token counts | counts() (one query) | one query per token (before) |\n|---|---|---|\n${countsTiming}`);

const rows: string[] = [];
for (const size of sizes) {
  const dir = await mkdtemp(join(tmpdir(), 'moat-bench-totals-'));
  try {
    const store = openSqliteTokenStore(dir);
    for (let i = 0; i < size; i++) {
      const tokens = Array.from({ length: 150 }, (_, j) => `w${(i * 7919 + j * 104729) % 50000}`);
      await store.learn(`m${i}`, tokens, i % 3 === 0 ? 'ham' : 'spam');
    }
    let t = performance.now();
    for (let r = 0; r < reads; r++) await store.totals();
    const counters = ((performance.now() - t) * 1000) / reads;
    await store.close();
    const db = new Database(join(dir, 'bayes.db'), { readonly: true });
    const sum = db.prepare("SELECT SUM(class = 'spam') AS spam, SUM(class = 'ham') AS ham FROM learned");
    const sumReads = Math.max(20, Math.floor(reads / Math.max(1, size / 1000)));
    t = performance.now();
    for (let r = 0; r < sumReads; r++) sum.get();
    const summed = ((performance.now() - t) * 1000) / sumReads;
    db.close();
    rows.push(`| ${size.toLocaleString('en')} | ${counters.toFixed(1)} µs | ${summed.toFixed(1)} µs |`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
console.log('\n| learned messages | totals() (counters) | SUM over learned (before) |');
console.log('|---|---|---|');
for (const r of rows) console.log(r);
