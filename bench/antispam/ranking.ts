/**
 * How well each part of the score ranks spam above ham, on the TRAINING half only (5-fold CV,
 * stratified and sender-grouped as in tune.ts): spam recall at the threshold that lets exactly
 * k = 0…4 held-out ham through, and 1 − AUC (the share of spam–ham pairs ranked the wrong way,
 * ties counting half), for the shipped score, Bayes alone, the spam model alone and log-odds
 * combinations. Then a learned sender reputation (see below) added to the high-recall
 * setting. The tables of docs/antispam-accuracy.md, "Log-odds Bayes scoring…", come from here.
 *
 *   node bin/moat-dev.js bench/antispam/ranking.ts
 *
 * Rule by rule: each shipped rule that fires on the training half, at its untrained score, alone on
 * top of the high-recall setting's Bayes and model scores (no other rule).
 *
 * Sender reputation: a held-out message whose sender (From address, its registered domain, or
 * either with the /16 of the sending host: the oldest public IP of the Received chain as the DNS
 * blocklists read it) was learned as ham in the other folds, and never as spam, gets −3.
 */
import { DEFAULT_PARAMS } from '../../src/antispam/bayes/classifier.js';
import { bayesScore } from '../../src/antispam/bayes/bayes-score.js';
import { registeredDomain, untrustedIps } from '../../src/antispam/dnsbl.js';
import { logOdds, logOddsScore } from '../../src/antispam/log-odds-score.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { isTest, loadCorpus } from './corpus.js';
import { crossValidatedBayes, crossValidatedLogOdds, trainingItems, type CvItem } from './cross-validation.js';
import { benchAntispamConfig } from './settings.js';

const FOLDS = 5;
const shipped = benchAntispamConfig(false);
const highRecall = benchAntispamConfig(true);

/** 1 − AUC: the share of (spam, ham) pairs where the ham scores higher, ties counting half. */
function misranked(spam: readonly number[], ham: readonly number[]): number {
  let wrong = 0;
  for (const s of spam) for (const h of ham) wrong += h > s ? 1 : h === s ? 0.5 : 0;
  return wrong / (spam.length * ham.length);
}

/** Sender keys of the training half, in trainingItems order. */
const senders = (await loadCorpus(Infinity))
  .filter((m) => !isTest(m))
  .map((m) => {
    const v = viewMessage(Buffer.from(m.text));
    const address = (/[\w.+=-]+@[\w.-]+/.exec(v.header('from') ?? '')?.[0] ?? '').toLowerCase();
    const domain = address.includes('@') ? registeredDomain(address.split('@')[1]!) : '';
    const origin = untrustedIps(v.headers('received'), 0, undefined).at(-1);
    const net = origin?.includes('.') ? origin.split('.').slice(0, 2).join('.') : undefined;
    return { address, domain, net };
  });

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
for (const grouped of [false, true]) {
  const items = await trainingItems(FOLDS, grouped);
  const bayes = crossValidatedBayes(items, FOLDS, DEFAULT_PARAMS);
  const z = await crossValidatedLogOdds(items, FOLDS);
  console.log(`\n${grouped ? 'sender-grouped' : 'stratified'} folds: spam recall with k held-out ham above the threshold`);
  console.log('| score | k = 0 | 1 | 2 | 3 | 4 | 1 − AUC |\n|---|---|---|---|---|---|---|');
  const scorers: Record<string, (it: CvItem, i: number) => number> = {
    'shipped (rules + BAYES_* bands)': (it, i) => it.rulesUntrained + bayesScore(bayes[i]!, shipped.bayes),
    'Bayes probability alone': (_it, i) => bayes[i]!,
    'model log-odds alone': (_it, i) => z[i]!,
    '0.25 × Bayes log-odds + 0.5 × model log-odds': (_it, i) => 0.25 * logOdds(bayes[i]!) + 0.5 * z[i]!,
    'high-recall setting': (it, i) => it.rules + bayesScore(bayes[i]!, highRecall.bayes) + logOddsScore(z[i]!, highRecall.model),
  };
  for (const [name, score] of Object.entries(scorers)) {
    const ham = items.flatMap((it, i) => (it.spam ? [] : [score(it, i)])).sort((a, b) => b - a);
    const spam = items.flatMap((it, i) => (it.spam ? [score(it, i)] : []));
    console.log(`| ${name} | ${[0, 1, 2, 3, 4].map((k) => pct(spam.filter((s) => s > ham[k]!).length / spam.length)).join(' | ')} | ${(100 * misranked(spam, ham)).toFixed(3)}% |`);
  }

  console.log(`\n${grouped ? 'sender-grouped' : 'stratified'} folds: each rule alone on top of the high-recall setting's Bayes and model`);
  console.log('| rule (untrained score) | fires on spam / hard ham / easy ham | recall | ham ≥ 5 / ≥ 4 / ≥ 3 |\n|---|---|---|---|');
  const classifiers = items.map((_it, i) => bayesScore(bayes[i]!, highRecall.bayes) + logOddsScore(z[i]!, highRecall.model));
  const ruleNames = [...new Set(items.flatMap((it) => [...it.symbols.keys()]))].sort();
  for (const rule of ['(none)', ...ruleNames]) {
    const score = (i: number) => classifiers[i]! + (items[i]!.symbols.get(rule) ?? 0);
    const ham = items.flatMap((it, i) => (it.spam ? [] : [score(i)]));
    const spam = items.flatMap((it, i) => (it.spam ? [score(i)] : []));
    const fires = (kind: string) => items.filter((it) => it.subset.startsWith(kind) && it.symbols.has(rule)).length;
    const scoreText = rule === '(none)' ? '' : ` (${items.find((it) => it.symbols.has(rule))!.symbols.get(rule)})`;
    console.log(`| ${rule}${scoreText} | ${rule === '(none)' ? '' : `${fires('spam')} / ${fires('hard')} / ${fires('easy')}`} | ${pct(spam.filter((s) => s >= 5).length / spam.length)} | ${[5, 4, 3].map((t) => ham.filter((s) => s >= t).length).join(' / ')} |`);
  }

  console.log(`\n${grouped ? 'sender-grouped' : 'stratified'} folds: the high-recall setting with a learned sender reputation (−3)`);
  console.log('| sender key | held-out hard ham with a known ham sender | spam with a known ham sender | recall | ham ≥ 5 / ≥ 4 / ≥ 3 |\n|---|---|---|---|---|');
  const keys: Record<string, (i: number) => string | undefined> = {
    none: () => undefined,
    'From address': (i) => senders[i]!.address || undefined,
    'From domain': (i) => senders[i]!.domain || undefined,
    'address + origin /16': (i) => (senders[i]!.address && senders[i]!.net ? `${senders[i]!.address} ${senders[i]!.net}` : undefined),
    'domain + origin /16': (i) => (senders[i]!.domain && senders[i]!.net ? `${senders[i]!.domain} ${senders[i]!.net}` : undefined),
  };
  for (const [name, key] of Object.entries(keys)) {
    const knownHam = items.map((it, i) => {
      const k = key(i);
      if (k === undefined) return false;
      let ham = 0;
      let spam = 0;
      items.forEach((o, j) => {
        if (o.fold === it.fold || key(j) !== k) return;
        if (o.spam) spam++;
        else ham++;
      });
      return ham > 0 && spam === 0;
    });
    const score = (i: number) => items[i]!.rules + bayesScore(bayes[i]!, highRecall.bayes) + logOddsScore(z[i]!, highRecall.model) + (knownHam[i] ? -3 : 0);
    const ham = items.flatMap((it, i) => (it.spam ? [] : [score(i)]));
    const spam = items.flatMap((it, i) => (it.spam ? [score(i)] : []));
    const hardKnown = items.filter((it, i) => it.subset === 'hard-ham-1' && knownHam[i]).length;
    const spamKnown = items.filter((it, i) => it.spam && knownHam[i]).length;
    console.log(`| ${name} | ${hardKnown} / ${items.filter((it) => it.subset === 'hard-ham-1').length} | ${spamKnown} | ${pct(spam.filter((s) => s >= 5).length / spam.length)} | ${[5, 4, 3].map((t) => ham.filter((s) => s >= t).length).join(' / ')} |`);
  }
}
