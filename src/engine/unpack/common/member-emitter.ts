import type { ObjectState } from '../../../core/verdict.js';
import { H, filterHeuristics } from '../../heuristics/heuristic-names.js';
import { memberHeuristics } from '../../heuristics/member-heuristics.js';
import type { ExtractedObject, UnpackContext } from '../unpacker.js';

/**
 * Output smaller than this never counts as a ratio bomb: tiny members of zeros compress
 * far beyond any sane ratio but cost nothing (Amavis' MIN_EXPANSION_QUOTA idea).
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Passwords tried per encrypted member: each try may cost a decryption pass (or a 7-Zip instance). */
export const MAX_PASSWORD_TRIES = 8;

/** Why a member's output was capped: the limit that bound first. */
export type CapReason = 'file' | 'scan' | 'ratio';

export interface OutputCap {
  bytes: number;
  reason: CapReason;
}

/**
 * One per container being unpacked: applies the shared budget (bytes, objects, abort) to each
 * member, names the limit that was hit, and adds name/content heuristics. Turns every limit
 * into a member state instead of an exception.
 */
export class MemberEmitter {
  private emitted = 0;
  private readonly objectAllowance: number;
  /** Set once a scan-wide limit was hit; the unpacker stops producing members. */
  stopped = false;

  constructor(
    private readonly ctx: UnpackContext,
    private readonly insideArchive = true,
  ) {
    this.objectAllowance = Math.max(0, ctx.budget.remainingObjects());
  }

  get signal(): AbortSignal {
    return this.ctx.signal;
  }

  /** Candidate passwords to try on encrypted members, at most MAX_PASSWORD_TRIES of them. */
  get passwords(): readonly string[] {
    return (this.ctx.passwords ?? []).slice(0, MAX_PASSWORD_TRIES);
  }

  get limits(): UnpackContext['budget']['limits'] {
    return this.ctx.budget.limits;
  }

  /** False when the unpacker must stop: aborted, object budget spent, or a scan-wide limit hit. */
  canContinue(): boolean {
    return !this.stopped && !this.ctx.signal.aborted;
  }

  /** True when one more member may be produced; otherwise call `filesLimit()` once and stop. */
  hasObjectRoom(): boolean {
    return this.emitted < this.objectAllowance && this.ctx.budget.remainingObjects() > 0;
  }

  /** The largest output one member may decompress to, and which limit sets it. */
  cap(compressedSize?: number): OutputCap {
    const file = this.ctx.budget.limits.maxObjectBytes;
    const scan = Math.max(0, this.ctx.budget.remainingBytes());
    let best: OutputCap = file <= scan ? { bytes: file, reason: 'file' } : { bytes: scan, reason: 'scan' };
    if (compressedSize !== undefined) {
      const ratio = Math.max(RATIO_FLOOR_BYTES, Math.ceil(compressedSize * this.ctx.budget.limits.maxCompressionRatio));
      if (ratio < best.bytes) best = { bytes: ratio, reason: 'ratio' };
    }
    return best;
  }

  /** A member whose bytes were produced: charges the budget and adds heuristics. */
  member(name: string | undefined, data: Uint8Array, extra: Partial<ExtractedObject> = {}): ExtractedObject {
    if (!this.ctx.budget.consume(data.length)) return this.limited(name, 'scan', extra);
    this.emitted++;
    const found = memberHeuristics(this.ctx.heuristics, { name, data, insideArchive: this.insideArchive });
    const heuristics = filterHeuristics(this.ctx.heuristics, [...(extra.heuristics ?? []), ...found]);
    const { heuristics: _unfiltered, ...rest } = extra;
    const out: ExtractedObject = { ...rest, data };
    if (name !== undefined) out.name = name;
    if (heuristics.length > 0) out.heuristics = heuristics;
    return out;
  }

  /** A member that could not be produced or inspected. */
  state(name: string | undefined, state: ObjectState, heuristics: string[] = [], notes: string[] = []): ExtractedObject {
    this.emitted++;
    const fromName = memberHeuristics(this.ctx.heuristics, { name, insideArchive: this.insideArchive });
    const all = filterHeuristics(this.ctx.heuristics, [...heuristics, ...fromName]);
    const out: ExtractedObject = { state };
    if (name !== undefined) out.name = name;
    if (all.length > 0) out.heuristics = all;
    if (notes.length > 0) out.notes = notes;
    return out;
  }

  /**
   * A member whose output went past a cap. A scan-wide cap also stops the container, unless
   * `stop` is false (a member refused from its declared size before anything was spent).
   */
  limited(name: string | undefined, reason: CapReason, extra: Partial<ExtractedObject> = {}, stop = reason === 'scan'): ExtractedObject {
    if (stop) this.stopped = true;
    const heuristic = reason === 'file' ? H.maxFileSize : reason === 'scan' ? H.maxScanSize : H.archiveBomb;
    const note =
      reason === 'file'
        ? `larger than max_object_bytes (${this.ctx.budget.limits.maxObjectBytes})`
        : reason === 'scan'
          ? 'scan byte budget (max_scan_bytes) exhausted'
          : `compression ratio above ${this.ctx.budget.limits.maxCompressionRatio}`;
    return this.state(name, 'too_big', [...(extra.heuristics ?? []), heuristic], [...(extra.notes ?? []), note]);
  }

  /** Emitted once when the object budget is spent; the unpacker then stops. */
  filesLimit(): ExtractedObject {
    this.stopped = true;
    return this.state(undefined, 'too_big', [H.maxFiles], [`more members than max_objects (${this.ctx.budget.limits.maxObjects}) allows`]);
  }

  /** Emitted when the scan was aborted (time limit or caller). */
  aborted(): ExtractedObject {
    this.stopped = true;
    return this.state(undefined, 'scan_error', [H.maxScanTime], ['scan aborted (time limit or caller)']);
  }

  /**
   * A heuristic about content that was otherwise inspected (macros present...): emitted as a
   * `clean` marker object only when one of the names is switched on, else undefined.
   */
  flag(heuristics: string[], notes: string[]): ExtractedObject | undefined {
    const on = filterHeuristics(this.ctx.heuristics, heuristics);
    if (on.length === 0) return undefined;
    return { name: '(container)', state: 'clean', heuristics: on, notes };
  }

  /** A finding about the container itself (overlap bomb, encrypted directory...). */
  finding(state: ObjectState, heuristics: string[], notes: string[]): ExtractedObject {
    return this.state('(container)', state, heuristics, notes);
  }
}
