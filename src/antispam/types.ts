/**
 * What the pipeline and policy see of anti-spam. The implementation (rules, Bayes, DNSBL,
 * SPF/DKIM/DMARC/ARC) lives in this module; policy imports only these types.
 */
export interface SpamSymbol {
  name: string;
  score: number;
  description: string;
  /** Extra detail (matched URL, DNSBL zone and return code...). */
  options?: string[];
}

export type SpamAction = 'no_action' | 'add_header' | 'rewrite_subject' | 'quarantine' | 'reject';

export interface SpamThresholds {
  add_header: number;
  rewrite_subject: number;
  quarantine: number;
  reject: number;
}

export interface SpamVerdict {
  score: number;
  /** Score at which a message counts as spam (`required` in X-Spam-Status). */
  required: number;
  spam: boolean;
  action: SpamAction;
  symbols: SpamSymbol[];
  /** Headers to add: X-Spam-Flag, X-Spam-Status, X-Spam-Level, Authentication-Results. */
  headers: Array<{ name: string; value: string }>;
  /** False when the analysis could not run (then policy applies action_as_notscanned). */
  scanned: boolean;
  /** SpamAssassin's `autolearn=` value (no, ham, spam, failed, unavailable); `no` when absent. */
  autolearn?: string;
}

export interface SpamCheckInput {
  message: Uint8Array;
  mailFrom: string;
  rcptTo: string[];
  clientAddress?: string;
  helo?: string;
  /** Per-recipient thresholds override (user-specific configuration). */
  thresholds?: Partial<SpamThresholds>;
}

export interface SpamScorer {
  check(input: SpamCheckInput, signal?: AbortSignal): Promise<SpamVerdict>;
  /** Learn a message as spam or ham (quarantine release as not-spam learns ham). */
  learn(message: Uint8Array, as: 'spam' | 'ham'): Promise<void>;
}
