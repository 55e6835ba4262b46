import type { MoatConfig } from '../core/config/schema.js';
import type { DeliveredCopy } from '../antispam/spam-scorer.js';

/**
 * What this configuration makes Moat write on the mail it passes on, so the learning and
 * classifying commands read mailbox copies as Moat scored them: every subject tag it can put on
 * spam (`[policy] subject_tag_spam` and the ones set per user, sender or group), whether it marks
 * mail at all (`add_headers`), where its milter puts its fields, and whether it writes
 * Authentication-Results.
 */
export function moatMarkings(config: MoatConfig): DeliveredCopy {
  const tags = new Set([config.policy.subject_tag_spam]);
  for (const entries of [config.users, config.senders, config.groups]) {
    for (const entry of Object.values(entries)) if (typeof entry.subject_tag_spam === 'string') tags.add(entry.subject_tag_spam);
  }
  // Longest first: "[SPAM] [BULK]" is taken off whole before "[SPAM]" would match its start.
  const marks = config.policy.add_headers || [config.users, config.senders, config.groups].some((entries) => Object.values(entries).some((e) => e.add_headers === true));
  return {
    marks,
    milterAppends: config.milter.enabled && config.milter.header_position === 'bottom',
    subjectTags: [...tags].sort((a, b) => b.length - a.length),
    authenticationResults: config.antispam.authentication,
  };
}
