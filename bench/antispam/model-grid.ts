/**
 * How Bayes, the spam model and the rules combine, on the TRAINING half only: Bayes and the model
 * are cross-validated once per folding (stratified and sender-grouped, see tune.ts), then every
 * combination of the grid below is scored from those held-out values. Prints, per combination, CV
 * spam recall and the held-out ham at ≥ 5 / ≥ 4 / ≥ 3 under both foldings, best first among those
 * whose ham ≥ 5 is not above `--max-ham5` in either folding; the default and the high-recall
 * setting (bench/antispam/settings.ts) are marked.
 *
 *   node bin/moat-dev.js bench/antispam/model-grid.ts [--max-ham5 N] [--ham-weight W] [--folds K]
 *
 * --ham-weight  fit the model cost-sensitively: a ham example's gradient counts W times (default 1)
 *
 * Grid: Bayes scored by fixed bands, or `log_odds` at weight 0.25 / 0.5 / 0.75 / 1 (the shipped
 * clamps); LOGREG off, or weight 0.5 / 0.75 / 1 with max_score 3 / 4 / 6 (min_score as shipped);
 * rules at their trained scores (`score_trained`, as shipped) or their untrained ones.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_PARAMS } from '../../src/antispam/bayes/classifier.js';
import { bayesScore, type BayesScoring } from '../../src/antispam/bayes/bayes-score.js';
import { DEFAULT_FIT } from '../../src/antispam/model/logistic-model.js';
import { logOddsScore } from '../../src/antispam/log-odds-score.js';
import { benchAntispamConfig } from './settings.js';
import { crossValidatedBayes, crossValidatedLogOdds, trainingItems, type CvItem } from './cross-validation.js';

const { values } = parseArgs({ options: { 'max-ham5': { type: 'string' }, 'ham-weight': { type: 'string' }, folds: { type: 'string' } } });
const MAX_HAM5 = Number(values['max-ham5'] ?? 2);
const FOLDS = Number(values.folds ?? 5);
const shipped = benchAntispamConfig(false);
const highRecall = benchAntispamConfig(true);

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

interface Setting {
  bayes: BayesScoring;
  model: { weight: number; max_score: number; min_score: number } | undefined;
  trainedRules: boolean;
}
function measure(f: Folding, s: Setting) {
  const score = (i: number) => {
    const it = f.items[i]!;
    return (s.trainedRules ? it.rules : it.rulesUntrained) + bayesScore(f.bayes[i]!, s.bayes) + (s.model ? logOddsScore(f.z[i]!, s.model) : 0);
  };
  const ham = f.items.flatMap((it, i) => (it.spam ? [] : [score(i)]));
  const spam = f.items.flatMap((it, i) => (it.spam ? [score(i)] : []));
  return { recall: spam.filter((x) => x >= shipped.required_score).length / spam.length, ham: [0, 1, 2].map((d) => ham.filter((x) => x >= shipped.required_score - d).length) };
}

const bayesOptions: BayesScoring[] = [{ ...shipped.bayes, scoring: 'bands' }, ...[0.25, 0.5, 0.75, 1].map((weight) => ({ ...shipped.bayes, scoring: 'log_odds' as const, weight }))];
const modelOptions: Setting['model'][] = [undefined];
for (const weight of [0.5, 0.75, 1]) for (const max_score of [3, 4, 6]) modelOptions.push({ weight, max_score, min_score: shipped.model.min_score });
const isSetting = (s: Setting, a: typeof shipped) =>
  s.trainedRules === a.trained_rule_scores && s.bayes.scoring === a.bayes.scoring && (s.bayes.scoring === 'bands' || s.bayes.weight === a.bayes.weight) && (a.model.enabled ? s.model?.weight === a.model.weight && s.model.max_score === a.model.max_score : s.model === undefined);
const mark = (s: Setting) => (isSetting(s, shipped) ? 'default: ' : isSetting(s, highRecall) ? 'high-recall: ' : '');

const rows: Array<{ s: Setting; r: ReturnType<typeof measure>[] }> = [];
for (const trainedRules of [true, false]) for (const bayes of bayesOptions) for (const model of modelOptions) {
  const s = { bayes, model, trainedRules };
  rows.push({ s, r: foldings.map((f) => measure(f, s)) });
}
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
console.log(`training half, ${FOLDS} folds; columns: CV spam recall, held-out ham at ≥ ${shipped.required_score} / ≥ ${shipped.required_score - 1} / ≥ ${shipped.required_score - 2}`);
console.log(`| rules | Bayes | LOGREG weight / max | stratified recall | ham | grouped recall | ham |`);
console.log('|---|---|---|---|---|---|---|');
for (const { s, r } of rows.filter((x) => mark(x.s) !== '' || x.r.every((m) => m.ham[0]! <= MAX_HAM5)).sort((a, b) => Math.min(...b.r.map((m) => m.recall)) - Math.min(...a.r.map((m) => m.recall)))) {
  const bayes = s.bayes.scoring === 'bands' ? 'bands' : `${s.bayes.weight} × log-odds`;
  console.log(`| ${mark(s)}${s.trainedRules ? 'trained' : 'untrained'} | ${bayes} | ${s.model ? `${s.model.weight} / ${s.model.max_score}` : 'off'} | ${pct(r[0]!.recall)} | ${r[0]!.ham.join('/')} | ${pct(r[1]!.recall)} | ${r[1]!.ham.join('/')} |`);
}
