import type { AntispamConfig } from '../core/config/sections/antispam.js';
import type { SpamAction, SpamSymbol, SpamThresholds, SpamVerdict } from './types.js';

/** The names of the headers that depend on the threshold, replaced when a recipient has its own. */
const THRESHOLD_HEADERS = new Set(['x-spam-flag', 'x-spam-status', 'x-spam-level']);

/** The site-wide thresholds of `[antispam]`. */
export function siteThresholds(c: Pick<AntispamConfig, 'required_score' | 'rewrite_subject_score' | 'quarantine_score' | 'reject_score'>): SpamThresholds {
  return { add_header: c.required_score, rewrite_subject: c.rewrite_subject_score, quarantine: c.quarantine_score, reject: c.reject_score };
}

/** The highest action whose threshold the score reaches. */
export function actionFor(score: number, t: SpamThresholds): SpamAction {
  if (score >= t.reject) return 'reject';
  if (score >= t.quarantine) return 'quarantine';
  if (score >= t.rewrite_subject) return 'rewrite_subject';
  if (score >= t.add_header) return 'add_header';
  return 'no_action';
}

/**
 * SpamAssassin-compatible headers, so existing Sieve/procmail rules keep working. `tests=` lists
 * every symbol of the verdict, those that score 0 too (BAYES_50, BAYES_UNAVAILABLE, AUTH_SKIPPED
 * explain a verdict without moving it); rules set to 0 never reach a verdict.
 */
export function spamHeaders(score: number, required: number, symbols: SpamSymbol[], autolearn: string): Array<{ name: string; value: string }> {
  const spam = score >= required;
  const tests = symbols.map((s) => s.name).sort().join(',') || 'none';
  return [
    { name: 'X-Spam-Flag', value: spam ? 'YES' : 'NO' },
    { name: 'X-Spam-Status', value: `${spam ? 'Yes' : 'No'}, score=${score.toFixed(1)} required=${required.toFixed(1)} tests=${tests} autolearn=${autolearn}` },
    { name: 'X-Spam-Level', value: '*'.repeat(Math.max(0, Math.min(50, Math.floor(score)))) },
  ];
}

/**
 * The same scored message judged with other thresholds (a recipient's own, from user-specific
 * configuration): the score and symbols stay, the verdict, the action and the X-Spam-* headers
 * follow the thresholds. Other headers (Authentication-Results) are kept as they were.
 */
export function verdictWithThresholds(v: SpamVerdict, t: SpamThresholds): SpamVerdict {
  if (!v.scanned) return v;
  const others = v.headers.filter((h) => !THRESHOLD_HEADERS.has(h.name.toLowerCase()));
  return {
    ...v,
    required: t.add_header,
    spam: v.score >= t.add_header,
    action: actionFor(v.score, t),
    headers: [...spamHeaders(v.score, t.add_header, v.symbols, v.autolearn ?? 'no'), ...others],
  };
}
