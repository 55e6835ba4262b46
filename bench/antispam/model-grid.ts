/**
 * How the opt-in spam model combines with rules and Bayes, on the TRAINING half only: Bayes and
 * the model are cross-validated once per folding (stratified and sender-grouped, see tune.ts), then
 * every combination of the grid below is scored from those held-out values. Prints, per
 * combination, CV spam recall and the held-out ham at ≥ 5 / ≥ 4 / ≥ 3 under both foldings, best
 * first among those whose ham ≥ 5 is not above `--max-ham5` in either folding.
 *
 *   node bin/moat-dev.js bench/antispam/model-grid.ts [--max-ham5 N] [--ham-weight W]
 *
 * --ham-weight  fit the model cost-sensitively: a ham example's gradient counts W times (default 1)
 *
 * Grid: BAYES_* weights scaled by 1 / 0.75 / 0.5; LOGREG weight 0.5 / 0.75 / 1 with max_score
 * 2 / 3 / 4 (min_score −2); the rule scores as shipped, or with the overrides of RULE_VARIANTS.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PARAMS } from '../../src/antispam/bayes/classifier.js';
import { BAYES_BANDS } from '../../src/antispam/spam-scorer.js';
import { DEFAULT_FIT, modelScore } from '../../src/antispam/model/logistic-model.js';
import { crossValidatedBayes, crossValidatedLogOdds, trainingItems, type CvItem } from './cross-validation.js';

const { values } = parseArgs({ options: { 'max-ham5': { type: 'string' }, 'ham-weight': { type: 'string' } } });
const MAX_HAM5 = Number(values['max-ham5'] ?? 2);
const FOLDS = 5;
const bandScore = (p: number) => BAYES_BANDS.find((b) => p >= b.min && p < b.max)!.score;

interface Folding {
  items: CvItem[];
  bayes: number[];
  z: number[];
}
async function folding(grouped: boolean): Promise<Folding> {
  const items = await trainingItems(FOLDS, grouped);
  return { items, bayes: crossValidatedBayes(items, FOLDS, DEFAULT_PARAMS), z: await crossValidatedLogOdds(items, FOLDS, { ...DEFAULT_FIT, hamWeight: Number(values['ham-weight'] ?? 1) }) };
}
const foldings = [await folding(false), await folding(true)];

/** Rule score overrides tried (name → score); the shipped scores otherwise. */
const RULE_VARIANTS: Array<{ name: string; scores: Record<string, number> }> = [
  { name: 'shipped', scores: {} },
  { name: 'PHISH 1', scores: { PHISH_LINK_MISMATCH: 1 } },
  { name: 'PHISH 1, MANY_URIS 0', scores: { PHISH_LINK_MISMATCH: 1, MANY_URIS: 0 } },
];
interface Setting {
  bayesScale: number;
  weight: number;
  max: number;
  rules: (typeof RULE_VARIANTS)[number];
}
function measure(f: Folding, s: Setting) {
  const score = (i: number) => {
    const it = f.items[i]!;
    const ruleDelta = Object.entries(s.rules.scores).reduce((a, [name, v]) => a + (it.symbols.has(name) ? v - it.symbols.get(name)! : 0), 0);
    return it.rules + ruleDelta + s.bayesScale * bandScore(f.bayes[i]!) + (s.weight ? modelScore(f.z[i]!, { weight: s.weight, min_score: -2, max_score: s.max }) : 0);
  };
  const ham = f.items.flatMap((it, i) => (it.spam ? [] : [score(i)]));
  const spam = f.items.flatMap((it, i) => (it.spam ? [score(i)] : []));
  return { recall: spam.filter((x) => x >= 5).length / spam.length, ham: [5, 4, 3].map((t) => ham.filter((x) => x >= t).length) };
}

const rows: Array<{ s: Setting; r: ReturnType<typeof measure>[] }> = [];
for (const rules of RULE_VARIANTS)
  for (const bayesScale of [1, 0.75, 0.5]) {
    rows.push({ s: { bayesScale, weight: 0, max: 0, rules }, r: foldings.map((f) => measure(f, { bayesScale, weight: 0, max: 0, rules })) });
    for (const weight of [0.5, 0.75, 1]) for (const max of [2, 3, 4]) rows.push({ s: { bayesScale, weight, max, rules }, r: foldings.map((f) => measure(f, { bayesScale, weight, max, rules })) });
  }
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(`| rules | Bayes × | LOGREG weight / max | stratified recall | ham ≥5/≥4/≥3 | grouped recall | ham ≥5/≥4/≥3 |`);
console.log('|---|---|---|---|---|---|---|');
for (const { s, r } of rows.filter((x) => x.r.every((m) => m.ham[0]! <= MAX_HAM5)).sort((a, b) => Math.min(...b.r.map((m) => m.recall)) - Math.min(...a.r.map((m) => m.recall)))) {
  console.log(`| ${s.rules.name} | ${s.bayesScale} | ${s.weight ? `${s.weight} / ${s.max}` : 'off'} | ${pct(r[0]!.recall)} | ${r[0]!.ham.join('/')} | ${pct(r[1]!.recall)} | ${r[1]!.ham.join('/')} |`);
}
