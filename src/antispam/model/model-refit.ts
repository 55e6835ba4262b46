import type { Logger } from '../../core/logger.js';
import type { BayesTokenStore } from '../bayes/token-store.js';
import { decodeFeatures } from './feature-codec.js';
import { DEFAULT_FIT, fitModel, type Example } from './logistic-model.js';

export interface RefitResult {
  /** False when the model was already up to date or there was too little to learn from. */
  fitted: boolean;
  spam: number;
  ham: number;
  generation: number;
  ms: number;
}

/**
 * Fits the spam model on the newest `maxExamples` learned messages and stores it, unless the
 * stored model already reflects every learned message (`force` refits anyway). Needs at least
 * `minLearned` spam and ham with features. A record that does not decode is skipped and logged,
 * never fitted on.
 */
export async function refitModel(store: BayesTokenStore, options: { maxExamples: number; minLearned: number; logger?: Logger; signal?: AbortSignal; yieldEvery?: number; force?: boolean }): Promise<RefitResult> {
  const started = performance.now();
  const generation = await store.generation();
  const result = (fitted: boolean, spam = 0, ham = 0): RefitResult => ({ fitted, spam, ham, generation, ms: Math.round(performance.now() - started) });
  if (!options.force && (await store.modelGeneration()) === generation) return result(false);
  const examples: Example[] = [];
  let damaged = 0;
  for (const r of await store.examples(options.maxExamples)) {
    try {
      examples.push({ spam: r.spam, features: decodeFeatures(r.features) });
    } catch {
      damaged++;
    }
  }
  if (damaged) options.logger?.warn({ damaged }, 'spam model: learned-message records with unreadable features skipped');
  const spam = examples.filter((e) => e.spam).length;
  const ham = examples.length - spam;
  if (spam < options.minLearned || ham < options.minLearned) return result(false, spam, ham);
  const weights = await fitModel(examples, { ...DEFAULT_FIT, signal: options.signal, yieldEvery: options.yieldEvery });
  await store.saveModel({ generation, weights });
  return result(true, spam, ham);
}

/**
 * The daemon's refitting loop: every `intervalMs`, refits when messages were learned since the
 * stored model (autolearn, quarantine releases, `moat learn` on another node). Fitting yields to
 * the event loop every 200 messages, so mail keeps flowing while it runs. Returns a stop function.
 */
export function startModelRefits(store: BayesTokenStore, options: { intervalMs: number; maxExamples: number; minLearned: number; logger: Logger }): () => void {
  const abort = new AbortController();
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await refitModel(store, { ...options, signal: abort.signal, yieldEvery: 200 });
      if (r.fitted) options.logger.info({ spam: r.spam, ham: r.ham, generation: r.generation, ms: r.ms }, 'spam model refitted');
    } catch (err) {
      if (!abort.signal.aborted) options.logger.warn({ err: (err as Error).message }, 'spam model refit failed; the previous model stays in use');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    abort.abort();
  };
}
