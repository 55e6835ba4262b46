import { Redis } from 'ioredis';
import { MoatError } from '../../core/errors.js';
import { bytesToWeights, weightsToBytes, type BayesTokenStore, type LearnOptions, type LearnOutcome, type StoreStats, type StoredModel } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';
import type { TokenStoreOptions } from './token-store-options.js';

/**
 * Lua shared by the scripts: adds `delta` to a message's tokens for its class and to the class
 * total; a token hash left at zero for both classes is deleted. Needs `prefix` in scope.
 */
const BUMP = `
local function bump(list, cls, delta)
  for _, token in ipairs(cjson.decode(list)) do
    local tokenKey = prefix .. 't:' .. token
    if redis.call('HINCRBY', tokenKey, cls, delta) <= 0 and delta < 0 then
      local other = redis.call('HGET', tokenKey, cls == 'spam' and 'ham' or 'spam')
      if not other or tonumber(other) <= 0 then redis.call('DEL', tokenKey) end
    end
  end
  redis.call('INCRBY', prefix .. 'total:' .. cls, delta)
end`;

/**
 * Learns one message atomically (a script runs alone, so two nodes learning the same message at
 * once count it once), then forgets least recently learned messages while more than the limit are
 * learned, never the one just learned. The token hashes of a forgotten message lose its counts
 * and are deleted at zero.
 * ARGV: prefix, message key, class, tokens as JSON, '1' when features follow, features, limit
 * (0: none), '1' when a message learned as the other class may be moved. Returns 1 for a new
 * message, 3 for one moved from the other class, 2 when only its features were added, 0 when the
 * message was already learned so, 4 when it was learned as the other class and kept so.
 */
const LEARN = `
local prefix, key, class, tokens, hasFeatures, features, limit, relearn = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5] == '1', ARGV[6], tonumber(ARGV[7]), ARGV[8] == '1'
local record = prefix .. 'm:' .. key
local prev = redis.call('HMGET', record, 'class', 'tokens', 'features')
${BUMP}
if (prev[1] == 'spam' or prev[1] == 'ham') and prev[1] ~= class and not relearn then return 4 end
if prev[1] == class then
  -- Learned before the spam model kept features: learning it again adds them, counts unchanged.
  if not hasFeatures or prev[3] then return 0 end
  local seq = redis.call('INCR', prefix .. 'generation')
  redis.call('HSET', record, 'features', features)
  redis.call('ZADD', prefix .. 'examples', seq, key)
  redis.call('ZADD', prefix .. 'learned', seq, key)
  return 2
end
local moved = (prev[1] == 'spam' or prev[1] == 'ham') and prev[2]
local seq = redis.call('INCR', prefix .. 'generation')
if moved then bump(prev[2], prev[1], -1) end
bump(tokens, class, 1)
redis.call('HSET', record, 'class', class, 'tokens', tokens)
redis.call('ZADD', prefix .. 'learned', seq, key)
if hasFeatures then
  redis.call('HSET', record, 'features', features)
  redis.call('ZADD', prefix .. 'examples', seq, key)
else
  redis.call('HDEL', record, 'features')
  redis.call('ZREM', prefix .. 'examples', key)
end
if limit > 0 then
  local function learned() return tonumber(redis.call('GET', prefix .. 'total:spam') or '0') + tonumber(redis.call('GET', prefix .. 'total:ham') or '0') end
  while learned() > limit do
    local oldest = redis.call('ZRANGE', prefix .. 'learned', 0, 0)[1]
    if not oldest or oldest == key then break end
    local old = redis.call('HMGET', prefix .. 'm:' .. oldest, 'class', 'tokens')
    if (old[1] == 'spam' or old[1] == 'ham') and old[2] then bump(old[2], old[1], -1) end
    redis.call('DEL', prefix .. 'm:' .. oldest)
    redis.call('ZREM', prefix .. 'learned', oldest)
    redis.call('ZREM', prefix .. 'examples', oldest)
  end
end
if moved then return 3 end
return 1`;

/**
 * Forgets one learned message atomically (\`moat learn --forget\`): its tokens lose its counts,
 * its record and its places in the order sets go, and the generation moves (the model is stale).
 * ARGV: prefix, message key. Returns 1 when it had been learned as spam, 2 as ham, 0 not at all.
 */
const FORGET = `
local prefix, key = ARGV[1], ARGV[2]
local record = prefix .. 'm:' .. key
local prev = redis.call('HMGET', record, 'class', 'tokens')
if not ((prev[1] == 'spam' or prev[1] == 'ham') and prev[2]) then return 0 end
${BUMP}
bump(prev[2], prev[1], -1)
redis.call('DEL', record)
redis.call('ZREM', prefix .. 'learned', key)
redis.call('ZREM', prefix .. 'examples', key)
redis.call('INCR', prefix .. 'generation')
if prev[1] == 'spam' then return 1 end
return 2`;

/** A Redis URL as it may be shown: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable Redis URL)';
  }
}

/** `prefix` as a SCAN MATCH pattern that matches it literally (glob characters escaped). */
const globLiteral = (prefix: string) => prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Records read per round trip when listing learned messages. */
const EXPORT_BATCH = 500;

/** How long the first commands wait for the first connection; after that, none waits. */
const FIRST_CONNECT_MS = 2000;

/** Longest wait for one Redis command (a Lua LEARN of a big message takes milliseconds). */
const COMMAND_TIMEOUT_MS = 2000;

/** What the LEARN script's return code means. */
const LEARN_OUTCOMES: Readonly<Record<number, LearnOutcome>> = { 0: 'known', 1: 'new', 2: 'features', 3: 'moved', 4: 'kept' };

/**
 * Bayes tokens, learned messages and the spam model in Redis, shared by every node of a cluster:
 * one hash per token (`<prefix>t:<token>` → spam, ham), learned-message records for idempotency
 * (with their model features), a sorted set of the records by learning order, two totals, a
 * generation counter and the fitted model (`<prefix>model`: generation, weights).
 * Learning runs as one script (LEARN) so concurrent nodes never see half a message nor count one
 * twice. A sorted set of every learned message by learning order (`<prefix>learned`) says which
 * to forget first (with `maxLearned`) and in which order to list them (export).
 *
 * While Redis is down every call fails at once with BAYES_STORE_UNAVAILABLE (no offline queue: a
 * queued command would hold the message for up to 15 s per call as reconnection backs off), and
 * the scorer scores without Bayes; ioredis keeps reconnecting in the background. Only the first
 * calls after opening wait, up to 2 s, for the first connection.
 */
export function openRedisTokenStore(url: string, prefix: string, { maxLearned = 0 }: TokenStoreOptions = {}): BayesTokenStore {
  // A Redis that hangs (stopped, swapping, a full network buffer) must not hold mail either: each
  // command fails after COMMAND_TIMEOUT_MS and the message is scored without Bayes.
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS });
  let lastError = 'not connected yet';
  // Connection errors reach callers through their commands (below); without a listener ioredis
  // would print every reconnection failure to stderr.
  redis.on('error', (err: Error) => {
    lastError = err.message;
  });
  const firstConnection = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, FIRST_CONNECT_MS);
    timer.unref();
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  /** A store call that waits only for the first connection, and says plainly when Redis is away. */
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await firstConnection;
      if (redis.status !== 'ready') throw new MoatError('BAYES_STORE_UNAVAILABLE', `Bayes store ${redactRedisUrl(url)} is not connected (${lastError.split(url).join(redactRedisUrl(url))})`);
      return call(...args);
    };
  const tokenKey = (t: string) => `${prefix}t:${t}`;
  const generationKey = `${prefix}generation`;
  const orderKey = `${prefix}examples`;
  const modelKey = `${prefix}model`;
  const modelGeneration = guarded(async () => {
    const g = await redis.hget(modelKey, 'generation');
    return g === null ? undefined : Number(g);
  });
  return {
    counts: guarded(async (tokens: readonly string[]) => {
      const out = new Map<string, TokenCounts>();
      if (tokens.length === 0) return out;
      const pipe = redis.pipeline();
      for (const t of tokens) pipe.hmget(tokenKey(t), 'spam', 'ham');
      const results = (await pipe.exec()) ?? [];
      results.forEach(([err, value], i) => {
        if (err) throw err;
        const [s, h] = (value as Array<string | null>) ?? [null, null];
        if (s !== null || h !== null) out.set(tokens[i]!, { spam: Number(s ?? 0), ham: Number(h ?? 0) });
      });
      return out;
    }),
    totals: guarded(async () => {
      const [s, h] = await redis.mget(`${prefix}total:spam`, `${prefix}total:ham`);
      return { spam: Number(s ?? 0), ham: Number(h ?? 0) };
    }),
    learn: guarded(async (key: string, tokens: readonly string[], as: 'spam' | 'ham', features?: Uint8Array, options?: LearnOptions) => {
      const code = await redis.eval(LEARN, 0, prefix, key, as, JSON.stringify(tokens), features ? '1' : '0', features ? Buffer.from(features) : '', maxLearned, options?.relearn === false ? '0' : '1');
      return LEARN_OUTCOMES[Number(code)] ?? 'known';
    }),
    forget: guarded(async (key: string) => {
      const code = Number(await redis.eval(FORGET, 0, prefix, key));
      return code === 1 ? 'spam' : code === 2 ? 'ham' : undefined;
    }),
    stats: guarded(async (): Promise<StoreStats> => {
      // SCAN walks the keyspace in steps without blocking Redis (a command, not the daemon, asks);
      // a key moved by a rehash during the walk may be counted twice, so the figure is close, not exact.
      let tokens = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${globLiteral(prefix)}t:*`, 'COUNT', 1000);
        tokens += keys.length;
        cursor = next;
      } while (cursor !== '0');
      return { location: `${redactRedisUrl(url)} prefix "${prefix}"`, tokens, withFeatures: await redis.zcard(orderKey) };
    }),
    learnedMessages: async function* () {
      // Least recently learned first, a batch of records per round trip, paged by score (each
      // learning's own generation number): learning or forgetting meanwhile shifts positions in the
      // set, which would skip messages that stayed, but never a kept message's score.
      for (let after = '-inf'; ; ) {
        const page = await guarded(() => redis.zrangebyscore(`${prefix}learned`, after, '+inf', 'WITHSCORES', 'LIMIT', 0, EXPORT_BATCH))();
        const keys = page.filter((_, i) => i % 2 === 0);
        if (keys.length === 0) return;
        after = `(${page[page.length - 1]}`;
        const pipe = redis.pipeline();
        for (const k of keys) pipe.hmgetBuffer(`${prefix}m:${k}`, 'class', 'tokens', 'features');
        const results = (await pipe.exec()) ?? [];
        for (const [i, [err, value]] of results.entries()) {
          if (err) throw err;
          const [cls, tokens, features] = (value as Array<Buffer | null>) ?? [];
          const c = cls?.toString();
          if ((c === 'spam' || c === 'ham') && tokens) yield { key: keys[i]!, class: c, tokens: JSON.parse(tokens.toString()) as string[], ...(features ? { features: new Uint8Array(features) } : {}) };
        }
        if (keys.length < EXPORT_BATCH) return;
      }
    },
    generation: guarded(async () => Number((await redis.get(generationKey)) ?? 0)),
    examples: guarded(async (limit: number) => {
      const keys = await redis.zrevrange(orderKey, 0, limit - 1);
      if (keys.length === 0) return [];
      const pipe = redis.pipeline();
      for (const k of keys) pipe.hmgetBuffer(`${prefix}m:${k}`, 'class', 'features');
      const out: Array<{ spam: boolean; features: Uint8Array }> = [];
      for (const [err, value] of (await pipe.exec()) ?? []) {
        if (err) throw err;
        const [cls, features] = (value as Array<Buffer | null>) ?? [];
        if (cls && features) out.push({ spam: cls.toString() === 'spam', features: new Uint8Array(features) });
      }
      return out;
    }),
    saveModel: guarded(async (model: StoredModel) => {
      await redis.hset(modelKey, 'generation', model.generation, 'weights', Buffer.from(weightsToBytes(model.weights)));
    }),
    modelGeneration,
    loadModel: guarded(async (known?: number) => {
      const g = await modelGeneration();
      if (g === undefined || g === known) return undefined;
      const [gen, weights] = await redis.hmgetBuffer(modelKey, 'generation', 'weights');
      return gen && weights ? { generation: Number(gen.toString()), weights: bytesToWeights(weights) } : undefined;
    }),
    async close() {
      // quit() needs a connection; a store whose Redis is away just drops its reconnection attempts.
      // A hung Redis never answers QUIT: close does not wait for it longer than a command would.
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
