import type { TokenCounts } from './classifier.js';

/** Where Bayes keeps its counts: SQLite (embedded) or Redis (shared by a cluster); see src/storage/bayes. */
export interface BayesTokenStore {
  /** Counts for these tokens (absent tokens are omitted). */
  counts(tokens: readonly string[]): Promise<Map<string, TokenCounts>>;
  /** Messages learned so far. */
  totals(): Promise<TokenCounts>;
  /**
   * Adds one message's tokens as spam or ham. `messageKey` (a hash) makes learning idempotent;
   * re-learning a message with the other class moves it. Returns false when nothing changed.
   */
  learn(messageKey: string, tokens: readonly string[], as: 'spam' | 'ham'): Promise<boolean>;
  close(): Promise<void>;
}
