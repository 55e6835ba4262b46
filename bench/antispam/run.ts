/**
 * Anti-spam accuracy benchmark: Moat vs SpamAssassin (Debian) on the SpamAssassin public corpus.
 * Both are trained on the same half (Bayes) and tested on the other half, network tests off.
 *
 *   node bin/moat-dev.js bench/antispam/run.ts [--limit N] [--no-sa] [--rspamd] [--model | --high-recall]
 *
 * --limit N   messages per subset (default: all, ~6,000 messages; SpamAssassin takes ~20 min then)
 * --model     turn on the logistic spam model ([antispam.model], off by default; see docs/antispam.md)
 * --high-recall  the measured high-recall setting (bench/antispam/settings.ts: log-odds Bayes
 *             scoring, trained rule scores, the spam model)
 * --rspamd    also Debian's rspamd (apt-get install rspamd; Bayes in Redis db 7 on 127.0.0.1:6379,
 *             flushed first), same training half, network modules off; spam = score ≥ 6 (its
 *             `add header` threshold)
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchAntispamConfig } from './settings.js';
import { silentLogger } from '../../src/core/logger.js';
import { createSpamScorer, learnMessage } from '../../src/antispam/spam-scorer.js';
import { refitModel } from '../../src/antispam/model/model-refit.js';
import { loadRules } from '../../src/antispam/load-rules.js';
import { openSqliteTokenStore } from '../../src/storage/bayes/sqlite-token-store.js';
import { SUBSETS, isTest, loadCorpus, type CorpusMessage } from './corpus.js';
import { privateSpamAssassin } from './spamassassin.js';
import { privateRspamd } from './rspamd.js';
import { rateWithInterval } from './wilson.js';

const { values } = parseArgs({ options: { limit: { type: 'string' }, 'no-sa': { type: 'boolean' }, rspamd: { type: 'boolean' }, model: { type: 'boolean' }, 'high-recall': { type: 'boolean' } } });
const limit = values.limit ? Number(values.limit) : Infinity;
const corpus = await loadCorpus(limit);
const train = corpus.filter((m) => !isTest(m));
const test = corpus.filter(isTest);
const work = await mkdtemp(join(tmpdir(), 'moat-bench-as-'));
// spamd drops privileges to nobody, which must be able to reach its config and Bayes files.
await chmod(work, 0o755);
console.log(`corpus: ${corpus.length} messages (train ${train.length}, test ${test.length}); work dir ${work}`);

// ── Moat ──────────────────────────────────────────────────────────────────────
const base = benchAntispamConfig(values['high-recall'] === true);
const config = { antispam: { ...base, model: { ...base.model, enabled: values.model ?? base.model.enabled } } };
const store = openSqliteTokenStore(join(work, 'moat'));
let t0 = performance.now();
for (const m of train) await learnMessage(store, Buffer.from(m.text), m.spam ? 'spam' : 'ham', config.antispam.model.enabled);
const fit = await refitModel(store, { maxExamples: config.antispam.model.max_examples, minLearned: config.antispam.bayes.min_learned });
console.log(`Moat: spam model ${fit.fitted ? `fitted on ${fit.spam} spam and ${fit.ham} ham in ${fit.ms} ms` : 'off'}`);
const moatTrainS = (performance.now() - t0) / 1000;
const scorer = createSpamScorer({ config: config.antispam, rules: await loadRules([]), store, logger: silentLogger(), readOnly: true });
const moatScores = new Map<CorpusMessage, number>();
t0 = performance.now();
for (const m of test) moatScores.set(m, (await scorer.check({ message: Buffer.from(m.text), mailFrom: '', rcptTo: [] })).score);
const moatTestS = (performance.now() - t0) / 1000;

// ── SpamAssassin ──────────────────────────────────────────────────────────────
const saScores = new Map<CorpusMessage, number>();
let saTrainS = 0;
let saTestS = 0;
let saVersion = 'SpamAssassin (skipped)';
if (!values['no-sa']) {
  const sa = privateSpamAssassin(join(work, 'sa'));
  saVersion = sa.version;
  t0 = performance.now();
  sa.learn(train, join(work, 'sa-train'));
  saTrainS = (performance.now() - t0) / 1000;
  await sa.start();
  try {
    t0 = performance.now();
    const queue = [...test];
    await Promise.all(
      Array.from({ length: availableParallelism() }, async () => {
        for (let m = queue.shift(); m; m = queue.shift()) saScores.set(m, await sa.score(m.text));
      }),
    );
    saTestS = (performance.now() - t0) / 1000;
  } finally {
    sa.stop();
  }
}

// ── rspamd (optional) ───────────────────────────────────────────────────────────
const rsScores = new Map<CorpusMessage, number>();
let rsTrainS = 0;
let rsTestS = 0;
let rsVersion = '';
const RSPAMD_SPAM = 6;
if (values.rspamd) {
  const rs = await privateRspamd(join(work, 'rspamd'));
  rsVersion = rs.version;
  try {
    const parallel = async (list: CorpusMessage[], fn: (m: CorpusMessage) => Promise<void>) => {
      const queue = [...list];
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let m = queue.shift(); m; m = queue.shift()) await fn(m);
      }));
    };
    t0 = performance.now();
    const outcomes = new Map<string, number>();
    await parallel(train, async (m) => {
      const r = await rs.learn(m.text, m.spam);
      const key = `${m.spam ? 'spam' : 'ham'} ${r.status}${r.error ? ` ${r.error.replace(/<[^>]*>/g, '<id>').slice(0, 80)}` : ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    });
    rsTrainS = (performance.now() - t0) / 1000;
    console.log(`rspamd learning outcomes: ${[...outcomes].map(([k, n]) => `${k}: ${n}`).join('; ')}`);
    t0 = performance.now();
    await parallel(test, async (m) => void rsScores.set(m, await rs.score(m.text)));
    rsTestS = (performance.now() - t0) / 1000;
  } finally {
    rs.stop();
  }
}

// ── Table ─────────────────────────────────────────────────────────────────────
const REQUIRED = config.antispam.required_score;
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(2)}%` : '-');
const rows: string[][] = [['subset', 'test msgs', 'Moat', 'SpamAssassin', ...(values.rspamd ? ['rspamd'] : [])]];
const rs = (cell: string) => (values.rspamd ? [cell] : []);
/** Each filter's own spam threshold (SpamAssassin's required_score is 5.0). */
const thresholdOf = (scores: Map<CorpusMessage, number>) => (scores === moatScores ? REQUIRED : scores === rsScores ? RSPAMD_SPAM : 5);
/** Messages of `set` the filter behind `scores` calls spam. */
const total = (scores: Map<CorpusMessage, number>, set: CorpusMessage[]) => set.filter((m) => (scores.get(m) ?? -Infinity) >= thresholdOf(scores)).length;
for (const subset of SUBSETS) {
  const ms = test.filter((m) => m.subset === subset);
  const spam = subset.startsWith('spam');
  const metric = (scores: Map<CorpusMessage, number>) => {
    const flagged = total(scores, ms);
    return scores.size ? `${spam ? 'recall' : 'FP'} ${pct(flagged, ms.length)} (${flagged})` : '-';
  };
  rows.push([subset, String(ms.length), metric(moatScores), metric(saScores), ...rs(metric(rsScores))]);
}
const allHam = test.filter((m) => !m.spam);
const allSpam = test.filter((m) => m.spam);
// With the 95% interval: on 2,064 ham, one or two messages either way are within chance.
rows.push(['all ham (FP rate)', String(allHam.length), rateWithInterval(total(moatScores, allHam), allHam.length), saScores.size ? rateWithInterval(total(saScores, allHam), allHam.length) : '-', ...rs(rateWithInterval(total(rsScores, allHam), allHam.length))]);
rows.push(['all spam (recall)', String(allSpam.length), rateWithInterval(total(moatScores, allSpam), allSpam.length), saScores.size ? rateWithInterval(total(saScores, allSpam), allSpam.length) : '-', ...rs(rateWithInterval(total(rsScores, allSpam), allSpam.length))]);
rows.push(['train time', String(train.length), `${moatTrainS.toFixed(1)} s`, saScores.size ? `${saTrainS.toFixed(1)} s` : '-', ...rs(`${rsTrainS.toFixed(1)} s`)]);
rows.push(['throughput (test)', String(test.length), `${(test.length / moatTestS).toFixed(0)} msg/s (1 thread)`, saScores.size ? `${(test.length / saTestS).toFixed(1)} msg/s (spamd, ${availableParallelism()} children)` : '-', ...rs(`${(test.length / rsTestS).toFixed(1)} msg/s (2 workers, 4 clients)`)]);
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`\nthreshold: Moat required_score ${REQUIRED}, SpamAssassin required_score 5.0 (${saVersion}, local tests + Bayes, no network)${values.rspamd ? `; ${rsVersion} spam at score ≥ ${RSPAMD_SPAM}, network modules off` : ''}`);
for (const [i, r] of rows.entries()) {
  console.log(`| ${r.map((c, j) => c.padEnd(widths[j]!)).join(' | ')} |`);
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
}
await store.close();
await rm(work, { recursive: true, force: true });
