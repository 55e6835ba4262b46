/**
 * Robinson–Fisher Bayes, as in SpamAssassin and Bogofilter: per-token probabilities with
 * Robinson's smoothing, combined with Fisher's chi-square method over the most interesting tokens.
 */
export interface TokenCounts {
  spam: number;
  ham: number;
}

/**
 * Robinson's s (strength of the prior), x (prior probability of an unknown token), the distance
 * from 0.5 below which a token is ignored, and how many of the most interesting tokens are
 * combined. bench/antispam/tune.ts searches these by cross-validation on the training half
 * (docs/antispam-accuracy.md, "Cross-validated weights", has what it found and why the defaults
 * were kept).
 */
export interface ClassifierParams {
  s: number;
  x: number;
  minInterest: number;
  maxTokens: number;
}

export const DEFAULT_PARAMS: ClassifierParams = { s: 0.45, x: 0.5, minInterest: 0.1, maxTokens: 150 };

export function tokenProbability(c: TokenCounts, nSpam: number, nHam: number, params: ClassifierParams = DEFAULT_PARAMS): number {
  const { s: S, x: X } = params;
  const spamRatio = nSpam ? c.spam / nSpam : 0;
  const hamRatio = nHam ? c.ham / nHam : 0;
  const total = c.spam + c.ham;
  const p = spamRatio + hamRatio === 0 ? X : spamRatio / (spamRatio + hamRatio);
  return (S * X + total * p) / (S + total);
}

/** Inverse chi-square survival function for even degrees of freedom. */
function chi2q(chi: number, df: number): number {
  const m = chi / 2;
  let sum = Math.exp(-m);
  let term = sum;
  for (let i = 1; i < df / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

/** The tokens Bayes combines: at least `minInterest` from 0.5, the `maxTokens` farthest first. */
export function mostInteresting(probabilities: Map<string, number>, params: ClassifierParams = DEFAULT_PARAMS): Array<[token: string, probability: number]> {
  return [...probabilities].filter(([, p]) => Math.abs(p - 0.5) >= params.minInterest).sort(([, a], [, b]) => Math.abs(b - 0.5) - Math.abs(a - 0.5)).slice(0, params.maxTokens);
}

/** Combined spam probability 0..1 and the tokens that decided it. */
export function combine(probabilities: Map<string, number>, params: ClassifierParams = DEFAULT_PARAMS): { probability: number; used: number } {
  const interesting = mostInteresting(probabilities, params).map(([, p]) => p);
  if (interesting.length === 0) return { probability: 0.5, used: 0 };
  let lnSpam = 0;
  let lnHam = 0;
  for (const p0 of interesting) {
    const p = Math.min(Math.max(p0, 1e-6), 1 - 1e-6);
    lnSpam += Math.log(1 - p);
    lnHam += Math.log(p);
  }
  const n = interesting.length;
  const s = 1 - chi2q(-2 * lnSpam, 2 * n);
  const h = 1 - chi2q(-2 * lnHam, 2 * n);
  return { probability: (1 + s - h) / 2, used: n };
}
