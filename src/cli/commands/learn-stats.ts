import type { MoatConfig } from '../../core/config/schema.js';
import type { BayesTokenStore, StoreStats } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';

/** What `moat learn --stats` reports (its --json form has exactly these fields). */
export interface LearnStats {
  /** [antispam] enabled: when false the daemon neither scores nor learns. */
  antispam: boolean;
  backend: 'sqlite' | 'redis';
  location: string;
  /** SQLite only: bytes on disk. */
  bytes?: number;
  spam: number;
  ham: number;
  tokens: number;
  /** [antispam.bayes] max_learned (0: no limit). */
  maxLearned: number;
  /** [antispam.bayes] min_learned: Bayes scores once this many spam and ham were learned. */
  minLearned: number;
  /** Bayes adds its BAYES_* symbol to verdicts (min_learned spam and ham learned). */
  bayesScoring: boolean;
  autolearn: boolean;
  model: {
    enabled: boolean;
    /** Learned messages carrying the model's features (it is fitted on those). */
    withFeatures: number;
    /** Store generation the stored model was fitted at; undefined when none was fitted. */
    fittedAt?: number;
    /** Messages learned or forgotten since the fit (0: up to date). */
    changesSinceFit?: number;
  };
}

/** Reads what the store holds and what the configuration makes of it (`moat learn --stats`). */
export async function learnStats(store: BayesTokenStore, config: MoatConfig): Promise<LearnStats> {
  const b = config.antispam.bayes;
  const [totals, stats, generation, fittedAt]: [TokenCounts, StoreStats, number, number | undefined] = await Promise.all([store.totals(), store.stats(), store.generation(), store.modelGeneration()]);
  return {
    antispam: config.antispam.enabled,
    backend: b.backend,
    location: stats.location,
    ...(stats.bytes === undefined ? {} : { bytes: stats.bytes }),
    spam: totals.spam,
    ham: totals.ham,
    tokens: stats.tokens,
    maxLearned: b.max_learned,
    minLearned: b.min_learned,
    bayesScoring: config.antispam.enabled && totals.spam >= b.min_learned && totals.ham >= b.min_learned,
    autolearn: config.antispam.enabled && b.autolearn,
    model: {
      enabled: config.antispam.model.enabled,
      withFeatures: stats.withFeatures,
      ...(fittedAt === undefined ? {} : { fittedAt, changesSinceFit: Math.max(0, generation - fittedAt) }),
    },
  };
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The text form: one line per fact, each saying which setting governs it. */
export function formatLearnStats(s: LearnStats, refitMinutes: number): string {
  const enough = s.spam >= s.minLearned && s.ham >= s.minLearned;
  const lines: Array<[string, string]> = [
    ...(s.antispam ? [] : [['Anti-spam', 'off ([antispam] enabled = false): the daemon neither scores nor learns; what follows is the store as it is'] as [string, string]]),
    ['Bayes store', `${s.backend === 'sqlite' ? 'SQLite' : 'Redis'} ${s.location}${s.bytes === undefined ? '' : `, ${megabytes(s.bytes)}`}`],
    ['Learned', `${s.spam} spam, ${s.ham} ham${s.maxLearned > 0 ? ` (keeps at most ${s.maxLearned}, forgetting the least recently learned: [antispam.bayes] max_learned)` : ' (no limit: [antispam.bayes] max_learned = 0)'}`],
    ['Tokens', String(s.tokens)],
    [
      'Bayes',
      !s.antispam
        ? 'not scoring: anti-spam is off'
        : enough
          ? `scoring (at least ${s.minLearned} spam and ${s.minLearned} ham learned: [antispam.bayes] min_learned)`
          : `not scoring yet: it needs ${s.minLearned} spam and ${s.minLearned} ham learned ([antispam.bayes] min_learned); ${Math.max(0, s.minLearned - s.spam)} spam and ${Math.max(0, s.minLearned - s.ham)} ham to go`,
    ],
    ['Autolearn', s.autolearn ? 'on ([antispam.bayes] autolearn)' : s.antispam ? 'off ([antispam.bayes] autolearn = false)' : 'off (anti-spam is off)'],
    ['Spam model', modelLine(s, enough, refitMinutes)],
  ];
  const width = Math.max(...lines.map(([k]) => k.length)) + 2;
  return lines.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}\n`).join('');
}

function modelLine({ model, minLearned }: LearnStats, enough: boolean, refitMinutes: number): string {
  if (!model.enabled) return `off ([antispam.model] enabled = false); ${model.withFeatures} learned message(s) carry its features`;
  if (model.fittedAt === undefined) {
    const how = model.withFeatures === 0 ? 'none has them yet: learn your spam and ham again with the model on' : `${model.withFeatures} message(s) have them`;
    return `on, not fitted yet: it is fitted once ${minLearned} spam and ${minLearned} ham were learned with its features (${how})`;
  }
  // Bayes and the model speak only from min_learned spam and ham on; it is refitted only from there too.
  if (!enough) return `on, fitted, but silent and not refitted while fewer than ${minLearned} spam and ${minLearned} ham are learned ([antispam.bayes] min_learned)`;
  if (!model.changesSinceFit) return `on, fitted, up to date (${model.withFeatures} message(s) with features)`;
  return `on, fitted; ${model.changesSinceFit} message(s) learned or forgotten since (the daemon refits every ${refitMinutes} min; moat learn --refit fits now)`;
}
