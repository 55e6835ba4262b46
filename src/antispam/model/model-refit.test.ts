import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../core/config/load.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { openSqliteTokenStore } from '../../storage/bayes/sqlite-token-store.js';
import { loadRules } from '../load-rules.js';
import { createSpamScorer, learnMessage } from '../spam-scorer.js';
import { refitModel, startModelRefits } from './model-refit.js';

const spamText = (i: number) => `From: deals${i}@promo.example\r\nSubject: cheap meds offer ${i}\r\n\r\nBuy cheap meds online now, limited offer ${i}, best prices guaranteed\r\n`;
const hamText = (i: number) => `From: alice@work.example\r\nSubject: meeting notes ${i}\r\n\r\nHere are the notes from the project meeting ${i}; the build is green again\r\n`;

async function trainedStore(n: number, withFeatures = true) {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-model-')));
  for (let i = 0; i < n; i++) {
    await learnMessage(store, Buffer.from(spamText(i)), 'spam', withFeatures);
    await learnMessage(store, Buffer.from(hamText(i)), 'ham', withFeatures);
  }
  return store;
}

test('refit: needs min_learned of each class, fits once per generation, refits after new learning', async () => {
  const store = await trainedStore(5);
  const few = await refitModel(store, { maxExamples: 100, minLearned: 10 });
  assert.deepEqual([few.fitted, few.spam, few.ham], [false, 5, 5]);
  assert.equal(await store.modelGeneration(), undefined);
  const first = await refitModel(store, { maxExamples: 100, minLearned: 5 });
  assert.equal(first.fitted, true);
  assert.equal(await store.modelGeneration(), await store.generation());
  assert.equal((await refitModel(store, { maxExamples: 100, minLearned: 5 })).fitted, false, 'up to date');
  assert.equal((await refitModel(store, { maxExamples: 100, minLearned: 5, force: true })).fitted, true, 'forced');
  await learnMessage(store, Buffer.from(hamText(99)), 'ham', true);
  const again = await refitModel(store, { maxExamples: 100, minLearned: 5 });
  assert.deepEqual([again.fitted, again.ham], [true, 6]);
  const capped = await refitModel(store, { maxExamples: 4, minLearned: 1, force: true });
  assert.equal(capped.spam + capped.ham, 4, 'at most max_examples, the newest');
  await store.close();
});

test('scorer: LOGREG_SPAM / LOGREG_HAM from the fitted model, silent when off or not fitted', async () => {
  const store = await trainedStore(12);
  const rules = await loadRules([]);
  const scorerWith = (toml: string) => createSpamScorer({ config: loadConfig([{ file: 't.toml', text: `[antispam.bayes]\nmin_learned = 10\nautolearn = false\n${toml}` }]).config.antispam, rules, store, logger: silentLogger(), readOnly: true });
  const on = scorerWith('[antispam.model]\nenabled = true\n');
  const names = async (text: string, s = on) => (await s.explain(Buffer.from(text))).symbols.map((x) => x.name);
  assert.ok(!(await names(spamText(50))).some((n) => n.startsWith('LOGREG')), 'no model fitted yet: silent');
  const watching = createSpamScorer({ config: loadConfig([{ file: 't.toml', text: '[antispam.bayes]\nmin_learned = 10\nautolearn = false\n[antispam.model]\nenabled = true\n' }]).config.antispam, rules, store, logger: silentLogger(), readOnly: true, modelCheckMs: 0 });
  assert.ok(!(await names(spamText(51), watching)).some((n) => n.startsWith('LOGREG')));
  await refitModel(store, { maxExamples: 1000, minLearned: 10 });
  assert.ok((await names(spamText(51), watching)).includes('LOGREG_SPAM'), 'a running scorer picks up a model fitted after it started');
  assert.ok(!(await names(spamText(51))).some((n) => n.startsWith('LOGREG')), 'until its next check (30 s by default), a scorer keeps what it had');
  const fresh = scorerWith('[antispam.model]\nenabled = true\n');
  const spamVerdict = await fresh.explain(Buffer.from(spamText(77)));
  const logreg = spamVerdict.symbols.find((x) => x.name === 'LOGREG_SPAM');
  assert.ok(logreg && logreg.score > 0 && logreg.score <= 3, JSON.stringify(spamVerdict.symbols));
  assert.match(logreg.description, /probability \d+\.\d%/);
  const hamVerdict = await fresh.explain(Buffer.from(hamText(77)));
  const hamSymbol = hamVerdict.symbols.find((x) => x.name === 'LOGREG_HAM');
  assert.ok(hamSymbol && hamSymbol.score < 0 && hamSymbol.score >= -2, JSON.stringify(hamVerdict.symbols));
  assert.ok(!(await names(spamText(77), scorerWith(''))).some((n) => n.startsWith('LOGREG')), 'off by default');
  const capped = scorerWith('[antispam.model]\nenabled = true\nweight = 100\nmax_score = 1.25\n');
  assert.equal((await capped.explain(Buffer.from(spamText(78)))).symbols.find((x) => x.name === 'LOGREG_SPAM')?.score, 1.25, 'clamped to max_score');
  await store.close();
});

test('daemon refit loop: refits when messages were learned, keeps serving, stops cleanly', async () => {
  const store = await trainedStore(6);
  const lines: string[] = [];
  const logger = { ...silentLogger(), info: (o: object, msg?: string) => lines.push(`${msg} ${JSON.stringify(o)}`) } as unknown as Logger;
  const stop = startModelRefits(store, { intervalMs: 20, maxExamples: 100, minLearned: 5, logger });
  try {
    for (let i = 0; i < 100 && (await store.modelGeneration()) === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.modelGeneration(), await store.generation());
    assert.ok(lines.some((l) => l.startsWith('spam model refitted')), lines.join('\n'));
  } finally {
    stop();
  }
  await store.close();
});

test('a damaged stored model is refused with SPAM_MODEL_INVALID; scoring goes on without it', async () => {
  const store = await trainedStore(12);
  const warnings: string[] = [];
  const logger = { ...silentLogger(), warn: (o: { code?: string }, msg?: string) => warnings.push(`${o.code} ${msg}`) } as unknown as Logger;
  const scorer = createSpamScorer({ config: loadConfig([{ file: 't.toml', text: '[antispam.bayes]\nmin_learned = 10\nautolearn = false\n[antispam.model]\nenabled = true\n' }]).config.antispam, rules: await loadRules([]), store, logger, readOnly: true, modelCheckMs: 0 });
  await store.saveModel({ generation: 1, weights: new Float32Array(10) });
  const short = await scorer.explain(Buffer.from(spamText(5)));
  assert.ok(short.scanned && !short.symbols.some((s) => s.name.startsWith('LOGREG')));
  const nan = new Float32Array(1 << 20);
  nan[3] = Number.NaN;
  await store.saveModel({ generation: 2, weights: nan });
  const verdict = await scorer.explain(Buffer.from(spamText(6)));
  assert.ok(Number.isFinite(verdict.score) && !verdict.symbols.some((s) => s.name.startsWith('LOGREG')));
  assert.equal(warnings.filter((w) => w.startsWith('SPAM_MODEL_INVALID stored spam model refused')).length, 2, warnings.join('\n'));
  await refitModel(store, { maxExamples: 1000, minLearned: 10 });
  assert.ok((await scorer.explain(Buffer.from(spamText(7)))).symbols.some((s) => s.name === 'LOGREG_SPAM'), 'a good model is taken up again');
  await store.close();
});

test('autolearn keeps the features when the model is on, not when it is off', async () => {
  for (const enabled of [true, false]) {
    const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-model-')));
    const config = loadConfig([{ file: 't.toml', text: `[antispam.bayes]\nautolearn = true\nautolearn_spam_score = -100\n[antispam.model]\nenabled = ${enabled}\n` }]).config.antispam;
    const scorer = createSpamScorer({ config, rules: await loadRules([]), store, logger: silentLogger() });
    const verdict = await scorer.explain(Buffer.from(spamText(1)));
    assert.match(verdict.headers.find((h) => h.name === 'X-Spam-Status')!.value, /autolearn=spam/);
    assert.equal((await store.examples(10)).length, enabled ? 1 : 0, `model ${enabled ? 'on' : 'off'}`);
    assert.deepEqual(await store.totals(), { spam: 1, ham: 0 });
    await store.close();
  }
});
