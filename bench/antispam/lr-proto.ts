/**
 * PROTOTYPE (training half only): online logistic regression over hashed binary features, by
 * stratified 5-fold CV, compared with the shipped Bayes.
 */
import { parseArgs } from 'node:util';
import { combine, DEFAULT_PARAMS, tokenProbability, type TokenCounts } from '../../src/antispam/bayes/classifier.js';
import { tokenize } from '../../src/antispam/bayes/tokenizer.js';
import { loadRules } from '../../src/antispam/load-rules.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { isTest, loadCorpus } from './corpus.js';

const { values } = parseArgs({ options: { features: { type: 'string' }, rate: { type: 'string' }, epochs: { type: 'string' }, bytes: { type: 'string' }, bits: { type: 'string' }, grouped: { type: 'boolean' } } });
const FEATURES = (values.features ?? 'tokens').split(',');
const RATE = Number(values.rate ?? 0.02);
const EPOCHS = Number(values.epochs ?? 5);
const BYTES = Number(values.bytes ?? 3000);
const BITS = Number(values.bits ?? 22);
const FOLDS = 5;
const SEED = Number(process.env.SEED ?? 17);

const train = (await loadCorpus(Infinity)).filter((m) => !isTest(m));
const rules = await loadRules([]);
const seen = new Map<string, number>();
function fnv(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
function senderFold(from: string | undefined): number {
  const domain = (/@([a-z0-9.-]+)/i.exec(from ?? '')?.[1] ?? '').toLowerCase().split('.').slice(-2).join('.');
  return [...domain].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % FOLDS;
}
const mask = (1 << BITS) - 1;
const items = train.map((m) => {
  const view = viewMessage(Buffer.from(m.text));
  const k = seen.get(m.subset) ?? 0;
  seen.set(m.subset, k + 1);
  const symbols = rules.evaluate(view);
  const tokens = tokenize(view);
  const feats = new Set<number>();
  const charToks: string[] = [];
  if (FEATURES.includes('bchars')) { const raw = m.text.slice(0, BYTES); const cs = new Set<string>(); for (let i = 0; i + 4 <= raw.length; i++) cs.add('C' + raw.slice(i, i + 4)); charToks.push(...cs); }
  if (FEATURES.includes('rules')) for (const r of symbols) if (r.score !== 0) feats.add(fnv('R:' + r.name, 4) & mask);
  if (FEATURES.includes('tokens')) for (const t of tokens) feats.add(fnv(t, 1) & mask);
  if (FEATURES.includes('chars')) {
    const raw = m.text.slice(0, BYTES);
    for (let i = 0; i + 4 <= raw.length; i++) feats.add(fnv(raw.slice(i, i + 4), 2) & mask);
  }
  if (FEATURES.includes('textchars')) {
    const raw = (view.subject + '\n' + view.text).slice(0, BYTES);
    for (let i = 0; i + 4 <= raw.length; i++) feats.add(fnv(raw.slice(i, i + 4), 3) & mask);
  }
  const fold = values.grouped && m.subset === 'hard-ham-1' ? senderFold(view.header('from')) : k % FOLDS;
  return { subset: m.subset, spam: m.spam, fold, tokens: [...tokens, ...charToks], feats: Uint32Array.from(feats), rules: symbols.reduce((a, s) => a + (s.name === 'PHISH_LINK_MISMATCH' && process.env.PHISH ? Number(process.env.PHISH) : s.score), 0), names: symbols.filter((s) => s.score !== 0).map((s) => s.name + ':' + s.score).join(' ') };
});

function shuffle<T>(a: T[], seed: number): T[] {
  let s = seed;
  const out = [...a];
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const lr = new Array<number>(items.length);
const bayes = new Array<number>(items.length);
for (let f = 0; f < FOLDS; f++) {
  const w = new Float32Array(1 << BITS);
  const tr = items.filter((it) => it.fold !== f);
  const avg = new Float32Array(1 << BITS);
  let nAvg = 0;
  const AVG_FROM = Number(process.env.AVG_FROM ?? EPOCHS);
  const DECAY = Number(process.env.DECAY ?? 0);
  for (let e = 0; e < EPOCHS; e++) {
    const rate = RATE / (1 + DECAY * e);
    for (const it of shuffle(tr, SEED + e * 7 + f)) {
      let z = 0;
      for (const i of it.feats) z += w[i]!;
      const g = rate * ((it.spam ? 1 : 0) - sigmoid(z));
      for (const i of it.feats) w[i]! += g;
      if (e + 1 >= AVG_FROM) { for (let i = 0; i < w.length; i += 1) {} }
    }
    if (e + 1 >= AVG_FROM) { for (let i = 0; i < w.length; i++) avg[i]! += w[i]!; nAvg++; }
  }
  if (nAvg > 1) for (let i = 0; i < w.length; i++) w[i] = avg[i]! / nAvg;
  const counts = new Map<string, TokenCounts>();
  let nSpam = 0;
  let nHam = 0;
  for (const it of tr) {
    if (it.spam) nSpam++;
    else nHam++;
    for (const t of it.tokens) {
      const c = counts.get(t) ?? { spam: 0, ham: 0 };
      if (it.spam) c.spam++;
      else c.ham++;
      counts.set(t, c);
    }
  }
  items.forEach((it, i) => {
    if (it.fold !== f) return;
    let z = 0;
    for (const k of it.feats) z += w[k]!;
    lr[i] = z;
    const p = new Map<string, number>();
    for (const t of it.tokens) {
      const c = counts.get(t);
      if (c) p.set(t, tokenProbability(c, nSpam, nHam, DEFAULT_PARAMS));
    }
    bayes[i] = combine(p, DEFAULT_PARAMS).probability;
  });
}

function report(name: string, s: number[]): void {
  const ham = items.flatMap((it, i) => (it.spam ? [] : [s[i]!])).sort((a, b) => b - a);
  const spam = items.flatMap((it, i) => (it.spam ? [s[i]!] : []));
  const hard = items.flatMap((it, i) => (it.subset === 'hard-ham-1' ? [s[i]!] : [])).sort((a, b) => b - a);
  // AUC
  let auc = 0;
  for (const x of spam) for (const y of ham) auc += x > y ? 1 : x === y ? 0.5 : 0;
  auc /= spam.length * ham.length;
  const at = (k: number) => spam.filter((x) => x > ham[k]!).length / spam.length;
  console.log(`${name.padEnd(28)} 1-AUC ${((1 - auc) * 100).toFixed(3)}%  recall@0FP ${(at(0) * 100).toFixed(2)}%  @1FP ${(at(1) * 100).toFixed(2)}%  @2FP ${(at(2) * 100).toFixed(2)}%  @4FP ${(at(4) * 100).toFixed(2)}%  top hard ham ${hard.slice(0, 5).map((x) => x.toFixed(2)).join(' ')}`);
}
report(`bayes`, bayes);
report(`LR ${FEATURES.join('+')} r${RATE} e${EPOCHS}`, lr);
const bandScore = (p: number) => (p >= 0.999 ? 6 : p >= 0.99 ? 5 : p >= 0.95 ? 3.5 : p >= 0.8 ? 2 : p >= 0.6 ? 1 : p >= 0.4 ? 0 : p >= 0.2 ? -0.5 : p >= 0.05 ? -1.5 : -3);
report('rules+bayes bands (shipped)', items.map((it, i) => it.rules + bandScore(bayes[i]!)));
report('rules+LR(prob bands)', items.map((it, i) => it.rules + bandScore(sigmoid(lr[i]!))));
report('rules+bayes+LR bands', items.map((it, i) => it.rules + bandScore(bayes[i]!) + bandScore(sigmoid(lr[i]!))));
report('rules + 1.0*z', items.map((it, i) => it.rules + lr[i]!));
const ham = items.flatMap((it, i) => (it.spam ? [] : [i]));
const spamIdx = items.flatMap((it, i) => (it.spam ? [i] : []));
function atFive(name: string, score: (i: number) => number): void {
  const n = (min: number) => ham.filter((i) => score(i) >= min).length;
  const caught = spamIdx.filter((i) => score(i) >= 5).length;
  console.log(`${name.padEnd(40)} recall ${((100 * caught) / spamIdx.length).toFixed(2)}%  ham ≥5/≥4/≥3 ${n(5)}/${n(4)}/${n(3)}`);
}
atFive('shipped', (i) => items[i]!.rules + bandScore(bayes[i]!));
for (const k of (process.env.KS ?? '0.5,0.75,1').split(',').map(Number)) for (const hi of (process.env.HIS ?? '3,4,5').split(',').map(Number)) for (const lo of [-2])
  atFive(`bayes + clamp(${k}z, ${lo}, ${hi})`, (i) => items[i]!.rules + bandScore(bayes[i]!) + Math.min(hi, Math.max(lo, k * lr[i]!)));
if (process.env.SHOW) {
  const [k, lo, hi] = process.env.SHOW.split(',').map(Number) as [number, number, number];
  const sc = (i: number) => items[i]!.rules + bandScore(bayes[i]!) + Math.min(hi, Math.max(lo, k * lr[i]!));
  for (const i of ham.filter((j) => sc(j) >= 2.5).sort((a, b) => sc(b) - sc(a))) console.log(`ham ${sc(i).toFixed(2)} rules ${items[i]!.rules} bayes ${bayes[i]!.toFixed(3)} z ${lr[i]!.toFixed(2)} ${items[i]!.subset} ${train[i]!.id} [${items[i]!.names}] ${(/^Subject: (.*)$/m.exec(train[i]!.text)?.[1] ?? '').slice(0, 50)}`);
  const missed = spamIdx.filter((j) => sc(j) < 5);
  console.log(`missed spam ${missed.length}: rules≥1 ${missed.filter((i) => items[i]!.rules >= 1).length}, bayes<0.8 ${missed.filter((i) => bayes[i]! < 0.8).length}, z<0 ${missed.filter((i) => lr[i]! < 0).length}`);
}
for (const k of [0.75, 1, 1.5]) for (const hi of [5, 6]) atFive(`LR only clamp(${k}z, -3, ${hi})`, (i) => items[i]!.rules + Math.min(hi, Math.max(-3, k * lr[i]!)));
for (const k of [0.5, 0.75]) atFive(`half bayes + clamp(${k}z, -2, 4)`, (i) => items[i]!.rules + bandScore(bayes[i]!) / 2 + Math.min(4, Math.max(-2, k * lr[i]!)));
