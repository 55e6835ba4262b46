import { FEATURE_BITS } from './model-features.js';

/**
 * Logistic regression over binary hashed features, fitted by stochastic gradient descent: a few
 * shuffled passes over every learned message, the weights averaged over the later passes (the
 * average is far less sensitive to the order of the last messages than the final weights).
 * Fitting is a batch job over the stored examples, put in an order given by their content before
 * the seeded shuffles, so `moat learn --spam` followed by `--ham` gives the same model as the
 * other order, and every node of a cluster fits the same model from the same messages.
 */
export interface FitOptions {
  epochs: number;
  rate: number;
  /** Passes from this one (1-based) on are averaged into the result. */
  averageFrom: number;
  seed: number;
  /** Gradient weight of a ham example relative to spam (cost-sensitive fitting; 1 = plain). */
  hamWeight?: number;
  signal?: AbortSignal;
  /** Give the event loop a turn after this many examples (the daemon fits while it serves mail). */
  yieldEvery?: number;
}

export const DEFAULT_FIT: FitOptions = { epochs: 10, rate: 0.02, averageFrom: 3, seed: 17 };

export interface Example {
  spam: boolean;
  features: Uint32Array;
}

/** Sum of the weights of the features present: the model's log-odds that the message is spam. */
export function logit(weights: Float32Array, features: Uint32Array): number {
  let z = 0;
  for (const f of features) z += weights[f]!;
  return z;
}

/** A hash of an example's content, so the fitting order does not depend on the learning order. */
function contentKey(ex: Example): number {
  let h = ex.spam ? 0x9e3779b9 : 0x85ebca6b;
  for (const f of ex.features) h = Math.imul(h ^ f, 16777619) >>> 0;
  return h;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function fitModel(examples: readonly Example[], options: FitOptions = DEFAULT_FIT): Promise<Float32Array> {
  const w = new Float32Array(1 << FEATURE_BITS);
  const sum = new Float64Array(w.length);
  let averaged = 0;
  let sinceYield = 0;
  const keys = new Map(examples.map((ex) => [ex, contentKey(ex)]));
  const canonical = [...examples].sort((a, b) => keys.get(a)! - keys.get(b)!);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const ex of shuffled(canonical, options.seed + epoch * 7)) {
      const z = logit(w, ex.features);
      const g = options.rate * (ex.spam ? 1 : (options.hamWeight ?? 1)) * ((ex.spam ? 1 : 0) - 1 / (1 + Math.exp(-z)));
      for (const f of ex.features) w[f]! += g;
      if (options.yieldEvery && ++sinceYield >= options.yieldEvery) {
        sinceYield = 0;
        options.signal?.throwIfAborted();
        await yieldTurn();
      }
    }
    if (epoch + 1 >= options.averageFrom) {
      for (let i = 0; i < w.length; i++) sum[i]! += w[i]!;
      averaged++;
    }
  }
  if (averaged === 0) return w;
  for (let i = 0; i < w.length; i++) w[i] = sum[i]! / averaged;
  return w;
}
