/** How a classifier's log-odds become a symbol score (BAYES_* with `scoring = "log_odds"`, LOGREG_*). */
export interface LogOddsScoring {
  weight: number;
  min_score: number;
  max_score: number;
}

/** ln(p / (1 − p)); ±Infinity at 1 and 0. */
export function logOdds(probability: number): number {
  return Math.log(probability) - Math.log1p(-probability);
}

/** `weight × z` clamped to [min_score, max_score], to 0.01; 0 for weight 0 or a NaN z (never NaN). */
export function logOddsScore(z: number, s: LogOddsScoring): number {
  if (s.weight === 0 || Number.isNaN(z)) return 0;
  return Math.round(Math.min(s.max_score, Math.max(s.min_score, s.weight * z)) * 100) / 100;
}
