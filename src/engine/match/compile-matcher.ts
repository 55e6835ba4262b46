/**
 * Compiles `.ndb` body signatures and `.ldb` logical signatures into the matcher tables:
 * parse hex → parts → instruction code + anchor choice → anchor index (per-root filter
 * bitsets + hashed postings). Anything Moat cannot honour comes back in `rejected`
 * ('malformed' or 'unsupported'); nothing is dropped silently and nothing throws on bad input.
 */
import type { Logger } from '../../core/logger.js';
import type { CompiledMatcher, TransferableMatcher } from '../contracts.js';
import type { BodySignatureRecord, LogicalSignatureRecord, SkippedSignature, SourceRef } from '../sigdb/records.js';
import { chooseAnchor } from './anchor-selection.js';
import { buildTables } from './build-tables.js';
import { parseHexPattern } from './hex-pattern-parser.js';
import { loadMatcher } from './load-matcher.js';
import { parseLogicalExpression } from './logical-expression.js';
import { parseConditions } from './lsig-conditions.js';
import type { LsigMeta } from './matcher-layout.js';
import { MAX_TARGET } from './matcher-layout.js';
import { needsExecutable, type OffsetSpec, parseOffset } from './offset-spec.js';
import { type Elem, seqLength } from './pattern-ast.js';
import type { IndexedEntry, PreparedPart } from './prepared-entry.js';
import { parseSubsig } from './subsig-parser.js';

export interface CompileOptions {
  logger?: Logger;
}

export interface CompileResult {
  matcher: CompiledMatcher;
  transferable: TransferableMatcher;
  rejected: SkippedSignature[];
}

/** Longest part (bytes) accepted: bounds the streaming look-ahead kept between chunks. */
const MAX_PART_LENGTH = 64 * 1024;
/** Generic alternates per part: each may add a frame of backtracking recursion while verifying. */
const MAX_GENERIC_ALTS = 256;
/** Targets whose executable parser provides EP and sections (PE, ELF, Mach-O). */
const EXEC_TARGETS = new Set([1, 6, 9]);

type Prep = { ok: true; parts: PreparedPart[]; off: OffsetSpec } | { ok: false; unsupported: boolean; error: string };

function preparePattern(hex: string, offset: string, target: number, nocase: boolean, crowd: Map<number, number>): Prep {
  const off = parseOffset(offset);
  if ('error' in off) return { ok: false, unsupported: off.unsupported === true, error: off.error };
  if (needsExecutable(off.kind) && !EXEC_TARGETS.has(target)) {
    return { ok: false, unsupported: false, error: `offset "${offset}" needs target type 1, 6 or 9` };
  }
  const ast = parseHexPattern(hex, nocase);
  if (typeof ast === 'string') return { ok: false, unsupported: false, error: ast };
  const parts: PreparedPart[] = [];
  for (let i = 0; i < ast.parts.length; i++) {
    const part = ast.parts[i]!;
    const [minLen, maxLen] = seqLength(part.elems);
    if (maxLen > MAX_PART_LENGTH) return { ok: false, unsupported: true, error: `part ${i} longer than ${MAX_PART_LENGTH} bytes` };
    if (countGeneric(part.elems) > MAX_GENERIC_ALTS) return { ok: false, unsupported: true, error: `part ${i} has more than ${MAX_GENERIC_ALTS} generic alternates` };
    const anchor = chooseAnchor(part.elems, crowd);
    if (!anchor) return { ok: false, unsupported: false, error: `part ${i} has no two consecutive static bytes` };
    parts.push({ ast: part, anchor, minLen, maxLen });
  }
  return { ok: true, parts, off };
}

function countGeneric(elems: Elem[]): number {
  let n = 0;
  for (const e of elems) if (e.t === 'alt') n += (e.generic ? 1 : 0) + e.alts.reduce((s, a) => s + countGeneric(a), 0);
  return n;
}

export function compileMatcher(body: BodySignatureRecord[], logical: LogicalSignatureRecord[], opts: CompileOptions = {}): CompileResult {
  const started = performance.now();
  const rejected: SkippedSignature[] = [];
  const reject = (unsupported: boolean, kind: string, message: string, source: SourceRef): void => {
    rejected.push({ reason: unsupported ? 'unsupported' : 'malformed', kind, message, source });
  };
  const crowd = new Map<number, number>();
  const entries: IndexedEntry[] = [];
  const names: string[] = [];
  const lsigs: LsigMeta[] = [];

  for (const rec of body) {
    try {
      if (!Number.isInteger(rec.target) || rec.target < 0 || rec.target > MAX_TARGET) {
        reject(false, 'ndb', `invalid target type ${rec.target}`, rec.source);
        continue;
      }
      const prep = preparePattern(rec.hex, rec.offset, rec.target, false, crowd);
      if (!prep.ok) {
        reject(prep.unsupported, 'ndb', `${rec.name}: ${prep.error}`, rec.source);
        continue;
      }
      entries.push({ parts: prep.parts, off: prep.off, target: rec.target, lsig: -1, subsig: 0, name: names.length });
      names.push(rec.name);
    } catch (err) {
      reject(false, 'ndb', `${rec.name}: ${(err as Error).message}`, rec.source);
    }
  }

  for (const rec of logical) {
    try {
      const cond = parseConditions(rec.tdb);
      if (!cond.ok) {
        reject(cond.unsupported, 'ldb', `${rec.name}: ${cond.error}`, rec.source);
        continue;
      }
      const expr = parseLogicalExpression(rec.expression, rec.subsigs.length);
      if (typeof expr === 'string') {
        reject(false, 'ldb', `${rec.name}: ${expr}`, rec.source);
        continue;
      }
      const mine: IndexedEntry[] = [];
      let failure: { unsupported: boolean; kind: string; error: string } | undefined;
      const lsigIndex = lsigs.length;
      for (let s = 0; s < rec.subsigs.length && !failure; s++) {
        const sub = parseSubsig(rec.subsigs[s]!);
        if (!sub.ok) {
          failure = { unsupported: sub.unsupported, kind: sub.kind, error: `subsignature ${s}: ${sub.error}` };
          break;
        }
        for (const hex of sub.variants) {
          const prep = preparePattern(hex, sub.offset, cond.target, sub.nocase, crowd);
          if (!prep.ok) {
            failure = { unsupported: prep.unsupported, kind: 'ldb', error: `subsignature ${s}: ${prep.error}` };
            break;
          }
          mine.push({ parts: prep.parts, off: prep.off, target: cond.target, lsig: lsigIndex, subsig: s, name: -1 });
        }
      }
      if (failure) {
        reject(failure.unsupported, failure.kind, `${rec.name}: ${failure.error}`, rec.source);
        continue;
      }
      entries.push(...mine);
      lsigs.push({ name: rec.name, target: cond.target, subsigCount: rec.subsigs.length, expr, cond: cond.cond });
    } catch (err) {
      reject(false, 'ldb', `${rec.name}: ${(err as Error).message}`, rec.source);
    }
  }

  const transferable = buildTables(entries, names, lsigs);
  const matcher = loadMatcher(transferable);
  opts.logger?.info(
    { signatures: matcher.signatureCount, entries: entries.length, rejected: rejected.length, ms: Math.round(performance.now() - started) },
    'matcher compiled',
  );
  return { matcher, transferable, rejected };
}
