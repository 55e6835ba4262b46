import { SPAM_THRESHOLD_KEYS, type SpamThresholdOverrides } from '../core/config/sections/policy.js';
import type { SpamThresholds } from '../antispam/types.js';

/**
 * A recipient's spam thresholds: the site's (`[antispam]`), with the ones its user-specific
 * configuration sets (`required_score` … in `[users."…"]`, `[senders."…"]`, `[groups.…]`).
 * Undefined when it sets none, so the site's verdict is used as it is.
 */
export function recipientThresholds(site: SpamThresholds, s: SpamThresholdOverrides): SpamThresholds | undefined {
  if (SPAM_THRESHOLD_KEYS.every((k) => s[k] === undefined)) return undefined;
  return {
    add_header: s.required_score ?? site.add_header,
    rewrite_subject: s.rewrite_subject_score ?? site.rewrite_subject,
    quarantine: s.quarantine_score ?? site.quarantine,
    reject: s.reject_score ?? site.reject,
  };
}
