/** How a Bayes token store is opened (both backends). */
export interface TokenStoreOptions {
  /**
   * Learned messages kept at most: learning one more forgets the least recently learned
   * (`[antispam.bayes] max_learned`). 0 or absent: no limit.
   */
  maxLearned?: number;
  /**
   * Open for reading only (`moat classify`): nothing is created, migrated or written, so a
   * mistyped state directory does not get a new empty store and a read-only user can score.
   * The store must exist (SQLite: `bayes.db`).
   */
  readOnly?: boolean;
  /**
   * SQLite: how long a write waits for another writer's lock. better-sqlite3 waits synchronously,
   * so the daemon keeps this short (its event loop serves all mail) and `moat learn` long.
   */
  lockWaitMs?: number;
}
