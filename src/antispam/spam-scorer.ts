import { messageKey } from './bayes/message-key.js';
import { asMoatSawIt, type MoatMarkings } from './bayes/as-moat-saw-it.js';
import type { Logger } from '../core/logger.js';
import { isMoatError } from '../core/errors.js';
import type { AntispamConfig } from '../core/config/sections/antispam.js';
import { bayesBand, bayesScore } from './bayes/bayes-score.js';
import { combine, mostInteresting, tokenProbability, type TokenCounts } from './bayes/classifier.js';
import type { BayesTokenStore, LearnOutcome } from './bayes/token-store.js';
import { tokenize } from './bayes/tokenizer.js';
import { encodeFeatures } from './model/feature-codec.js';
import { logOddsScore } from './log-odds-score.js';
import { logit } from './model/logistic-model.js';
import { modelFeatures } from './model/model-features.js';
import { viewMessage, type MessageView } from './message-view.js';
import { withClient } from './received-client.js';
import { REGEX_LIMIT_SYMBOL, type RuleSet } from './rules/rule-set.js';
import { actionFor, siteThresholds, spamHeaders } from './spam-verdict.js';
import type { SpamCheckInput, SpamScorer, SpamSymbol, SpamThresholds, SpamVerdict } from './types.js';

/** Extra checks that need the network or the envelope (authentication, DNS blocklists). */
export type SymbolSource = (view: MessageView, input: SpamCheckInput, signal?: AbortSignal) => Promise<{ symbols: SpamSymbol[]; headers?: Array<{ name: string; value: string }> }>;

export interface ScorerDeps {
  config: AntispamConfig;
  rules: RuleSet;
  store: BayesTokenStore;
  logger: Logger;
  sources?: SymbolSource[];
  /** Never write to the token store while checking (`moat classify`, benchmarks). */
  readOnly?: boolean;
  /** How often to ask the store for a newer spam model (default 30 s). */
  modelCheckMs?: number;
}

/** How often the scorer asks the store whether a newer model was fitted (by this node or another). */
const MODEL_CHECK_MS = 30_000;
/** Symbols that say the verdict saw only part of the evidence: such a message is never autolearned as ham. */
const INCOMPLETE = new Set(['MIME_TRUNCATED', 'DNSBL_UNAVAILABLE', REGEX_LIMIT_SYMBOL]);
/** A failing Bayes store (Redis down, SQLite locked), or a regex rule at its work limit, is logged at most this often, not per message. */
const WARN_EVERY_MS = 60_000;

/** A token Bayes combined for a verdict: its spam probability and how often it was learned. */
export interface BayesTokenDetail extends TokenCounts {
  token: string;
  probability: number;
}

/** A verdict with what decided Bayes's part (`moat classify --tokens`); empty when Bayes did not score. */
export type ExplainedVerdict = SpamVerdict & { bayesTokens: BayesTokenDetail[] };

/**
 * What `moat classify` knows of a stored message's envelope (its --from, --client-ip, --helo, or
 * the Return-Path): the network checks use it; a client left out is read from the Received chain.
 */
export interface ExplainEnvelope {
  mailFrom?: string;
  clientAddress?: string;
  helo?: string;
}

/** What a store call that failed gives back (see orUnavailable in createSpamScorer). */
const UNAVAILABLE = Symbol('bayes store unavailable');

/**
 * Scores a message rspamd-style: named symbols with weights (rules, Bayes, authentication,
 * blocklists), a total, an action by threshold. Every verdict lists the symbols that made it.
 */
export function createSpamScorer(deps: ScorerDeps): SpamScorer & { explain(message: Uint8Array, envelope?: ExplainEnvelope): Promise<ExplainedVerdict> } {
  const c = deps.config;
  const baseThresholds: SpamThresholds = siteThresholds(c);

  /** Bayes and the model speak only once `bayes.min_learned` spam and ham were learned. */
  const enoughLearned = (totals: TokenCounts) => totals.spam >= c.bayes.min_learned && totals.ham >= c.bayes.min_learned;
  /** With `explained`, the tokens Bayes combined are added to it, farthest from 0.5 first. */
  const bayesSymbol = async (tokens: string[], totals: TokenCounts, explained?: BayesTokenDetail[]): Promise<SpamSymbol | undefined> => {
    const counts = await deps.store.counts(tokens);
    const probs = new Map<string, number>();
    for (const [t, n] of counts) probs.set(t, tokenProbability(n, totals.spam, totals.ham));
    const { probability, used } = combine(probs);
    if (explained) for (const [token, p] of mostInteresting(probs)) explained.push({ token, probability: p, ...counts.get(token)! });
    return { name: bayesBand(probability).name, score: bayesScore(probability, c.bayes), description: `Bayes spam probability ${(probability * 100).toFixed(1)}%`, options: [`${used} tokens`] };
  };

  const m = c.model;
  let model: { generation: number; weights: Float32Array } | undefined;
  let modelCheckedAt = -Infinity;
  const currentModel = async () => {
    if (performance.now() - modelCheckedAt >= (deps.modelCheckMs ?? MODEL_CHECK_MS)) {
      modelCheckedAt = performance.now();
      try {
        model = (await deps.store.loadModel(model?.generation)) ?? model;
      } catch (err) {
        // A damaged model must not stop mail: keep the one in use (or none) and say so.
        if (!isMoatError(err, 'SPAM_MODEL_INVALID')) throw err;
        deps.logger.warn({ code: err.code, err: err.message }, 'stored spam model refused; run `moat learn --refit`');
      }
    }
    return model;
  };
  const modelSymbol = async (features: Uint32Array): Promise<SpamSymbol | undefined> => {
    const current = await currentModel();
    if (!current) return undefined;
    const z = logit(current.weights, features);
    return { name: z >= 0 ? 'LOGREG_SPAM' : 'LOGREG_HAM', score: logOddsScore(z, m), description: `Logistic spam model probability ${(100 / (1 + Math.exp(-z))).toFixed(1)}%`, options: [`log-odds ${z.toFixed(2)}`] };
  };
  const featuresFor = (message: Uint8Array, tokens: string[]) => (m.enabled ? modelFeatures(message, tokens) : undefined);

  // The Bayes store failing must not cost a message its verdict: it is scored without Bayes and
  // the model (as SpamAssassin does when its Bayes database is unavailable), and the log says so
  // once a minute rather than once per message.
  let storeWarnedAt = -Infinity;
  const storeFailed = (step: string, err: unknown) => {
    if (performance.now() - storeWarnedAt < WARN_EVERY_MS) return;
    storeWarnedAt = performance.now();
    const effect = step === 'learn' ? 'the message keeps its Bayes score, autolearn skipped (autolearn=failed)' : 'scoring without Bayes and the spam model, autolearn skipped';
    deps.logger.warn({ step, err: err instanceof Error ? err.message : String(err) }, `Bayes store failed: ${effect} (logged at most once a minute)`);
  };
  // X-Spam-Status can only say RULE_REGEX_LIMIT; the log names the rules, once a minute each.
  const regexLimitWarnedAt = new Map<string, number>();
  const regexLimitReached = (rules: readonly string[]) => {
    const due = rules.filter((r) => performance.now() - (regexLimitWarnedAt.get(r) ?? -Infinity) >= WARN_EVERY_MS);
    if (!due.length) return;
    for (const r of due) regexLimitWarnedAt.set(r, performance.now());
    deps.logger.warn({ rules: due }, 'anti-spam regex rule gave up on a message at its work limit (counted as not matched, RULE_REGEX_LIMIT): simplify its pattern (logged at most once a minute per rule)');
  };
  const orUnavailable = async <T>(step: string, work: () => Promise<T>): Promise<T | typeof UNAVAILABLE> => {
    try {
      return await work();
    } catch (err) {
      storeFailed(step, err);
      return UNAVAILABLE;
    }
  };

  const check = async (input: SpamCheckInput, signal?: AbortSignal, explained?: BayesTokenDetail[]): Promise<SpamVerdict> => {
    const thresholds = { ...baseThresholds, ...(input.thresholds ?? {}) };
    const view = viewMessage(input.message);
    // One totals read per message (two counters in either store).
    const totals = await orUnavailable('totals', () => deps.store.totals());
    const learned = totals !== UNAVAILABLE && enoughLearned(totals);
    // With trained_rule_scores, rules with a `score_trained` weigh that once Bayes answers (SpamAssassin's score sets).
    const symbols = deps.rules.evaluate(view, { trained: learned && c.trained_rule_scores }).filter((s) => s.score !== 0 || s.name === REGEX_LIMIT_SYMBOL);
    const limited = symbols.find((s) => s.name === REGEX_LIMIT_SYMBOL);
    if (limited) regexLimitReached(limited.options ?? []);
    const headers: Array<{ name: string; value: string }> = [];
    const client = deps.sources?.length ? withClient(input, view, c.trusted_received) : input;
    for (const source of deps.sources ?? []) {
      const r = await source(view, client, signal);
      symbols.push(...r.symbols);
      headers.push(...(r.headers ?? []));
    }
    if (view.truncated.length) symbols.push({ name: 'MIME_TRUNCATED', score: 0, description: 'Part of the message was not read for anti-spam (a parsing limit was reached)', options: view.truncated });
    const tokens = tokenize(view);
    const bayes = learned ? await orUnavailable('counts', () => bayesSymbol(tokens, totals, explained)) : undefined;
    const features = featuresFor(input.message, tokens);
    const logreg = learned && features ? await orUnavailable('model', () => modelSymbol(features)) : undefined;
    const storeOk = totals !== UNAVAILABLE && bayes !== UNAVAILABLE && logreg !== UNAVAILABLE;
    const nonBayesScore = symbols.reduce((a, s) => a + s.score, 0);
    if (bayes && bayes !== UNAVAILABLE) symbols.push(bayes);
    if (logreg && logreg !== UNAVAILABLE) symbols.push(logreg);
    if (!storeOk) symbols.push({ name: 'BAYES_UNAVAILABLE', score: 0, description: 'The Bayes store did not answer: scored without Bayes and the spam model' });
    const score = Math.round(symbols.reduce((a, s) => a + s.score, 0) * 100) / 100;
    // SpamAssassin's autolearn= values: no, ham, spam, failed (learning failed), unavailable (no Bayes).
    let autolearn = storeOk ? 'no' : 'unavailable';
    if (storeOk && c.bayes.autolearn && !deps.readOnly) {
      // Never learn as ham what was only partly seen: content past a parsing limit, blocklists that did not answer.
      const complete = !symbols.some((s) => INCOMPLETE.has(s.name));
      const as = nonBayesScore >= c.bayes.autolearn_spam_score ? 'spam' : complete && nonBayesScore < c.bayes.autolearn_ham_score && score < thresholds.add_header ? 'ham' : undefined;
      // Never moved: a message someone learned as the other class keeps that class (SpamAssassin's no_relearn).
      const learnedNow = as && (await orUnavailable('learn', () => deps.store.learn(messageKey(input.message), tokens, as, features && encodeFeatures(features), { relearn: false })));
      if (learnedNow === UNAVAILABLE) autolearn = 'failed';
      else if (as && learnedNow && learnedNow !== 'known' && learnedNow !== 'kept') autolearn = as;
    }
    const spam = score >= thresholds.add_header;
    return { score, required: thresholds.add_header, spam, action: actionFor(score, thresholds), symbols, headers: [...spamHeaders(score, thresholds.add_header, symbols, autolearn), ...headers], scanned: true, autolearn };
  };

  return {
    check,
    async explain(message, envelope = {}) {
      const bayesTokens: BayesTokenDetail[] = [];
      return { ...(await check({ message, rcptTo: [], ...envelope, mailFrom: envelope.mailFrom ?? '' }, undefined, bayesTokens)), bayesTokens };
    },
    async learn(message, as) {
      await learnMessage(deps.store, message, as, m.enabled);
    },
  };
}

/**
 * A copy taken from a mailbox (`moat learn`, `moat classify`): it is read as Moat saw it when it
 * scored it (asMoatSawIt), with the site's subject tag taken off. Without it (the daemon,
 * quarantine, whose stored original is exactly what Moat scored), the message is taken as it is.
 */
export type DeliveredCopy = MoatMarkings;

/** The message as Moat scored it: a delivered copy read back (asMoatSawIt), anything else as it is. */
export const asScored = (message: Uint8Array, delivered?: DeliveredCopy) => (delivered ? asMoatSawIt(message, delivered) : message);

/** Takes one message back out of Bayes (and the model's examples); says what it had been learned as. */
export async function forgetMessage(store: BayesTokenStore, message: Uint8Array, delivered?: DeliveredCopy): Promise<'spam' | 'ham' | undefined> {
  return store.forget(messageKey(asScored(message, delivered)));
}

/**
 * Learns one message for Bayes and, with `withFeatures`, keeps its features for the next model
 * fit. A `delivered` copy (a user's Junk folder, a false positive from the inbox) is learned as
 * Moat saw it (without the hops added after Moat, Moat's own fields and the subject tag), so Bayes
 * learns the tokens it meets at scoring time.
 */
export async function learnMessage(store: BayesTokenStore, original: Uint8Array, as: 'spam' | 'ham', withFeatures: boolean, delivered?: DeliveredCopy): Promise<LearnOutcome> {
  const message = asScored(original, delivered);
  const tokens = tokenize(viewMessage(message));
  return store.learn(messageKey(message), tokens, as, withFeatures ? encodeFeatures(modelFeatures(message, tokens)) : undefined);
}
