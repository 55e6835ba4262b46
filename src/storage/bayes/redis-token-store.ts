import { Redis } from 'ioredis';
import { bytesToWeights, weightsToBytes, type BayesTokenStore } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';
import type { TokenStoreOptions } from './token-store-options.js';

/**
 * Forgets least recently learned messages while more than ARGV[2] are learned, never the one
 * ARGV[3] just learned, atomically (a script runs alone), so two nodes cannot forget one message
 * twice. ARGV[1] is the key prefix. Returns how many were forgotten.
 */
const FORGET_OLDEST = `
local prefix, limit, keep = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local forgotten = 0
local function count(class) return tonumber(redis.call('GET', prefix .. 'total:' .. class) or '0') end
while count('spam') + count('ham') > limit do
  local key = redis.call('ZRANGE', prefix .. 'learned', 0, 0)[1]
  if not key or key == keep then break end
  local record = prefix .. 'm:' .. key
  local class = redis.call('HGET', record, 'class')
  local tokens = redis.call('HGET', record, 'tokens')
  if (class == 'spam' or class == 'ham') and tokens then
    for _, token in ipairs(cjson.decode(tokens)) do
      local tokenKey = prefix .. 't:' .. token
      if redis.call('HINCRBY', tokenKey, class, -1) <= 0 then
        local other = redis.call('HGET', tokenKey, class == 'spam' and 'ham' or 'spam')
        if not other or tonumber(other) <= 0 then redis.call('DEL', tokenKey) end
      end
    end
    redis.call('DECR', prefix .. 'total:' .. class)
  end
  redis.call('DEL', record)
  redis.call('ZREM', prefix .. 'learned', key)
  redis.call('ZREM', prefix .. 'examples', key)
  forgotten = forgotten + 1
end
return forgotten`;

/**
 * Bayes tokens, learned messages and the spam model in Redis, shared by every node of a cluster:
 * one hash per token (`<prefix>t:<token>` → spam, ham), learned-message records for idempotency
 * (with their model features), a sorted set of the records by learning order, two totals, a
 * generation counter and the fitted model (`<prefix>model`: generation, weights).
 * Learning runs as one MULTI so concurrent nodes never see half a message. With `maxLearned`,
 * a sorted set of every learned message by learning order (`<prefix>learned`) says which to
 * forget first (FORGET_OLDEST).
 */
export function openRedisTokenStore(url: string, prefix: string, { maxLearned = 0 }: TokenStoreOptions = {}): BayesTokenStore {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  const tokenKey = (t: string) => `${prefix}t:${t}`;
  const generationKey = `${prefix}generation`;
  const orderKey = `${prefix}examples`;
  const learnedKey = `${prefix}learned`;
  const modelKey = `${prefix}model`;
  const modelGeneration = async () => {
    const g = await redis.hget(modelKey, 'generation');
    return g === null ? undefined : Number(g);
  };
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
    async learn(key, tokens, as, features) {
      const record = `${prefix}m:${key}`;
      const prev = await redis.hgetall(record);
      if (prev.class === as) {
        // Learned before the spam model kept features: learning it again adds them, counts unchanged.
        if (!features || prev.features !== undefined) return false;
        const seq = await redis.incr(generationKey);
        await redis.multi().hset(record, 'features', Buffer.from(features)).zadd(orderKey, seq, key).zadd(learnedKey, seq, key).exec();
        return true;
      }
      const seq = await redis.incr(generationKey);
      const multi = redis.multi();
      if (prev.class === 'spam' || prev.class === 'ham') {
        for (const t of JSON.parse(prev.tokens ?? '[]') as string[]) multi.hincrby(tokenKey(t), prev.class, -1);
        multi.decr(`${prefix}total:${prev.class}`);
      }
      for (const t of tokens) multi.hincrby(tokenKey(t), as, 1);
      multi.incr(`${prefix}total:${as}`);
      multi.hset(record, 'class', as, 'tokens', JSON.stringify(tokens));
      multi.zadd(learnedKey, seq, key);
      if (features) {
        multi.hset(record, 'features', Buffer.from(features));
        multi.zadd(orderKey, seq, key);
      } else {
        multi.hdel(record, 'features');
        multi.zrem(orderKey, key);
      }
      await multi.exec();
      if (maxLearned > 0) await redis.eval(FORGET_OLDEST, 0, prefix, maxLearned, key);
      return true;
    },
    async generation() {
      return Number((await redis.get(generationKey)) ?? 0);
    },
    async examples(limit) {
      const keys = await redis.zrevrange(orderKey, 0, limit - 1);
      if (keys.length === 0) return [];
      const pipe = redis.pipeline();
      for (const k of keys) pipe.hmgetBuffer(`${prefix}m:${k}`, 'class', 'features');
      const out: Array<{ spam: boolean; features: Uint8Array }> = [];
      for (const [, value] of (await pipe.exec()) ?? []) {
        const [cls, features] = (value as Array<Buffer | null>) ?? [];
        if (cls && features) out.push({ spam: cls.toString() === 'spam', features: new Uint8Array(features) });
      }
      return out;
    },
    async saveModel(model) {
      await redis.hset(modelKey, 'generation', model.generation, 'weights', Buffer.from(weightsToBytes(model.weights)));
    },
    modelGeneration,
    async loadModel(known) {
      const g = await modelGeneration();
      if (g === undefined || g === known) return undefined;
      const [gen, weights] = await redis.hmgetBuffer(modelKey, 'generation', 'weights');
      return gen && weights ? { generation: Number(gen.toString()), weights: bytesToWeights(weights) } : undefined;
    },
    async close() {
      await redis.quit();
    },
  };
}
