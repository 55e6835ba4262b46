import { z } from 'zod';

/** `weight` × a classifier's log-odds, clamped to [min_score, max_score] (src/antispam/log-odds-score.ts). */
const logOddsScoring = (weight: number, maxScore: number, minScore: number) => ({
  weight: z.number().min(0).default(weight),
  max_score: z.number().min(0).default(maxScore),
  min_score: z.number().max(0).default(minScore),
});

/** `[antispam]`: scoring thresholds (rspamd-style actions), Bayes, rules. */
export const AntispamSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** Score at which a message is spam: X-Spam-Flag: YES, and the add_header action. */
  required_score: z.number().default(5),
  /** Subject tagged (`policy.subject_tag_spam`). */
  rewrite_subject_score: z.number().default(8),
  /** Held in quarantine, not delivered. */
  quarantine_score: z.number().default(12),
  /** Refused in the SMTP session. */
  reject_score: z.number().default(15),
  /** Extra rule files or directories (TOML), loaded after the shipped rules; same name overrides. */
  rules: z.array(z.string()).default([]),
  /**
   * Once Bayes answers (`bayes.min_learned` reached), score rules by their `score_trained` where
   * they have one (SpamAssassin's score sets; the shipped weak rules have 0). Off by default;
   * part of the measured high-recall setting in docs/antispam.md.
   */
  trained_rule_scores: z.boolean().default(false),
  /** DNS servers for blocklists and SPF/DKIM/DMARC (`host:port`); empty = the system's resolver. */
  dns_servers: z.array(z.string()).default([]),
  /** Check SPF, DKIM, DMARC and ARC (mailauth) and add Authentication-Results. */
  authentication: z.boolean().default(true),
  /**
   * The authserv-id Moat writes its Authentication-Results under (RFC 8601); empty = this host's
   * name. Results arriving under it are removed as forged, so give other verifiers on this host
   * (OpenDKIM, OpenDMARC) another one, or this one another.
   */
  authserv_id: z.string().regex(/^[^\s;()"\\]*$/, 'an authserv-id is one token: no spaces, ";", parentheses or quotes').default(''),
  /** Received headers added by your own MTAs (skipped when looking for the sending client's IP). */
  trusted_received: z.number().int().min(0).max(10).default(1),
  /** DNS blocklists. `kind = "ip"` looks up client IPs (reversed octets), `"uri"` registered domains of links. */
  dnsbl: z
    .array(
      z.strictObject({
        zone: z.string().min(1),
        kind: z.enum(['ip', 'uri']),
        /** Symbol name; default derived from the zone. */
        symbol: z.string().optional(),
        /** Score per return code (`"127.0.0.2" = 4.0`); codes not listed use `score`. */
        codes: z.record(z.string(), z.number()).default({}),
        score: z.number().default(2),
      }),
    )
    .default([]),
  bayes: z
    .strictObject({
      /** `sqlite` under the state directory, or `redis` for clusters (shared tokens). */
      backend: z.enum(['sqlite', 'redis']).default('sqlite'),
      redis_url: z.string().default('redis://127.0.0.1:6379'),
      redis_prefix: z.string().default('moat:bayes:'),
      /** Bayes gives no opinion until this many spam and ham messages each were learned (SpamAssassin's bayes_min_*_num). */
      min_learned: z.number().int().min(0).default(200),
      /**
       * Learned messages kept at most; learning one more forgets the least recently learned, its
       * tokens taken back out (SpamAssassin expires tokens, rspamd expires keys: without a limit,
       * autolearn grows the store for ever). Each takes 5–8 KB of bayes.db (without and with the
       * spam model's features, on the benchmark corpus), so 20,000 is ~150 MB. 0: no limit.
       */
      max_learned: z.number().int().min(0).default(20000),
      /**
       * How the BAYES_* symbol scores. `bands` (default): SpamAssassin-style fixed score per band
       * (BAYES_999 +6, BAYES_99 +5, BAYES_95 +3.5, …, BAYES_00 −3). `log_odds`: `weight` ×
       * ln(p / (1 − p)) clamped to [min_score, max_score], so p = 0.9 gives +1.1, 0.99 +2.3,
       * 0.9999 +4.6, 0.01 −2.3 (the symbol's name still gives the probability band); part of the
       * measured high-recall setting in docs/antispam.md.
       */
      scoring: z.enum(['log_odds', 'bands']).default('bands'),
      ...logOddsScoring(0.5, 6, -3),
      /** Autolearn spam above / ham below these scores (without the Bayes symbol); `false` disables. */
      autolearn: z.boolean().default(true),
      autolearn_spam_score: z.number().default(12),
      autolearn_ham_score: z.number().default(0.1),
    })
    .prefault({}),
  /**
   * Logistic-regression spam model fitted on the same learned messages as Bayes (tokens and byte
   * 4-grams of the message start): symbol LOGREG_SPAM / LOGREG_HAM scoring `weight` × log-odds,
   * clamped to [min_score, max_score]. Silent until `bayes.min_learned` spam and ham were learned
   * and a model was fitted. Off by default; docs/antispam.md has the measured figures (with it and
   * the two settings above: about SpamAssassin's recall, fewer than half its false positives, more
   * than Moat's default).
   */
  model: z
    .strictObject({
      enabled: z.boolean().default(false),
      ...logOddsScoring(0.5, 3, -2),
      /**
       * The model is fitted on at most this many of the most recently learned messages (each takes
       * 6.7 KB of memory while fitting on the benchmark corpus's average, at most ~24 KB).
       */
      max_examples: z.number().int().min(1).default(10000),
      /** The daemon refits this often when messages were learned meanwhile; `moat learn` refits at once. */
      refit_minutes: z.number().min(1).default(15),
    })
    .prefault({}),
});

export type AntispamConfig = z.infer<typeof AntispamSection>;
