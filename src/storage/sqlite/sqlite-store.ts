import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MoatError } from '../../core/errors.js';
import type { EventLog, MessageEvent, NewQuarantineEntry, QuarantineEntry, QuarantineStatus, QuarantineStore } from '../../pipeline/stores.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS quarantine (
  id TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  envelope TEXT NOT NULL,
  client TEXT NOT NULL,
  reason TEXT NOT NULL,
  detections TEXT NOT NULL,
  recipients TEXT NOT NULL,
  size INTEGER NOT NULL,
  status TEXT NOT NULL,
  released_at INTEGER,
  released_to TEXT
);
CREATE INDEX IF NOT EXISTS quarantine_created ON quarantine(created_at);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL,
  queue_id TEXT,
  agent TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  mail_from TEXT NOT NULL,
  rcpt_to TEXT NOT NULL,
  size INTEGER NOT NULL,
  av_verdict TEXT NOT NULL,
  detections TEXT NOT NULL,
  spam_score REAL,
  actions TEXT NOT NULL,
  quarantine_id TEXT,
  duration_ms INTEGER NOT NULL,
  db_version TEXT NOT NULL
);
`;

interface QuarantineRow {
  id: string;
  transaction_id: string;
  created_at: number;
  envelope: string;
  client: string;
  reason: string;
  detections: string;
  recipients: string;
  size: number;
  status: QuarantineStatus;
  released_at: number | null;
  released_to: string | null;
}

function toEntry(r: QuarantineRow): QuarantineEntry {
  return {
    id: r.id,
    transactionId: r.transaction_id,
    createdAt: new Date(r.created_at),
    envelope: JSON.parse(r.envelope),
    client: JSON.parse(r.client),
    reason: r.reason,
    detections: JSON.parse(r.detections),
    recipients: JSON.parse(r.recipients),
    size: r.size,
    status: r.status,
    ...(r.released_at !== null ? { releasedAt: new Date(r.released_at) } : {}),
    ...(r.released_to !== null ? { releasedTo: JSON.parse(r.released_to) } : {}),
  };
}

/** Writes a file durably: temp name, fsync, rename (the message exists whole or not at all). */
async function writeDurably(path: string, data: Buffer): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

export interface SqliteStore {
  quarantine: QuarantineStore;
  events: EventLog;
  close(): void;
}

/**
 * The embedded store under the state directory: `moat.db` (SQLite, WAL) for metadata and the
 * event log, `quarantine/<id>.eml` for message bytes (files keep the database small and let an
 * administrator inspect a message with ordinary tools).
 */
export interface SqliteStoreOptions {
  /** Event rows are written in batches, one transaction each; a failed batch is reported here. */
  onEventLogError?: (err: Error, rowsLost: number) => void;
  /** How long an event row may wait for its batch (default 100 ms; reads and close flush at once). */
  eventFlushMs?: number;
}

/** A batch is written at once when it has this many rows, whatever the time. */
const EVENT_BATCH_MAX = 256;

export function openSqliteStore(stateDir: string, options: SqliteStoreOptions = {}): SqliteStore {
  const qdir = join(stateDir, 'quarantine');
  mkdirSync(qdir, { recursive: true, mode: 0o700 });
  const db = new Database(join(stateDir, 'moat.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(SCHEMA);
  // The event log is for administrators: a second connection with synchronous=NORMAL (WAL keeps
  // it safe against a crash of Moat; only a power cut can lose the last rows). Quarantine writes
  // stay on the FULL connection, because the policy promises the copy exists.
  const eventsDb = new Database(join(stateDir, 'moat.db'));
  eventsDb.pragma('journal_mode = WAL');
  eventsDb.pragma('synchronous = NORMAL');
  eventsDb.pragma('busy_timeout = 5000');
  db.pragma('busy_timeout = 5000');
  const file = (id: string) => {
    if (!/^[0-9A-Za-z-]+$/.test(id)) throw new MoatError('QUARANTINE_NOT_FOUND', `invalid quarantine id "${id}"`);
    return join(qdir, `${id}.eml`);
  };
  const stmts = {
    insert: db.prepare(
      `INSERT INTO quarantine (id, transaction_id, created_at, envelope, client, reason, detections, recipients, size, status)
       VALUES (@id, @transaction_id, @created_at, @envelope, @client, @reason, @detections, @recipients, @size, 'held')`,
    ),
    get: db.prepare('SELECT * FROM quarantine WHERE id = ?'),
    list: db.prepare('SELECT * FROM quarantine WHERE (@status IS NULL AND status != \'deleted\') OR status = @status ORDER BY created_at DESC LIMIT @limit'),
    begin: db.prepare("UPDATE quarantine SET status = 'releasing' WHERE id = ? AND status = 'held'"),
    finish: db.prepare("UPDATE quarantine SET status = 'released', released_at = ?, released_to = ? WHERE id = ? AND status = 'releasing'"),
    abort: db.prepare("UPDATE quarantine SET status = 'held' WHERE id = ? AND status = 'releasing'"),
    del: db.prepare("UPDATE quarantine SET status = 'deleted' WHERE id = ? AND status IN ('held', 'released')"),
    expired: db.prepare("SELECT id FROM quarantine WHERE created_at < ? AND status != 'releasing'"),
    purge: db.prepare('DELETE FROM quarantine WHERE id = ?'),
    event: eventsDb.prepare(
      `INSERT INTO events (transaction_id, queue_id, agent, received_at, mail_from, rcpt_to, size, av_verdict, detections, spam_score, actions, quarantine_id, duration_ms, db_version)
       VALUES (@transactionId, @queueId, @agent, @receivedAt, @mailFrom, @rcptTo, @size, @avVerdict, @detections, @spamScore, @actions, @quarantineId, @durationMs, @dbVersion)`,
    ),
    recent: eventsDb.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT ?'),
  };

  const quarantine: QuarantineStore = {
    async put(entry: NewQuarantineEntry, message: Buffer, now: Date) {
      const id = `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
      await writeDurably(file(id), message);
      stmts.insert.run({
        id,
        transaction_id: entry.transactionId,
        created_at: now.getTime(),
        envelope: JSON.stringify(entry.envelope),
        client: JSON.stringify(entry.client),
        reason: entry.reason,
        detections: JSON.stringify(entry.detections),
        recipients: JSON.stringify(entry.recipients),
        size: message.length,
      });
      return id;
    },
    get(id) {
      const row = stmts.get.get(id) as QuarantineRow | undefined;
      return row && row.status !== 'deleted' ? toEntry(row) : undefined;
    },
    list({ limit, status }) {
      return (stmts.list.all({ limit, status: status ?? null }) as QuarantineRow[]).map(toEntry);
    },
    async readMessage(id) {
      try {
        return await readFile(file(id));
      } catch {
        throw new MoatError('QUARANTINE_NOT_FOUND', `quarantined message ${id} has no stored message file`);
      }
    },
    beginRelease: (id) => stmts.begin.run(id).changes === 1,
    finishRelease: (id, recipients, now) => void stmts.finish.run(now.getTime(), JSON.stringify(recipients), id),
    abortRelease: (id) => void stmts.abort.run(id),
    delete(id) {
      const changed = stmts.del.run(id).changes === 1;
      if (changed) void rm(file(id), { force: true });
      return changed;
    },
    expire(before) {
      const ids = (stmts.expired.all(before.getTime()) as Array<{ id: string }>).map((r) => r.id);
      for (const id of ids) {
        stmts.purge.run(id);
        void rm(file(id), { force: true });
      }
      return ids.length;
    },
  };

  // One transaction per message costs a WAL commit each (~50 µs of the event loop per message
  // under load); rows recorded within eventFlushMs share one instead (flushed at once before reads,
  // on close, and at EVENT_BATCH_MAX rows). A crash of Moat loses at most that window of rows: the
  // event log is for administrators, the mail itself never depends on it.
  const pending: MessageEvent[] = [];
  const flushMs = options.eventFlushMs ?? 100;
  let flushTimer: NodeJS.Timeout | undefined;
  const insertBatch = eventsDb.transaction((rows: MessageEvent[]) => {
    for (const e of rows)
      stmts.event.run({
        ...e,
        queueId: e.queueId ?? null,
        receivedAt: e.receivedAt.getTime(),
        rcptTo: JSON.stringify(e.rcptTo),
        detections: JSON.stringify(e.detections),
        spamScore: e.spamScore ?? null,
        quarantineId: e.quarantineId ?? null,
      });
  });
  const flushEvents = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!pending.length) return;
    const rows = pending.splice(0);
    try {
      insertBatch(rows);
    } catch (err) {
      options.onEventLogError?.(err as Error, rows.length);
    }
  };

  const events: EventLog = {
    record(e: MessageEvent) {
      pending.push(e);
      if (pending.length >= EVENT_BATCH_MAX) flushEvents();
      else if (!flushTimer) {
        flushTimer = setTimeout(flushEvents, flushMs);
        flushTimer.unref();
      }
    },
    recent(limit) {
      flushEvents();
      return (stmts.recent.all(limit) as Array<Record<string, unknown>>).map((r) => ({
        transactionId: r.transaction_id as string,
        queueId: (r.queue_id as string | null) ?? undefined,
        agent: r.agent as string,
        receivedAt: new Date(r.received_at as number),
        mailFrom: r.mail_from as string,
        rcptTo: JSON.parse(r.rcpt_to as string),
        size: r.size as number,
        avVerdict: r.av_verdict as string,
        detections: JSON.parse(r.detections as string),
        spamScore: (r.spam_score as number | null) ?? undefined,
        actions: r.actions as string,
        quarantineId: (r.quarantine_id as string | null) ?? undefined,
        durationMs: r.duration_ms as number,
        dbVersion: r.db_version as string,
      }));
    },
  };

  return {
    quarantine,
    events,
    close: () => {
      flushEvents();
      eventsDb.close();
      db.close();
    },
  };
}
