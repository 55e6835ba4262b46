import { MoatError } from '../../core/errors.js';
import { FEATURE_BITS } from '../model/model-features.js';
import type { TokenCounts } from './classifier.js';

/** Weights of the logistic-regression model and the store generation they were fitted at. */
export interface StoredModel {
  generation: number;
  weights: Float32Array;
}

/**
 * What learning one message did: `new` (not known before), `moved` (known as the other class,
 * now counted as this one), `features` (known as this class, its model features added),
 * `known` (already learned so: nothing changed), `kept` (learned as the other class, and the
 * caller asked not to move it: nothing changed).
 */
export type LearnOutcome = 'new' | 'moved' | 'features' | 'known' | 'kept';

/** How one message is learned. */
export interface LearnOptions {
  /**
   * False for autolearn: a message already learned as the other class keeps its class (`kept`),
   * so a copy of a message a user corrected with `moat learn` (a retry, a second recipient's
   * copy) does not undo the correction, as SpamAssassin's autolearn never relearns. Default true.
   */
  relearn?: boolean;
}

/** One learned message as a store keeps it (`moat learn --export` / `--import`). */
export interface LearnedRecord {
  key: string;
  class: 'spam' | 'ham';
  tokens: string[];
  /** Encoded model features (feature-codec), when it was learned with them. */
  features?: Uint8Array;
}

/** What a store holds, beyond the learned-message counts (`moat learn --stats`). */
export interface StoreStats {
  /** Where it is: the SQLite file, or the Redis URL (password hidden) and key prefix. */
  location: string;
  /** Distinct tokens with a count. */
  tokens: number;
  /** Learned messages that carry model features (what the spam model is fitted on). */
  withFeatures: number;
  /** SQLite: bytes on disk (the database and its write-ahead log); undefined for Redis. */
  bytes?: number;
}

/**
 * Where the statistical classifiers keep what they learned: SQLite (embedded) or Redis (shared by
 * a cluster); see src/storage/bayes. Bayes token counts, one record per learned message (for
 * idempotency, and the model features the logistic model is fitted on), the fitted model.
 */
export interface BayesTokenStore {
  /** Counts for these tokens (absent tokens are omitted). */
  counts(tokens: readonly string[]): Promise<Map<string, TokenCounts>>;
  /** Messages learned so far. */
  totals(): Promise<TokenCounts>;
  /**
   * Adds one message's tokens as spam or ham. `messageKey` (a hash) makes learning idempotent;
   * re-learning a message with the other class moves it. `features` (encoded model features) are
   * kept with the message for the next model fit; re-learning a message that has none adds them
   * (counts unchanged). Says what happened (see LearnOutcome).
   */
  learn(messageKey: string, tokens: readonly string[], as: 'spam' | 'ham', features?: Uint8Array, options?: LearnOptions): Promise<LearnOutcome>;
  /**
   * Takes a learned message back out (`moat learn --forget`, like `sa-learn --forget`): its tokens
   * lose its counts and its record goes. Says the class it had been learned as; undefined when
   * it was not learned (nothing changes then).
   */
  forget(messageKey: string): Promise<'spam' | 'ham' | undefined>;
  /** What the store holds (see StoreStats). */
  stats(): Promise<StoreStats>;
  /**
   * Every learned message, least recently learned first, read in batches (`moat learn
   * --export`): learning going on meanwhile may move a message past the reader or bring it twice.
   */
  learnedMessages(): AsyncIterable<LearnedRecord>;
  /** A number that changes whenever a message is learned or forgotten (the model is stale when it differs). */
  generation(): Promise<number>;
  /** The most recently learned messages that carry model features, newest first, at most `limit`. */
  examples(limit: number): Promise<Array<{ spam: boolean; features: Uint8Array }>>;
  saveModel(model: StoredModel): Promise<void>;
  /** Generation of the stored model, undefined when none was fitted yet. */
  modelGeneration(): Promise<number | undefined>;
  /** The stored model; undefined when there is none or its generation is `known`. */
  loadModel(known?: number): Promise<StoredModel | undefined>;
  close(): Promise<void>;
}

/** Float32 weights ↔ bytes (little-endian, as every platform Moat runs on). */
export function weightsToBytes(w: Float32Array): Uint8Array {
  return new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
}
/** Refuses a stored model that is not 2^20 finite weights (damaged, or from another version). */
export function bytesToWeights(b: Uint8Array): Float32Array {
  if (b.byteLength !== 4 << FEATURE_BITS) throw new MoatError('SPAM_MODEL_INVALID', `stored spam model has ${b.byteLength} bytes, expected ${4 << FEATURE_BITS}`);
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  const weights = new Float32Array(copy.buffer);
  if (!weights.every(Number.isFinite)) throw new MoatError('SPAM_MODEL_INVALID', 'stored spam model has non-finite weights');
  return weights;
}
