import { MoatError } from '../../core/errors.js';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';

/** A store that knows nothing and learns nothing: Bayes and the model stay silent (`moat classify` without a `bayes.db`). */
export function emptyTokenStore(why: string): BayesTokenStore {
  const refuse = async (): Promise<never> => {
    throw new MoatError('INTERNAL', `no Bayes store: ${why}`);
  };
  return {
    counts: async () => new Map(),
    totals: async () => ({ spam: 0, ham: 0 }),
    learn: refuse,
    forget: refuse,
    learnedMessages: async function* () {},
    stats: async () => ({ location: `— none: ${why}`, tokens: 0, withFeatures: 0 }),
    generation: async () => 0,
    examples: async () => [],
    saveModel: refuse,
    modelGeneration: async () => undefined,
    loadModel: async () => undefined,
    close: async () => {},
  };
}
