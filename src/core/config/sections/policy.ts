import { z } from 'zod';

/** Final actions (DESIGN.md §5): whatever happens, a recipient ends in one of these. */
export const FinalActionSchema = z.enum(['accept', 'defer', 'discard', 'reject']);
const ScanSwitch = z.enum(['accept', 'defer', 'discard', 'reject', 'scan']);

/**
 * The Handle Object Policy, with the seed product's option names. Every key may also appear in
 * `[users."..."]`, `[senders."..."]` and `[groups.NAME]` to override it (src/policy/user-settings.ts).
 */
export const PolicyFields = {
  /** `scan` = scan for malware; any final action = skip scanning and take that action. */
  action_av: ScanSwitch,
  /** none | standard (replace infected parts by a notice) | strict (also not-scanned parts) | rigorous (every attachment once one is infected) | delete (remove infected parts, no notice). */
  av_clean_mode: z.enum(['none', 'standard', 'strict', 'rigorous', 'delete']),
  action_av_infected: FinalActionSchema,
  action_av_notscanned: FinalActionSchema,
  /** After successful cleaning. */
  action_av_deleted: FinalActionSchema,
  /** The engine failed or timed out: defer keeps the mail in the MTA's queue (never-lose-mail). */
  action_av_error: FinalActionSchema,
  action_as: ScanSwitch,
  action_as_spam: FinalActionSchema,
  action_as_notscanned: FinalActionSchema,
  quarantine_infected: z.boolean(),
  quarantine_notscanned: z.boolean(),
  quarantine_spam: z.boolean(),
  /** Add X-Virus-Scanned and X-Moat-Result headers to delivered mail. */
  add_headers: z.boolean(),
  /** Subject prefix for infected mail that is still delivered (cleaned or accepted); `%VIRUSNAME%` expands. Empty = none. */
  subject_tag_infected: z.string(),
  subject_tag_spam: z.string(),
  /** Text appended to delivered mail's first text part; empty = none. */
  footer: z.string(),
  /** SMTP text for rejections; `%VIRUSNAME%` expands. */
  reject_text: z.string(),
};

export const POLICY_DEFAULTS = {
  action_av: 'scan',
  av_clean_mode: 'none',
  action_av_infected: 'reject',
  action_av_notscanned: 'accept',
  action_av_deleted: 'accept',
  action_av_error: 'defer',
  action_as: 'scan',
  action_as_spam: 'accept',
  action_as_notscanned: 'accept',
  quarantine_infected: true,
  quarantine_notscanned: false,
  quarantine_spam: false,
  add_headers: true,
  subject_tag_infected: '[virus %VIRUSNAME%]',
  subject_tag_spam: '[SPAM]',
  footer: '',
  reject_text: 'Message rejected: infected with %VIRUSNAME%',
} as const;

export const PolicySection = z.strictObject({
  action_av: PolicyFields.action_av.default(POLICY_DEFAULTS.action_av),
  av_clean_mode: PolicyFields.av_clean_mode.default(POLICY_DEFAULTS.av_clean_mode),
  action_av_infected: PolicyFields.action_av_infected.default(POLICY_DEFAULTS.action_av_infected),
  action_av_notscanned: PolicyFields.action_av_notscanned.default(POLICY_DEFAULTS.action_av_notscanned),
  action_av_deleted: PolicyFields.action_av_deleted.default(POLICY_DEFAULTS.action_av_deleted),
  action_av_error: PolicyFields.action_av_error.default(POLICY_DEFAULTS.action_av_error),
  action_as: PolicyFields.action_as.default(POLICY_DEFAULTS.action_as),
  action_as_spam: PolicyFields.action_as_spam.default(POLICY_DEFAULTS.action_as_spam),
  action_as_notscanned: PolicyFields.action_as_notscanned.default(POLICY_DEFAULTS.action_as_notscanned),
  quarantine_infected: PolicyFields.quarantine_infected.default(POLICY_DEFAULTS.quarantine_infected),
  quarantine_notscanned: PolicyFields.quarantine_notscanned.default(POLICY_DEFAULTS.quarantine_notscanned),
  quarantine_spam: PolicyFields.quarantine_spam.default(POLICY_DEFAULTS.quarantine_spam),
  add_headers: PolicyFields.add_headers.default(POLICY_DEFAULTS.add_headers),
  subject_tag_infected: PolicyFields.subject_tag_infected.default(POLICY_DEFAULTS.subject_tag_infected),
  subject_tag_spam: PolicyFields.subject_tag_spam.default(POLICY_DEFAULTS.subject_tag_spam),
  footer: PolicyFields.footer.default(POLICY_DEFAULTS.footer),
  reject_text: PolicyFields.reject_text.default(POLICY_DEFAULTS.reject_text),
});

/**
 * Anti-spam thresholds a recipient, sender or group may set for itself (SpamAssassin's per-user
 * `required_score`). Unset, the `[antispam]` value of the same name applies; they are not
 * `[policy]` keys because the site-wide values live in `[antispam]`.
 */
export const SpamThresholdFields = {
  /** Spam from this score: X-Spam-Flag: YES and `action_as_spam`. */
  required_score: z.number().optional(),
  /** Subject tagged from this score. */
  rewrite_subject_score: z.number().optional(),
  /** Held in quarantine from this score. */
  quarantine_score: z.number().optional(),
  /** Refused from this score. */
  reject_score: z.number().optional(),
};

/** An override block: any subset of the policy keys and spam thresholds, plus its group and (for groups) parent. */
export const OverrideSection = z.strictObject({
  ...Object.fromEntries(Object.entries(PolicyFields).map(([k, v]) => [k, v.optional()])),
  ...SpamThresholdFields,
  /** Named group whose settings this entry inherits (`[groups.NAME]`). */
  group: z.string().optional(),
  /** For groups: the group this one inherits from. */
  parent_id: z.string().optional(),
} as { [K in keyof typeof PolicyFields]: z.ZodOptional<(typeof PolicyFields)[K]> } & typeof SpamThresholdFields & { group: z.ZodOptional<z.ZodString>; parent_id: z.ZodOptional<z.ZodString> });

/**
 * Black- and white-lists: entries are `user@example.com`, `@example.com` / `*@example.com`
 * (a domain) or `*` — matched against the sender for `blacklist` and `whitelist_*`, and also
 * against recipients for `whitelist_*` (a recipient may opt out of filtering).
 */
export const ListsSection = z.strictObject({
  /** Mail from these senders is rejected. */
  blacklist: z.array(z.string()).default([]),
  /** Mail from/to these skips the antivirus scan (use with care). */
  whitelist_av: z.array(z.string()).default([]),
  /** Mail from/to these skips anti-spam. */
  whitelist_as: z.array(z.string()).default([]),
});

/** The spam-threshold keys of an override block, the same names as in `[antispam]`. */
export const SPAM_THRESHOLD_KEYS = Object.keys(SpamThresholdFields) as Array<keyof typeof SpamThresholdFields>;
export type SpamThresholdOverrides = { [K in keyof typeof SpamThresholdFields]?: number };
/** The settings of one recipient: the `[policy]` keys, and the spam thresholds it overrides. */
export type PolicySettings = z.infer<typeof PolicySection> & SpamThresholdOverrides;
export type PolicyOverride = z.infer<typeof OverrideSection>;
