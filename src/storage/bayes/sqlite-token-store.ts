import Database from 'better-sqlite3';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';
import type { TokenCounts } from '../../antispam/bayes/classifier.js';

/** Bayes tokens in `bayes.db` under the state directory (separate from moat.db: it is rewritten often). */
export function openSqliteTokenStore(stateDir: string): BayesTokenStore {
  mkdirSync(stateDir, { recursive: true });
  const db = new Database(join(stateDir, 'bayes.db'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, spam INTEGER NOT NULL DEFAULT 0, ham INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
           CREATE TABLE IF NOT EXISTS learned (key TEXT PRIMARY KEY, class TEXT NOT NULL, tokens TEXT NOT NULL) WITHOUT ROWID;`);
  const get = db.prepare('SELECT spam, ham FROM tokens WHERE token = ?');
  const bump = db.prepare('INSERT INTO tokens (token, spam, ham) VALUES (@token, @spam, @ham) ON CONFLICT(token) DO UPDATE SET spam = MAX(0, spam + @spam), ham = MAX(0, ham + @ham)');
  const learned = db.prepare('SELECT class, tokens FROM learned WHERE key = ?');
  const remember = db.prepare('INSERT OR REPLACE INTO learned (key, class, tokens) VALUES (?, ?, ?)');
  const totals = db.prepare("SELECT SUM(class = 'spam') AS spam, SUM(class = 'ham') AS ham FROM learned");
  const apply = (tokens: readonly string[], cls: 'spam' | 'ham', delta: number) => {
    for (const token of tokens) bump.run({ token, spam: cls === 'spam' ? delta : 0, ham: cls === 'ham' ? delta : 0 });
  };
  const learnTx = db.transaction((key: string, tokens: readonly string[], as: 'spam' | 'ham'): boolean => {
    const prev = learned.get(key) as { class: 'spam' | 'ham'; tokens: string } | undefined;
    if (prev?.class === as) return false;
    if (prev) apply(JSON.parse(prev.tokens) as string[], prev.class, -1);
    apply(tokens, as, 1);
    remember.run(key, as, JSON.stringify(tokens));
    return true;
  });
  return {
    async counts(tokens) {
      const out = new Map<string, TokenCounts>();
      for (const t of tokens) {
        const row = get.get(t) as TokenCounts | undefined;
        if (row) out.set(t, row);
      }
      return out;
    },
    async totals() {
      const row = totals.get() as { spam: number | null; ham: number | null };
      return { spam: row.spam ?? 0, ham: row.ham ?? 0 };
    },
    async learn(key, tokens, as) {
      return learnTx(key, tokens, as);
    },
    async close() {
      db.close();
    },
  };
}
