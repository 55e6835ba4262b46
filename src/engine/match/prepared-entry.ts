/** What the compiler hands the table builder: parsed parts with their chosen anchors. */
import type { AnchorChoice } from './anchor-selection.js';
import type { OffsetSpec } from './offset-spec.js';
import type { PartAst } from './pattern-ast.js';

export interface PreparedPart {
  ast: PartAst;
  anchor: AnchorChoice;
  minLen: number;
  maxLen: number;
}

export interface IndexedEntry {
  parts: PreparedPart[];
  off: OffsetSpec;
  target: number;
  /** Logical signature index, or -1 for an `.ndb` signature. */
  lsig: number;
  subsig: number;
  /** Name index of an `.ndb` signature, -1 for subsignatures. */
  name: number;
}
