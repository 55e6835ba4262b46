/**
 * Parsed signature records: what the database loaders (`sigdb/`) hand to the matcher
 * compiler (`match/`). Text parsing and file/line bookkeeping end here; compiling the
 * hex syntax and offsets into automata is the matcher's job.
 */
export interface SourceRef {
  file: string;
  line: number;
}

/** `.ndb` line: Name:TargetType:Offset:HexSignature[:min_flevel[:max_flevel]]. */
export interface BodySignatureRecord {
  name: string;
  target: number;
  /** Offset field text as written (`*`, `0`, `EOF-10`, `EP+0,20`, `S2+4`, `SE1`, `SL+0`, `$12`...). */
  offset: string;
  hex: string;
  source: SourceRef;
}

/** `.ldb` line: Name;TargetDescriptionBlock;LogicalExpression;Subsig0;Subsig1;... */
export interface LogicalSignatureRecord {
  name: string;
  /** Target description block, parsed: keys as written (`Target`, `FileSize`, `Container`, `Engine`...). */
  tdb: Record<string, string>;
  expression: string;
  /** Raw subsignature texts (`[offset:]hex[::modifiers]`, macro, byte-compare, PCRE...). */
  subsigs: string[];
  source: SourceRef;
}

/** A line the loader could not use: malformed, or a kind Moat does not support yet (counted, reported). */
export interface SkippedSignature {
  reason: 'malformed' | 'unsupported' | 'flevel';
  kind: string;
  message: string;
  source: SourceRef;
}
