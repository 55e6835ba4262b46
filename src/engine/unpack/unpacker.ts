import type { ScanLimits } from '../../core/limits.js';
import type { ObjectState } from '../../core/verdict.js';
import type { FileType } from '../filetype/file-types.js';

/** One object found inside a container: an archive member, MIME part, embedded stream. */
export interface ExtractedObject {
  name?: string;
  /** Decoded bytes; absent when the member could not be extracted (then `state` says why). */
  data?: Uint8Array;
  /** Set when the object cannot be inspected: encrypted, corrupted, too_big, unsupported... */
  state?: ObjectState;
  /** Heuristic findings about this object (e.g. `Heuristics.Encrypted.Zip`), each switchable in config. */
  heuristics?: string[];
  /** MIME part path (`1.2`) when the container is a mail message. */
  mimePath?: string;
  notes?: string[];
}

/** What an unpacker may spend; shared across the whole scan so nested containers draw from one budget. */
export interface UnpackBudget {
  readonly limits: ScanLimits;
  /** Bytes still allowed to be produced by decompression in this scan. */
  remainingBytes(): number;
  /** Records produced bytes; returns false when the budget is exhausted (stop and report too_big). */
  consume(bytes: number): boolean;
  /** Objects still allowed in this scan. */
  remainingObjects(): number;
}

export interface UnpackContext {
  budget: UnpackBudget;
  signal: AbortSignal;
  /** Nesting depth of the container being unpacked (root = 0). */
  depth: number;
  /** Heuristics switched on in config (names as in `Heuristics.*` detections or their config keys). */
  heuristics: ReadonlySet<string>;
  /**
   * Candidate passwords for encrypted archives (e.g. harvested from the message body, where
   * campaigns put them). Unpackers try at most a few; absent means none are tried.
   */
  passwords?: readonly string[];
}

/**
 * Opens one container format. Implementations never throw on hostile input: a problem
 * becomes an ExtractedObject with a state, or the container's own `state` via
 * `UnpackResult.state`. They honour `ctx.signal` and the budget.
 */
export interface Unpacker {
  readonly name: string;
  readonly types: readonly FileType[];
  unpack(data: Uint8Array, ctx: UnpackContext): AsyncIterable<ExtractedObject>;
}
