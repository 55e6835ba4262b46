import { Redis } from 'ioredis';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';

/**
 * Bayes tokens in Redis, shared by every node of a cluster: one hash per token
 * (`<prefix>t:<token>` → spam, ham), learned-message records for idempotency, two totals.
 * Learning runs as one MULTI so concurrent nodes never see half a message.
 */
export function openRedisTokenStore(url: string, prefix: string): BayesTokenStore {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const tokenKey = (t: string) => `${prefix}t:${t}`;
  return {
    async counts(tokens) {
      const out = new Map<string, TokenCounts>();
      if (tokens.length === 0) return out;
      const pipe = redis.pipeline();
      for (const t of tokens) pipe.hmget(tokenKey(t), 'spam', 'ham');
      const results = (await pipe.exec()) ?? [];
      results.forEach(([, value], i) => {
        const [s, h] = (value as Array<string | null>) ?? [null, null];
        if (s !== null || h !== null) out.set(tokens[i]!, { spam: Number(s ?? 0), ham: Number(h ?? 0) });
      });
      return out;
    },
    async totals() {
      const [s, h] = await redis.mget(`${prefix}total:spam`, `${prefix}total:ham`);
      return { spam: Number(s ?? 0), ham: Number(h ?? 0) };
    },
    async learn(key, tokens, as) {
      const record = `${prefix}m:${key}`;
      const prev = await redis.hgetall(record);
      if (prev.class === as) return false;
      const multi = redis.multi();
      if (prev.class === 'spam' || prev.class === 'ham') {
        for (const t of JSON.parse(prev.tokens ?? '[]') as string[]) multi.hincrby(tokenKey(t), prev.class, -1);
        multi.decr(`${prefix}total:${prev.class}`);
      }
      for (const t of tokens) multi.hincrby(tokenKey(t), as, 1);
      multi.incr(`${prefix}total:${as}`);
      multi.hset(record, 'class', as, 'tokens', JSON.stringify(tokens));
      await multi.exec();
      return true;
    },
    async close() {
      await redis.quit();
    },
  };
}
