import { flevelApplies } from './flevel.js';
import type { BodySignatureRecord, LogicalSignatureRecord, SourceRef } from './records.js';

export type LineResult<T> = { ok: true; record: T } | { ok: false; skip: 'flevel' } | { ok: false; error: string };

/** Target types ClamAV defines (0–12, 13/14 internal); anything else is malformed. */
const MAX_TARGET = 14;
/** ClamAV's limit on subsignatures per logical signature. */
const MAX_SUBSIGS = 64;
/** Loose check of the offset field; the matcher validates the full grammar. */
const OFFSET_RE = /^(\*|\d+(,\d+)?|EOF-\d+(,\d+)?|EP[+-]\d+(,\d+)?|S\d+\+\d+(,\d+)?|SE\d+|SL\+\d+(,\d+)?|VI|\$\d+)$/;

/** `.ndb`: Name:TargetType:Offset:HexSignature[:min_flevel[:max_flevel]] */
export function parseNdbLine(line: string, source: SourceRef): LineResult<BodySignatureRecord> {
  const f = line.split(':');
  if (f.length < 4 || f.length > 6) return { ok: false, error: `expected 4 to 6 colon-separated fields, found ${f.length}` };
  const [name, target, offset, hex, min, max] = f as [string, string, string, string, string?, string?];
  if (!name) return { ok: false, error: 'empty signature name' };
  if (!/^\d+$/.test(target) || Number(target) > MAX_TARGET) return { ok: false, error: `target type must be 0-${MAX_TARGET}, got "${target}"` };
  if (!OFFSET_RE.test(offset)) return { ok: false, error: `invalid offset "${offset}"` };
  if (!hex) return { ok: false, error: 'empty hex signature' };
  const applies = flevelApplies(min, max);
  if (applies === undefined) return { ok: false, error: `functionality level must be a number, got "${min ?? ''}:${max ?? ''}"` };
  if (!applies) return { ok: false, skip: 'flevel' };
  return { ok: true, record: { name, target: Number(target), offset, hex, source } };
}

/** Parses the target description block `Key:Value,Key:Value` (values may be ranges `a-b`). */
export function parseTargetDescription(tdb: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of tdb.split(',')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return `target description item "${part}" is not Key:Value`;
    out[part.slice(0, colon)] = part.slice(colon + 1);
  }
  if (!('Target' in out)) return 'target description block has no Target';
  return out;
}

/** `.ldb`: Name;TargetDescriptionBlock;LogicalExpression;Subsig0;Subsig1;... */
export function parseLdbLine(line: string, source: SourceRef): LineResult<LogicalSignatureRecord> {
  const f = line.split(';');
  if (f.length < 4) return { ok: false, error: `expected Name;TargetDescription;Expression;Subsig..., found ${f.length} fields` };
  const [name, tdbText, expression, ...subsigs] = f as [string, string, string, ...string[]];
  if (!name) return { ok: false, error: 'empty signature name' };
  if (subsigs.length > MAX_SUBSIGS) return { ok: false, error: `${subsigs.length} subsignatures, at most ${MAX_SUBSIGS} allowed` };
  if (subsigs.some((s) => s.length === 0)) return { ok: false, error: 'empty subsignature' };
  const tdb = parseTargetDescription(tdbText);
  if (typeof tdb === 'string') return { ok: false, error: tdb };
  if (!/^\d+$/.test(tdb.Target!)) return { ok: false, error: `Target must be a number, got "${tdb.Target}"` };
  if (!expression) return { ok: false, error: 'empty logical expression' };
  if (tdb.Engine !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(tdb.Engine);
    if (!m) return { ok: false, error: `Engine must be N or N-M, got "${tdb.Engine}"` };
    if (!flevelApplies(m[1], m[2])) return { ok: false, skip: 'flevel' };
  }
  return { ok: true, record: { name, tdb, expression, subsigs, source } };
}

/** `.ign2` line: `SigName` or `SigName:md5-of-the-database-line`; legacy `.ign`: `db:line:SigName`. */
export function parseIgnoreLine(line: string, legacy: boolean): { name: string; md5?: string } | string {
  const f = line.split(':');
  if (legacy && f.length >= 3) return f[2] ? { name: f[2] } : `legacy ignore line has no signature name: "${line}"`;
  if (f.length === 1 && f[0]) return { name: f[0] };
  if (f.length === 2 && f[0] && /^[0-9a-fA-F]{32}$/.test(f[1]!)) return { name: f[0], md5: f[1]!.toLowerCase() };
  return `expected SigName or SigName:md5, got "${line}"`;
}
