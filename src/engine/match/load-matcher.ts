/**
 * Rebuilds a CompiledMatcher from its transferable form (in a worker): views over the
 * shared buffers, no pattern recompilation, no copies.
 */
import type { CompiledMatcher, MatchContext, MatchResult, MatchSession, TransferableMatcher } from '../contracts.js';
import { MatcherTables } from './matcher-tables.js';
import { ScanSession } from './scan-session.js';

class TableMatcher implements CompiledMatcher {
  constructor(private readonly tables: MatcherTables) {}

  get signatureCount(): number {
    return this.tables.meta.signatureCount;
  }

  scan(data: Uint8Array, ctx: MatchContext): MatchResult {
    const s = new ScanSession(this.tables, ctx, data.length);
    s.write(data);
    return s.end();
  }

  createScan(ctx: MatchContext, size: number): MatchSession {
    return new ScanSession(this.tables, ctx, size);
  }
}

export function loadMatcher(t: TransferableMatcher): CompiledMatcher {
  return new TableMatcher(MatcherTables.from(t));
}
