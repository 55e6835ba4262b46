/**
 * Cross-validation on the TRAINING half of the corpus (the test half of run.ts is never read):
 * the messages with their tokens, model features, rule hits and fold, and the held-out Bayes
 * probability and spam-model log-odds of each. Used by tune.ts and model-grid.ts.
 */
import { combine, tokenProbability, type ClassifierParams, type TokenCounts } from '../../src/antispam/bayes/classifier.js';
import { tokenize } from '../../src/antispam/bayes/tokenizer.js';
import { loadRules } from '../../src/antispam/load-rules.js';
import { viewMessage } from '../../src/antispam/message-view.js';
import { DEFAULT_FIT, fitModel, logit, type FitOptions } from '../../src/antispam/model/logistic-model.js';
import { modelFeatures } from '../../src/antispam/model/model-features.js';
import type { SpamSymbol } from '../../src/antispam/types.js';
import { isTest, loadCorpus, type Subset } from './corpus.js';

export interface CvItem {
  id: string;
  subset: Subset;
  subject: string;
  spam: boolean;
  fold: number;
  tokens: string[];
  features: Uint32Array;
  /** Sum of the shipped rules' scores once Bayes is trained (`score_trained`), as the scorer adds them in CV. */
  rules: number;
  /** Sum of the shipped rules' untrained scores (`score`): the weights before score sets. */
  rulesUntrained: number;
  /** Rules that matched with a nonzero untrained score (name → that score), for rule-by-rule experiments. */
  symbols: Map<string, number>;
}

/** Fold of a message by its sender's registered domain (last two labels). */
function senderFold(from: string | undefined, folds: number): number {
  const domain = (/@([a-z0-9.-]+)/i.exec(from ?? '')?.[1] ?? '').toLowerCase().split('.').slice(-2).join('.');
  return [...domain].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % folds;
}

/**
 * The training half, each message with its fold: stratified (each subset dealt round-robin), or
 * with `grouped`, hard ham dealt by the registered domain of its From address, so a held-out
 * newsletter's sender was never trained on.
 */
export async function trainingItems(folds: number, grouped: boolean): Promise<CvItem[]> {
  const train = (await loadCorpus(Infinity)).filter((m) => !isTest(m));
  const rules = await loadRules([]);
  const seen = new Map<string, number>();
  return train.map((m) => {
    const view = viewMessage(Buffer.from(m.text));
    const k = seen.get(m.subset) ?? 0;
    seen.set(m.subset, k + 1);
    const untrained: SpamSymbol[] = rules.evaluate(view).filter((s) => s.score !== 0);
    const trained: SpamSymbol[] = rules.evaluate(view, { trained: true });
    const fold = grouped && m.subset === 'hard-ham-1' ? senderFold(view.header('from'), folds) : k % folds;
    const tokens = tokenize(view);
    return { id: `${m.subset}/${m.id}`, subset: m.subset, subject: view.subject, spam: m.spam, fold, tokens, features: modelFeatures(Buffer.from(m.text), tokens), rules: trained.reduce((a, s) => a + s.score, 0), rulesUntrained: untrained.reduce((a, s) => a + s.score, 0), symbols: new Map(untrained.map((s) => [s.name, s.score])) };
  });
}

/** Bayes probability of every item, each from counts of the other folds. */
export function crossValidatedBayes(items: readonly CvItem[], folds: number, params: ClassifierParams): number[] {
  const probs = new Array<number>(items.length);
  for (let f = 0; f < folds; f++) {
    const counts = new Map<string, TokenCounts>();
    let nSpam = 0;
    let nHam = 0;
    for (const it of items) {
      if (it.fold === f) continue;
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
      const p = new Map<string, number>();
      for (const t of it.tokens) {
        const c = counts.get(t);
        if (c) p.set(t, tokenProbability(c, nSpam, nHam, params));
      }
      probs[i] = combine(p, params).probability;
    });
  }
  return probs;
}

/** Spam-model log-odds of every item, each from a model fitted on the other folds. */
export async function crossValidatedLogOdds(items: readonly CvItem[], folds: number, fit: FitOptions = DEFAULT_FIT): Promise<number[]> {
  const out = new Array<number>(items.length).fill(0);
  for (let f = 0; f < folds; f++) {
    const weights = await fitModel(items.filter((it) => it.fold !== f), fit);
    items.forEach((it, i) => {
      if (it.fold === f) out[i] = logit(weights, it.features);
    });
  }
  return out;
}
