import type { PolicySettings } from '../core/config/sections/policy.js';
import type { SpamVerdict } from '../antispam/types.js';
import type { ResolvedSettings } from './user-settings.js';

export type FinalAction = 'accept' | 'defer' | 'discard' | 'reject';

/** What the antivirus side found, as policy needs it. */
export interface AvFacts {
  status: 'clean' | 'infected' | 'not_scanned' | 'error';
  detections: string[];
  /** Whether cleaning in a given mode would leave a deliverable message (computed by the pipeline from the object tree). */
  canClean(mode: PolicySettings['av_clean_mode']): boolean;
}

export type SpamFacts = { status: 'scored'; verdict: SpamVerdict } | { status: 'error' } | { status: 'unavailable' };

export type DecisionReason = 'clean' | 'infected' | 'cleaned' | 'not_scanned' | 'av_error' | 'av_skipped' | 'spam' | 'as_notscanned' | 'blacklist';

export interface Decision {
  action: FinalAction;
  reason: DecisionReason;
  quarantine: boolean;
  /** Apply cleaning in this mode before delivery (only with action accept). */
  cleanMode?: PolicySettings['av_clean_mode'];
  subjectTag?: string;
  reply?: { code: number; enhanced: string; text: string };
  addResultHeaders: boolean;
  addSpamHeaders: boolean;
  footer?: string;
}

const REPLIES = {
  reject: { code: 550, enhanced: '5.7.1' },
  defer: { code: 451, enhanced: '4.7.1' },
};

function expand(template: string, detections: string[]): string {
  return template.replaceAll('%VIRUSNAME%', detections.join(', ') || 'unknown');
}

function replyFor(action: FinalAction, text: string): Decision['reply'] {
  if (action === 'reject') return { ...REPLIES.reject, text };
  if (action === 'defer') return { ...REPLIES.defer, text };
  return undefined;
}

/**
 * The Handle Object Policy for one recipient. Antivirus decides first; a message the antivirus
 * side lets through is then judged by anti-spam. Always ends in accept, defer, discard or reject.
 */
export function decide(resolved: ResolvedSettings, av: AvFacts | 'skipped', spam: SpamFacts): Decision {
  const s = resolved.settings;
  const base = { addResultHeaders: s.add_headers, addSpamHeaders: false, footer: s.footer || undefined };
  if (resolved.blacklisted) {
    return { ...base, action: 'reject', reason: 'blacklist', quarantine: false, reply: replyFor('reject', 'Sender is blacklisted') };
  }

  if (av !== 'skipped' && !resolved.skipAv && s.action_av === 'scan') {
    if (av.status === 'error') {
      const action = s.action_av_error;
      return { ...base, action, reason: 'av_error', quarantine: false, reply: replyFor(action, 'Message could not be scanned now, try again later') };
    }
    if (av.status === 'infected') {
      const tag = s.subject_tag_infected ? expand(s.subject_tag_infected, av.detections) : undefined;
      if (s.av_clean_mode !== 'none' && av.canClean(s.av_clean_mode)) {
        const action = s.action_av_deleted;
        return { ...base, action, reason: 'cleaned', quarantine: s.quarantine_infected, cleanMode: s.av_clean_mode, subjectTag: tag, reply: replyFor(action, expand(s.reject_text, av.detections)) };
      }
      const action = s.action_av_infected;
      return { ...base, action, reason: 'infected', quarantine: s.quarantine_infected, subjectTag: action === 'accept' ? tag : undefined, reply: replyFor(action, expand(s.reject_text, av.detections)) };
    }
    if (av.status === 'not_scanned') {
      const action = s.action_av_notscanned;
      if (action !== 'accept') {
        return { ...base, action, reason: 'not_scanned', quarantine: s.quarantine_notscanned, reply: replyFor(action, 'Message contains content that could not be scanned') };
      }
      if (s.quarantine_notscanned) return { ...base, action, reason: 'not_scanned', quarantine: true };
    }
  } else if (s.action_av !== 'scan' && s.action_av !== 'accept') {
    return { ...base, action: s.action_av, reason: 'av_skipped', quarantine: false, reply: replyFor(s.action_av, 'Message refused by policy') };
  }

  const avReason: DecisionReason = av !== 'skipped' && av.status === 'not_scanned' && !resolved.skipAv && s.action_av === 'scan' ? 'not_scanned' : av === 'skipped' || resolved.skipAv || s.action_av !== 'scan' ? 'av_skipped' : 'clean';
  if (resolved.skipAs || s.action_as !== 'scan') {
    if (s.action_as !== 'scan' && s.action_as !== 'accept') return { ...base, action: s.action_as, reason: 'spam', quarantine: false, reply: replyFor(s.action_as, 'Message refused by policy') };
    return { ...base, action: 'accept', reason: avReason, quarantine: false };
  }
  if (spam.status === 'error') {
    const action = s.action_as_notscanned;
    return { ...base, action, reason: 'as_notscanned', quarantine: false, reply: replyFor(action, 'Message could not be checked for spam now, try again later') };
  }
  if (spam.status === 'scored') {
    const v = spam.verdict;
    const withSpam = { ...base, addSpamHeaders: true };
    if (!v.scanned) {
      const action = s.action_as_notscanned;
      return { ...withSpam, action, reason: 'as_notscanned', quarantine: false, reply: replyFor(action, 'Message could not be checked for spam') };
    }
    if (v.action === 'reject') return { ...withSpam, action: 'reject', reason: 'spam', quarantine: s.quarantine_spam, reply: replyFor('reject', `Message rejected as spam (score ${v.score.toFixed(1)})`) };
    if (v.action === 'quarantine') return { ...withSpam, action: 'discard', reason: 'spam', quarantine: true };
    if (v.spam) {
      const action = s.action_as_spam;
      // The subject tag from rewrite_subject_score on; between required_score and it, only the X-Spam-* headers say spam.
      const tag = v.action === 'rewrite_subject' ? s.subject_tag_spam || undefined : undefined;
      return { ...withSpam, action, reason: 'spam', quarantine: s.quarantine_spam, subjectTag: action === 'accept' ? tag : undefined, reply: replyFor(action, 'Message refused as spam') };
    }
    return { ...withSpam, action: 'accept', reason: avReason, quarantine: false };
  }
  return { ...base, action: 'accept', reason: avReason, quarantine: false };
}
