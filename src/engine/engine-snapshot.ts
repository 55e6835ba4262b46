import type { Logger } from '../core/logger.js';
import type { CompiledMatcher, EngineSnapshot, HashLookup, SignatureDatabase } from './contracts.js';
import type { SkippedSignature } from './sigdb/records.js';
import { compileMatcher } from './match/compile-matcher.js';
import { loadMatcher } from './match/load-matcher.js';
import { hashLookupFrom } from './sigdb/hash-store.js';
import { loadDatabases, type LoadOptions } from './sigdb/load-databases.js';

/** What loading produced besides the snapshot: for `moat scan` and the daemon log. */
export interface EngineLoadReport {
  version: string;
  signatureCount: number;
  counts: Record<string, number>;
  /** Malformed and unsupported lines: from the loaders and from the matcher compiler. */
  skipped: SkippedSignature[];
  loadMs: number;
}

/** Loads databases and compiles the matcher into a structured-clone-safe snapshot (large parts shared). */
export async function buildEngineSnapshot(
  paths: readonly string[],
  options: LoadOptions & { logger?: Logger },
): Promise<{ snapshot: EngineSnapshot; report: EngineLoadReport }> {
  const started = performance.now();
  const db: SignatureDatabase = await loadDatabases(paths, options);
  const compiled = compileMatcher(db.body, db.logical, { logger: options.logger });
  const hashCount = (t: { meta: Record<string, unknown> }) =>
    Object.values((t.meta as { kinds: Record<string, { count: number }> }).kinds).reduce((a, k) => a + k.count, 0);
  const signatureCount = compiled.matcher.signatureCount + hashCount(db.fileHashes) + hashCount(db.sectionHashes);
  const snapshot: EngineSnapshot = {
    version: db.version,
    fileHashes: db.fileHashes,
    sectionHashes: db.sectionHashes,
    allowHashes: db.allowHashes,
    ignored: db.ignored,
    matcher: compiled.transferable,
    signatureCount,
  };
  const report: EngineLoadReport = {
    version: db.version,
    signatureCount,
    counts: db.counts,
    skipped: [...db.skipped, ...compiled.rejected],
    loadMs: Math.round(performance.now() - started),
  };
  return { snapshot, report };
}

/** The engine as a worker uses it: lookups and matcher rebuilt over the shared buffers, no copy. */
export interface OpenEngine {
  version: string;
  fileHashes: HashLookup;
  sectionHashes: HashLookup;
  allowHashes: HashLookup;
  ignored: ReadonlySet<string>;
  matcher: CompiledMatcher;
}

export function openEngine(snapshot: EngineSnapshot): OpenEngine {
  return {
    version: snapshot.version,
    fileHashes: hashLookupFrom(snapshot.fileHashes),
    sectionHashes: hashLookupFrom(snapshot.sectionHashes),
    allowHashes: hashLookupFrom(snapshot.allowHashes),
    ignored: new Set(snapshot.ignored),
    matcher: loadMatcher(snapshot.matcher),
  };
}
