import Database, { type Statement } from 'better-sqlite3';
import { join } from 'node:path';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { bytesToWeights, weightsToBytes, type BayesTokenStore, type LearnedRecord, type LearnOutcome, type StoreStats, type StoredModel } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';
import type { TokenStoreOptions } from './token-store-options.js';
import { MoatError } from '../../core/errors.js';

/** One query for a message's token counts (tokens never learned are left out). */
async function countsOf(getMany: Statement, tokens: readonly string[]): Promise<Map<string, TokenCounts>> {
  const out = new Map<string, TokenCounts>();
  if (tokens.length === 0) return out;
  for (const row of getMany.all(JSON.stringify(tokens)) as Array<TokenCounts & { token: string }>) out.set(row.token, { spam: row.spam, ham: row.ham });
  return out;
}

/** The stored model when its generation is not `known` (the one the caller already has). */
function modelIfNewer(generation: number | undefined, known: number | undefined, getModel: Statement | undefined): StoredModel | undefined {
  if (generation === undefined || generation === known) return undefined;
  const row = getModel?.get() as { generation: number; weights: Buffer } | undefined;
  return row && { generation: row.generation, weights: bytesToWeights(row.weights) };
}

/** Rows read per query when listing learned messages. */
const EXPORT_BATCH = 500;

/** The learned messages of `bayes.db`, least recently learned first, a batch per query (keyset on seq, key). */
async function* learnedRecordsOf(db: SqliteDatabase): AsyncGenerator<LearnedRecord> {
  const hasSeq = (db.prepare('PRAGMA table_info(learned)').all() as Array<{ name: string }>).some((c) => c.name === 'seq');
  const page = hasSeq
    ? db.prepare(`SELECT key, class, tokens, features, seq FROM learned WHERE (seq, key) > (?, ?) ORDER BY seq, key LIMIT ${EXPORT_BATCH}`)
    : db.prepare(`SELECT key, class, tokens, NULL AS features, 0 AS seq FROM learned WHERE (0, key) > (?, ?) ORDER BY key LIMIT ${EXPORT_BATCH}`);
  let after: [number, string] = [-1, ''];
  for (;;) {
    const rows = page.all(...after) as Array<{ key: string; class: 'spam' | 'ham'; tokens: string; features: Buffer | null; seq: number }>;
    for (const r of rows) yield { key: r.key, class: r.class, tokens: JSON.parse(r.tokens) as string[], ...(r.features ? { features: new Uint8Array(r.features) } : {}) };
    if (rows.length < EXPORT_BATCH) return;
    const last = rows[rows.length - 1]!;
    after = [last.seq, last.key];
  }
}

/** What `bayes.db` holds (`moat learn --stats`): tokens, messages with features, size on disk. */
function statsOf(db: SqliteDatabase, file: string): StoreStats {
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const hasFeatures = (db.prepare('PRAGMA table_info(learned)').all() as Array<{ name: string }>).some((c) => c.name === 'features');
  return {
    location: file,
    tokens: count('SELECT COUNT(*) FROM tokens'),
    withFeatures: hasFeatures ? count('SELECT COUNT(*) FROM learned WHERE features IS NOT NULL') : 0,
    bytes: sizeOf(file) + sizeOf(`${file}-wal`),
  };
}

/** Blocks the thread for `ms` (the open below runs before any event loop work of the store). */
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Puts the store in WAL mode. Switching needs the database to itself, and SQLite answers
 * "database is locked" at once, without waiting, when another process opens the new store at the
 * same moment (the daemon starting while moat learn runs): so it is tried again for `waitMs`.
 */
function useWal(db: SqliteDatabase, waitMs: number): void {
  const deadline = Date.now() + Math.max(waitMs, 1000);
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!/locked|busy/i.test((err as Error).message) || Date.now() > deadline) throw err;
      sleepSync(10);
    }
  }
}

/**
 * A writer holds the lock for one message's transaction (milliseconds), so the daemon waits this
 * long before autolearning is given up for a message (`autolearn=failed`); better-sqlite3 waits
 * synchronously, and a longer wait would stall every connection when something holds the lock.
 */
const DAEMON_LOCK_WAIT_MS = 200;
/** `moat learn` and other commands can wait for the daemon's or another command's transactions. */
export const COMMAND_LOCK_WAIT_MS = 10_000;

/**
 * Bayes tokens, learned messages and the spam model in `bayes.db` under the state directory
 * (separate from moat.db: it is rewritten often). With `maxLearned`, learning a message beyond
 * that many forgets the least recently learned ones (their tokens are taken back out).
 */
export function openSqliteTokenStore(stateDir: string, { maxLearned = 0, readOnly = false, lockWaitMs = DAEMON_LOCK_WAIT_MS }: TokenStoreOptions = {}): BayesTokenStore {
  const file = join(stateDir, 'bayes.db');
  if (readOnly) return openReadOnly(file);
  mkdirSync(stateDir, { recursive: true });
  const db = new Database(file, { timeout: lockWaitMs });
  useWal(db, lockWaitMs);
  // Schema and upgrades in one write transaction: two processes opening a new or old store at
  // once (two moat learn runs, the daemon and a command) take turns, so the second finds the
  // columns the first added instead of failing with "duplicate column name".
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, spam INTEGER NOT NULL DEFAULT 0, ham INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS learned (key TEXT PRIMARY KEY, class TEXT NOT NULL, tokens TEXT NOT NULL) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS model (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL, weights BLOB NOT NULL);`);
    // Stores created before the spam model have no feature columns: add them (old rows keep none).
    const columns = new Set((db.prepare('PRAGMA table_info(learned)').all() as Array<{ name: string }>).map((c) => c.name));
    if (!columns.has('features')) db.exec('ALTER TABLE learned ADD COLUMN features BLOB');
    if (!columns.has('seq')) db.exec('ALTER TABLE learned ADD COLUMN seq INTEGER NOT NULL DEFAULT 0');
    db.exec('CREATE INDEX IF NOT EXISTS learned_by_seq ON learned (seq)');
  }).immediate();
  // One query per message, not one per token: 0.28 against 1.05 ms for the ~185 tokens of a corpus
  // message (bench/antispam/store-cost.ts).
  const getMany = db.prepare('SELECT token, spam, ham FROM tokens WHERE token IN (SELECT value FROM json_each(?))');
  const bump = db.prepare('INSERT INTO tokens (token, spam, ham) VALUES (@token, @spam, @ham) ON CONFLICT(token) DO UPDATE SET spam = MAX(0, spam + @spam), ham = MAX(0, ham + @ham)');
  const learned = db.prepare('SELECT class, tokens, features IS NOT NULL AS hasFeatures FROM learned WHERE key = ?');
  const addFeatures = db.prepare('UPDATE learned SET features = ?, seq = ? WHERE key = ?');
  const remember = db.prepare('INSERT OR REPLACE INTO learned (key, class, tokens, features, seq) VALUES (?, ?, ?, ?, ?)');
  // Learned-message counts are kept in meta ('learned:spam', 'learned:ham') by the learning
  // transaction, so scoring reads two rows instead of counting every learned message. Stores from
  // before the counters get them once, from the learned table, when first opened.
  const readCount = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const addCount = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = MAX(0, value + excluded.value)');
  const countLearned = db.prepare("SELECT COALESCE(SUM(class = 'spam'), 0) AS spam, COALESCE(SUM(class = 'ham'), 0) AS ham FROM learned");
  const seedCounters = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  db.transaction(() => {
    if (readCount.get('learned:spam') !== undefined && readCount.get('learned:ham') !== undefined) return;
    const row = countLearned.get() as { spam: number; ham: number };
    seedCounters.run('learned:spam', row.spam);
    seedCounters.run('learned:ham', row.ham);
  }).immediate();
  const readGeneration = db.prepare("SELECT value FROM meta WHERE key = 'generation'").pluck();
  const bumpGeneration = db.prepare("INSERT INTO meta (key, value) VALUES ('generation', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1 RETURNING value").pluck();
  const newest = db.prepare('SELECT class, features FROM learned WHERE features IS NOT NULL ORDER BY seq DESC LIMIT ?');
  const putModel = db.prepare('INSERT OR REPLACE INTO model (id, generation, weights) VALUES (1, ?, ?)');
  const readModelGeneration = db.prepare('SELECT generation FROM model WHERE id = 1').pluck();
  const modelGeneration = async () => readModelGeneration.get() as number | undefined;
  const getModel = db.prepare('SELECT generation, weights FROM model WHERE id = 1');
  const dropIfEmpty = db.prepare('DELETE FROM tokens WHERE token = ? AND spam = 0 AND ham = 0');
  const oldest = db.prepare('SELECT key, class, tokens FROM learned ORDER BY seq, key LIMIT 1');
  const drop = db.prepare('DELETE FROM learned WHERE key = ?');
  const apply = (tokens: readonly string[], cls: 'spam' | 'ham', delta: number) => {
    for (const token of tokens) {
      bump.run({ token, spam: cls === 'spam' ? delta : 0, ham: cls === 'ham' ? delta : 0 });
      if (delta < 0) dropIfEmpty.run(token);
    }
  };
  const learnedOf = (cls: 'spam' | 'ham') => (readCount.get(`learned:${cls}`) as number | undefined) ?? 0;
  const learnedCount = () => learnedOf('spam') + learnedOf('ham');
  /** Takes one learned message back out: its tokens' counts, its class's counter, its record. */
  const unlearn = (row: { key: string; class: 'spam' | 'ham'; tokens: string }) => {
    apply(JSON.parse(row.tokens) as string[], row.class, -1);
    addCount.run(`learned:${row.class}`, -1);
    drop.run(row.key);
  };
  /** Forgets least recently learned messages until at most maxLearned remain (0: no limit). */
  const forgetBeyondLimit = () => {
    if (maxLearned <= 0) return;
    for (let excess = learnedCount() - maxLearned; excess > 0; excess--) {
      const row = oldest.get() as { key: string; class: 'spam' | 'ham'; tokens: string } | undefined;
      if (!row) return;
      unlearn(row);
    }
  };
  const forgetTx = db.transaction((key: string): 'spam' | 'ham' | undefined => {
    const row = learned.get(key) as { class: 'spam' | 'ham'; tokens: string } | undefined;
    if (!row) return undefined;
    unlearn({ key, ...row });
    // The model was fitted with this message: a new generation makes it stale.
    bumpGeneration.get();
    return row.class;
  });
  const learnTx = db.transaction((key: string, tokens: readonly string[], as: 'spam' | 'ham', features: Uint8Array | undefined, relearn: boolean): LearnOutcome => {
    const prev = learned.get(key) as { class: 'spam' | 'ham'; tokens: string; hasFeatures: number } | undefined;
    if (prev && prev.class !== as && !relearn) return 'kept';
    if (prev?.class === as) {
      // Learned before the spam model kept features: learning it again adds them, counts unchanged.
      if (!features || prev.hasFeatures) return 'known';
      addFeatures.run(Buffer.from(features), bumpGeneration.get() as number, key);
      return 'features';
    }
    if (prev) {
      apply(JSON.parse(prev.tokens) as string[], prev.class, -1);
      addCount.run(`learned:${prev.class}`, -1);
    }
    apply(tokens, as, 1);
    addCount.run(`learned:${as}`, 1);
    const seq = bumpGeneration.get() as number;
    remember.run(key, as, JSON.stringify(tokens), features ? Buffer.from(features) : null, seq);
    forgetBeyondLimit();
    return prev ? 'moved' : 'new';
  });
  return {
    counts: (tokens) => countsOf(getMany, tokens),
    async totals() {
      return { spam: learnedOf('spam'), ham: learnedOf('ham') };
    },
    async learn(key, tokens, as, features, options) {
      // IMMEDIATE takes the write lock first, so it waits for another writer; a deferred
      // transaction reads, then fails with "database is locked" when it cannot upgrade.
      return learnTx.immediate(key, tokens, as, features, options?.relearn ?? true);
    },
    async forget(key) {
      return forgetTx.immediate(key);
    },
    stats: async () => statsOf(db, file),
    learnedMessages: () => learnedRecordsOf(db),
    async generation() {
      return (readGeneration.get() as number | undefined) ?? 0;
    },
    async examples(limit) {
      return (newest.all(limit) as Array<{ class: string; features: Buffer }>).map((r) => ({ spam: r.class === 'spam', features: new Uint8Array(r.features) }));
    },
    async saveModel(model) {
      putModel.run(model.generation, Buffer.from(weightsToBytes(model.weights)));
    },
    modelGeneration,
    loadModel: async (known) => modelIfNewer(await modelGeneration(), known, getModel),
    async close() {
      db.close();
    },
  };
}

/** Largest `bayes.db` read into memory when it cannot be opened in place (readOnlySnapshot). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/** Size of a file, 0 when there is none. */
function sizeOf(f: string): number {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
}

/**
 * A user without write access to the state directory cannot open a WAL-mode `bayes.db` in place
 * while no other process has it open: SQLite must create its `-shm` file beside it, and
 * better-sqlite3 is built without URI filenames, so `immutable=1` is not available. When no
 * `-wal` holds anything, the file alone is the whole database: it is read into memory, as of one
 * moment (same size and modification time before and after the read, still no `-wal`), with its
 * header marked as a rollback-journal database, which an in-memory database must be. Otherwise
 * says why not (a `-wal` with content, a writer busy meanwhile, a file over 512 MB).
 */
function readOnlySnapshot(file: string): { db: InstanceType<typeof Database> } | { whyNot: string } {
  const walHolds = `its ${file}-wal holds changes the file does not have yet, which only a writer can fold in (the daemon, or moat learn run by the state directory's owner, does when it opens the store)`;
  const before = statSync(file);
  if (sizeOf(`${file}-wal`) > 0) return { whyNot: walHolds };
  if (before.size > MAX_SNAPSHOT_BYTES) return { whyNot: `it is over ${MAX_SNAPSHOT_BYTES >> 20} MB, more than is read into memory` };
  const bytes = readFileSync(file);
  const after = statSync(file);
  if (sizeOf(`${file}-wal`) > 0) return { whyNot: walHolds };
  if (bytes.length < 100) return { whyNot: 'it is too short to be a SQLite database' };
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { whyNot: 'it changed while it was read (a writer is at work: try again)' };
  // Bytes 18 and 19 of the header: file format read/write versions, 2 for WAL, 1 for rollback.
  if (bytes[18] === 2) bytes[18] = 1;
  if (bytes[19] === 2) bytes[19] = 1;
  return { db: new Database(bytes, { readonly: true }) };
}

/**
 * `bayes.db` opened read-only where it is, or else read into memory (readOnlySnapshot); when
 * neither works, the error says why each did not.
 */
function openInPlaceOrSnapshot(file: string): InstanceType<typeof Database> {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: COMMAND_LOCK_WAIT_MS });
  try {
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    if (!/readonly|unable to open/i.test((err as Error).message)) throw err;
    const snapshot = readOnlySnapshot(file);
    if ('db' in snapshot) return snapshot.db;
    throw new MoatError('STORAGE', `cannot open ${file} where it is (${(err as Error).message}: with no writer holding it open, SQLite must create its -shm file beside it, which needs write access to the state directory), nor read it whole: ${snapshot.whyNot}`);
  }
}

/**
 * `bayes.db` opened for reading only (`moat classify`, `moat learn --stats` and `--export`): no schema change, no counter seeding (a
 * store from before the counters is counted once here, in memory), and learning refused.
 */
function openReadOnly(file: string): BayesTokenStore {
  const db = openInPlaceOrSnapshot(file);
  const getMany = db.prepare('SELECT token, spam, ham FROM tokens WHERE token IN (SELECT value FROM json_each(?))');
  const hasTable = (name: string) => (db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) as number) > 0;
  // A store from before the counters, or before the spam model, has no meta table: counted here.
  const readCount = hasTable('meta') ? db.prepare('SELECT value FROM meta WHERE key = ?').pluck() : { get: (): undefined => undefined };
  const counted = db.prepare("SELECT COALESCE(SUM(class = 'spam'), 0) AS spam, COALESCE(SUM(class = 'ham'), 0) AS ham FROM learned");
  const seeded = readCount.get('learned:spam') !== undefined && readCount.get('learned:ham') !== undefined;
  const fixed = seeded ? undefined : (counted.get() as TokenCounts);
  const hasModel = hasTable('model');
  const readModelGeneration = hasModel ? db.prepare('SELECT generation FROM model WHERE id = 1').pluck() : undefined;
  const getModel = hasModel ? db.prepare('SELECT generation, weights FROM model WHERE id = 1') : undefined;
  const refuse = async (): Promise<never> => {
    throw new MoatError('STORAGE', `${file} is open read-only: nothing can be learned or stored`);
  };
  const modelGeneration = async () => readModelGeneration?.get() as number | undefined;
  return {
    counts: (tokens) => countsOf(getMany, tokens),
    async totals() {
      return fixed ?? { spam: (readCount.get('learned:spam') as number | undefined) ?? 0, ham: (readCount.get('learned:ham') as number | undefined) ?? 0 };
    },
    learn: refuse,
    forget: refuse,
    stats: async () => statsOf(db, file),
    learnedMessages: () => learnedRecordsOf(db),
    generation: async () => (readCount.get('generation') as number | undefined) ?? 0,
    examples: async () => [],
    saveModel: refuse,
    modelGeneration,
    loadModel: async (known) => modelIfNewer(await modelGeneration(), known, getModel),
    async close() {
      db.close();
    },
  };
}
