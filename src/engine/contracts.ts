/**
 * Contracts between the three parts of the engine, so each can be built and tested alone:
 *
 *   sigdb/    loads ClamAV databases      → SignatureDatabase (records + packed hash stores)
 *   match/    compiles body/logical sigs  → CompiledMatcher (transferable to workers)
 *   filetype/ detects content types, parses executables for EP/section offsets
 *   scanner.ts + workers/  run the scan of one input: type → hashes → matcher → unpack → recurse
 *
 * Everything a worker needs travels as an EngineSnapshot whose large parts are
 * SharedArrayBuffers, so N workers share one copy and a reload swaps one reference.
 */
import type { BodySignatureRecord, LogicalSignatureRecord, SkippedSignature } from './sigdb/records.js';
import type { FileType } from './filetype/file-types.js';

export type HashKind = 'md5' | 'sha1' | 'sha256';

/** Packed hash signatures: typed arrays, sorted, looked up by (size, digest). No JS object per signature. */
export interface HashLookup {
  /** True when some signature has this exact size or a wildcard size: only then is the object hashed. */
  wantsSize(kind: HashKind, size: number): boolean;
  /** Signature name for this digest and size, or undefined. */
  lookup(kind: HashKind, digest: Uint8Array, size: number): string | undefined;
  readonly count: number;
}

/** Plain data + SharedArrayBuffers: structured-clone safe, rebuilt into a HashLookup in a worker without copying. */
export interface TransferableHashes {
  meta: Record<string, unknown>;
  buffers: SharedArrayBuffer[];
}

export interface SignatureDatabase {
  /** e.g. `main:62,daily:27500,moat-builtin:1` — shown in headers, clamd VERSION. */
  version: string;
  /** Whole-file hashes (.hdb/.hsb and the built-in DB). */
  fileHashes: TransferableHashes;
  /** PE section hashes (.mdb/.msb). */
  sectionHashes: TransferableHashes;
  /** Allow list (.fp/.sfp): a detection on a listed object is suppressed. */
  allowHashes: TransferableHashes;
  /** Ignored signature names (.ign/.ign2); `name` or `name:md5-of-line`. */
  ignored: string[];
  body: BodySignatureRecord[];
  logical: LogicalSignatureRecord[];
  /** Lines not loaded: malformed (file:line) or unsupported kinds (bytecode, PCRE...), counted and reported. */
  skipped: SkippedSignature[];
  /** Signatures loaded per kind (hdb, hsb, mdb, msb, ndb, ldb, fp, sfp, ign2, builtin). */
  counts: Record<string, number>;
}

/** Facts about an executable the matcher needs for EP/Sx/SE/SL offsets and .ldb conditions. */
export interface ExecutableInfo {
  format: 'pe' | 'elf' | 'macho';
  /** File offset of the entry point. */
  entryPoint: number;
  sections: Array<{ rawOffset: number; rawSize: number; virtualAddress: number; virtualSize: number }>;
}

/** Where an object sits: container types from the root down (for `Container:` and `Intermediates:`). */
export interface MatchContext {
  type: FileType;
  exe?: ExecutableInfo;
  /** Types of the enclosing containers, outermost first; empty for the root object. */
  containers: FileType[];
  /** Report every match instead of stopping at the first (ALLMATCHSCAN). */
  allMatch: boolean;
  signal?: AbortSignal;
}

export interface MatchResult {
  /** Signature names that matched, in the order found. */
  names: string[];
  /** Verification stopped early because its work budget ran out (hostile or pathological input). */
  limitExceeded?: boolean;
}

/** Streaming scan of one object: chunks in order, then end(); patterns may span chunks. */
export interface MatchSession {
  write(chunk: Uint8Array): void;
  end(): MatchResult;
}

export interface CompiledMatcher {
  scan(data: Uint8Array, ctx: MatchContext): MatchResult;
  /** Streaming variant; `size` is the object's total length (needed for EOF-relative offsets). */
  createScan(ctx: MatchContext, size: number): MatchSession;
  readonly signatureCount: number;
}

export interface TransferableMatcher {
  meta: Record<string, unknown>;
  buffers: SharedArrayBuffer[];
}

/** Everything a worker needs to scan; posted once per worker per database version. */
export interface EngineSnapshot {
  version: string;
  fileHashes: TransferableHashes;
  sectionHashes: TransferableHashes;
  allowHashes: TransferableHashes;
  ignored: string[];
  matcher: TransferableMatcher;
  signatureCount: number;
}
