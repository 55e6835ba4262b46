/** The anti-spam configurations the benchmark scripts measure: the defaults, or the high-recall setting of docs/antispam.md. */
import { loadConfig } from '../../src/core/config/load.js';
import type { AntispamConfig } from '../../src/core/config/sections/antispam.js';

/** The measured high-recall setting, exactly as an administrator would write it in moat.toml. */
export const HIGH_RECALL_TOML = `[antispam]
trained_rule_scores = true
[antispam.bayes]
scoring = "log_odds"
[antispam.model]
enabled = true
weight = 0.75
max_score = 6
`;

export function benchAntispamConfig(highRecall: boolean): AntispamConfig {
  return loadConfig(highRecall ? [{ file: 'high-recall.toml', text: HIGH_RECALL_TOML }] : []).config.antispam;
}
