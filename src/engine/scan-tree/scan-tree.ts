import { createHash } from 'node:crypto';
import type { ScanLimits } from '../../core/limits.js';
import type { Detection, ObjectState, ScanNode } from '../../core/verdict.js';
import type { HashKind, MatchContext } from '../contracts.js';
import type { OpenEngine } from '../engine-snapshot.js';
import type { FileType } from '../filetype/file-types.js';
import { detectFileType } from '../filetype/detect-file-type.js';
import { parseExecutable } from '../filetype/parse-executable.js';
import { H, isHeuristicOn } from '../heuristics/heuristic-names.js';
import type { Unpacker } from '../unpack/unpacker.js';
import { ScanBudget } from './scan-budget.js';
import { objectKey, scanContextKey, type CleanCache } from './clean-cache.js';

export interface TreeScanOptions {
  engine: OpenEngine;
  unpackers: ReadonlyMap<string, Unpacker>;
  limits: ScanLimits;
  /** Heuristic switches that are on (config keys of `[heuristics]`). */
  heuristics: ReadonlySet<string>;
  allMatch: boolean;
  /** Fill ScanNode.sha256 for every object. */
  objectHashes?: boolean;
  signal: AbortSignal;
  name?: string;
  /** The caller knows this is a mail message (agents): type it as mail when detection only sees text. */
  isMail?: boolean;
  /** Objects found clean before by the same engine (see CleanCache); not used with objectHashes (that wants every node listed). */
  cleanCache?: CleanCache;
}

export interface TreeScanResult {
  root: ScanNode;
  bytesScanned: number;
}

const HASH_KINDS: readonly HashKind[] = ['md5', 'sha1', 'sha256'];
const EXECUTABLE_TYPES = new Set<FileType>(['CL_TYPE_MSEXE', 'CL_TYPE_ELF', 'CL_TYPE_MACHO']);
const TEXT_TYPES = new Set<FileType>(['CL_TYPE_TEXT_ASCII', 'CL_TYPE_TEXT_UTF8']);
/**
 * ClamAV (HTMLSKIPRAW, on by default) never scans HTML it can normalise in raw form, and the
 * whole-file hash lookup is part of that raw scan: no .hdb/.hsb match on such HTML. Same limit
 * as ClamAV's MaxHTMLNormalize (40 MiB); larger HTML is scanned raw, hashes included.
 */
const HTML_NORMALISE_LIMIT = 40 * 1024 * 1024;

interface WalkState {
  opts: TreeScanOptions;
  budget: ScanBudget;
  nextId: number;
  /** Set when a detection ends the scan early (not allMatch). */
  stop: boolean;
  /** scanContextKey of this scan's options, when the clean cache is in use. */
  cacheContext: string | undefined;
}

function digest(kind: HashKind, data: Uint8Array): Uint8Array {
  return createHash(kind).update(data).digest();
}

/** Whole-object hashes for the kinds whose signatures include this size (only those are computed). */
function hashMatches(engine: OpenEngine, data: Uint8Array, found: Detection[]): void {
  for (const kind of HASH_KINDS) {
    if (!engine.fileHashes.wantsSize(kind, data.length)) continue;
    const name = engine.fileHashes.lookup(kind, digest(kind, data), data.length);
    if (name) found.push({ name, kind: 'signature' });
  }
}

function sectionHashMatches(engine: OpenEngine, data: Uint8Array, ctx: MatchContext, found: Detection[]): void {
  if (ctx.exe?.format !== 'pe') return;
  for (const section of ctx.exe.sections) {
    const end = section.rawOffset + section.rawSize;
    if (section.rawSize === 0 || end > data.length) continue;
    const bytes = data.subarray(section.rawOffset, end);
    for (const kind of HASH_KINDS) {
      if (!engine.sectionHashes.wantsSize(kind, bytes.length)) continue;
      const name = engine.sectionHashes.lookup(kind, digest(kind, bytes), bytes.length);
      if (name) found.push({ name, kind: 'signature' });
    }
  }
}

function allowListed(engine: OpenEngine, data: Uint8Array): boolean {
  return HASH_KINDS.some((kind) => engine.allowHashes.wantsSize(kind, data.length) && engine.allowHashes.lookup(kind, digest(kind, data), data.length) !== undefined);
}

function heuristic(state: WalkState, node: ScanNode, name: string): void {
  if (isHeuristicOn(state.opts.heuristics, name) && !node.detections.some((d) => d.name === name)) node.detections.push({ name, kind: 'heuristic' });
}

function note(node: ScanNode, text: string): void {
  (node.notes ??= []).push(text);
}

function newNode(state: WalkState, parent: ScanNode | null, size: number, name: string | undefined): ScanNode {
  return { id: state.nextId++, parentId: parent?.id ?? null, depth: parent ? parent.depth + 1 : 0, type: 'CL_TYPE_ANY', name, size, sha256: '', state: 'clean', detections: [], children: [] };
}

/** Marks a node with a limit state unless something worse (infected) is already known. */
function limitState(node: ScanNode, state: ObjectState): void {
  if (node.state === 'clean') node.state = state;
}

/** True when a node and everything below it were scanned and found clean, with nothing to report. */
function plainClean(node: ScanNode): boolean {
  return node.state === 'clean' && node.detections.length === 0 && !node.notes?.length && node.children.every(plainClean);
}

/**
 * Types the object, then either finds it in the clean cache (same bytes, same place in the tree,
 * same options, same engine: nothing more to do) or inspects it and remembers it when it and
 * all it contains came out clean with nothing to report. A mail message itself is never looked
 * up: its header block (Received, Message-ID) makes every message unique, its parts are not.
 */
async function scanObject(state: WalkState, node: ScanNode, data: Uint8Array, containers: FileType[]): Promise<void> {
  const { opts } = state;
  const { limits } = opts;
  if (opts.objectHashes) node.sha256 = createHash('sha256').update(data).digest('hex');
  if (data.length > limits.maxObjectBytes) {
    limitState(node, 'too_big');
    note(node, `object is ${data.length} bytes, above max_object_bytes ${limits.maxObjectBytes}`);
    heuristic(state, node, H.maxFileSize);
    return;
  }
  let type = detectFileType(data, node.name);
  if (node.depth === 0 && opts.isMail && TEXT_TYPES.has(type)) type = 'CL_TYPE_MAIL';
  node.type = type;
  const cache = opts.cleanCache;
  const key = cache && state.cacheContext !== undefined && type !== 'CL_TYPE_MAIL' ? objectKey(state.cacheContext, node.depth, containers, type, data) : undefined;
  if (key !== undefined && cache!.has(key)) return;
  await inspectObject(state, node, data, type, containers);
  if (key !== undefined && !state.stop && !opts.signal.aborted && plainClean(node)) cache!.add(key);
}

/** Hashes, signatures and unpacking of one typed object (and, through unpacking, of its children). */
async function inspectObject(state: WalkState, node: ScanNode, data: Uint8Array, type: FileType, containers: FileType[]): Promise<void> {
  const { opts, budget } = state;
  const { engine, limits } = opts;
  const ctx: MatchContext = { type, containers, allMatch: opts.allMatch, signal: opts.signal };
  if (EXECUTABLE_TYPES.has(type)) ctx.exe = parseExecutable(data);

  if (!allowListed(engine, data)) {
    const found: Detection[] = [];
    if (!(type === 'CL_TYPE_HTML' && data.length <= HTML_NORMALISE_LIMIT)) hashMatches(engine, data, found);
    sectionHashMatches(engine, data, ctx, found);
    if (found.length === 0 || opts.allMatch) {
      const result = engine.matcher.scan(data, ctx);
      for (const name of result.names) found.push({ name, kind: 'signature' });
      if (result.limitExceeded) note(node, 'signature verification stopped at its work budget (pathological content)');
    }
    for (const d of found) {
      if (engine.ignored.has(d.name) || node.detections.some((x) => x.name === d.name)) continue;
      node.detections.push(d);
    }
    if (node.detections.some((d) => d.kind === 'signature')) {
      node.state = 'infected';
      if (!opts.allMatch) {
        state.stop = true;
        return;
      }
    }
  } else {
    note(node, 'allow-listed by hash (.fp/.sfp)');
    return;
  }

  const unpacker = opts.unpackers.get(type);
  if (!unpacker) return;
  if (node.depth >= limits.maxDepth) {
    limitState(node, 'depth_exceeded');
    note(node, `container at depth ${node.depth} not opened: max_depth is ${limits.maxDepth}`);
    heuristic(state, node, 'Heuristics.Limits.Exceeded.MaxRecursion');
    return;
  }
  const childContainers = [...containers, type];
  try {
    for await (const child of unpacker.unpack(data, { budget, signal: opts.signal, depth: node.depth, heuristics: opts.heuristics })) {
      if (state.stop || opts.signal.aborted) break;
      if (budget.expired()) {
        limitState(node, 'scan_error');
        note(node, `scan time limit of ${limits.maxScanTimeMs} ms reached`);
        heuristic(state, node, H.maxScanTime);
        break;
      }
      if (!budget.takeObject()) {
        limitState(node, 'too_big');
        note(node, `more than max_objects ${limits.maxObjects} objects`);
        heuristic(state, node, H.maxFiles);
        break;
      }
      const childNode = newNode(state, node, child.data?.length ?? 0, child.name);
      if (child.mimePath !== undefined) childNode.mimePath = child.mimePath;
      if (child.notes?.length) childNode.notes = [...child.notes];
      node.children.push(childNode);
      for (const h of child.heuristics ?? []) heuristic(state, childNode, h);
      if (child.state && child.state !== 'clean') childNode.state = child.state;
      if (child.data) await scanObject(state, childNode, child.data, childContainers);
      if (childNode.state === 'clean' && childNode.detections.some((d) => d.kind === 'heuristic')) childNode.state = 'suspicious';
    }
  } catch (err) {
    // Unpackers must not throw on hostile input; if one does, the object is reported, not the scan lost.
    limitState(node, 'corrupted');
    note(node, `unpacker ${unpacker.name} failed: ${(err as Error).message}`);
  }
  if (budget.remainingBytes() === 0) {
    heuristic(state, node, H.maxScanSize);
    note(node, `max_scan_bytes ${limits.maxScanBytes} reached; later content not inspected`);
  }
}

/** Scans one input and everything inside it, within the limits; returns the object tree. */
export async function scanTree(data: Uint8Array, opts: TreeScanOptions): Promise<TreeScanResult> {
  const budget = new ScanBudget(opts.limits);
  const cacheContext = opts.cleanCache && !opts.objectHashes ? scanContextKey(opts) : undefined;
  const state: WalkState = { opts, budget, nextId: 0, stop: false, cacheContext };
  const root = newNode(state, null, data.length, opts.name);
  budget.takeObject();
  budget.consume(Math.min(data.length, budget.remainingBytes()));
  await scanObject(state, root, data, []);
  if (root.state === 'clean' && root.detections.some((d) => d.kind === 'heuristic')) root.state = 'suspicious';
  return { root, bytesScanned: budget.bytesScanned };
}
