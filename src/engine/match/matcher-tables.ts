/**
 * Typed-array views over a TransferableMatcher's SharedArrayBuffers (no copies), plus the
 * small derived facts a scan needs (zero-count logical signatures, name decoding).
 */
import { MoatError } from '../../core/errors.js';
import { compileAnchorFilterModule, WasmAnchorFilter, type AnchorFilterModule } from './wasm-anchor-filter.js';
import { WasmNormaliserKernel } from './wasm-text-normaliser.js';
import type { TransferableMatcher } from '../contracts.js';
import { evaluateLogicalExpression } from './logical-expression.js';
import { BITSET_WORDS, type MatcherMeta, SLOT_STRIDE } from './matcher-layout.js';

/** Number of SharedArrayBuffers a TransferableMatcher carries (see build-tables.ts). */
const BUFFER_COUNT = 13;

export class MatcherTables {
  readonly code: Int32Array;
  readonly sets: Uint32Array;
  readonly parts: Int32Array;
  readonly entries: Int32Array;
  readonly h4: Int32Array;
  readonly postings4: Int32Array;
  readonly h3: Int32Array;
  readonly postings3: Int32Array;
  readonly start2: Int32Array;
  readonly postings2: Int32Array;
  readonly bitsets: Uint32Array;
  readonly nameBytes: Uint8Array;
  readonly nameOffsets: Int32Array;
  readonly hash4Mask: number;
  readonly hash3Mask: number;
  /** Logical signatures true with every count at zero (e.g. `0=0`): evaluated on every object. */
  readonly zeroTrueLsigs: number[];
  private readonly decoder = new TextDecoder();
  /** WebAssembly filters by root bitset, built on first use in this thread (each holds a 2 MiB copy). */
  private readonly filters = new Map<number, WasmAnchorFilter>();
  private filterModule: AnchorFilterModule | undefined;
  private normaliser: WasmNormaliserKernel | undefined;

  constructor(
    readonly meta: MatcherMeta,
    buffers: SharedArrayBuffer[],
  ) {
    if (meta.version !== 1 || buffers.length !== BUFFER_COUNT) throw new MoatError('ENGINE_UNAVAILABLE', 'matcher tables have an unknown layout');
    const [code, sets, parts, entries, h4, p4, h3, p3, s2, p2, bits, nb, no] = buffers as [
      SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer,
      SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer, SharedArrayBuffer,
    ];
    this.code = new Int32Array(code);
    this.sets = new Uint32Array(sets);
    this.parts = new Int32Array(parts);
    this.entries = new Int32Array(entries);
    this.h4 = new Int32Array(h4);
    this.postings4 = new Int32Array(p4);
    this.h3 = new Int32Array(h3);
    this.postings3 = new Int32Array(p3);
    this.start2 = new Int32Array(s2);
    this.postings2 = new Int32Array(p2);
    this.bitsets = new Uint32Array(bits);
    this.nameBytes = new Uint8Array(nb);
    this.nameOffsets = new Int32Array(no);
    this.hash4Mask = meta.hash4Capacity - 1;
    this.hash3Mask = meta.hash3Capacity - 1;
    if (this.bitsets.length < meta.bitsetCount * BITSET_WORDS || this.h4.length < meta.hash4Capacity * SLOT_STRIDE || this.h3.length < meta.hash3Capacity * SLOT_STRIDE) {
      throw new MoatError('ENGINE_UNAVAILABLE', 'matcher tables are truncated');
    }
    this.zeroTrueLsigs = [];
    const zeros = new Int32Array(64);
    meta.lsigs.forEach((l, i) => {
      if (evaluateLogicalExpression(l.expr, zeros)) this.zeroTrueLsigs.push(i);
    });
  }

  static from(t: TransferableMatcher): MatcherTables {
    return new MatcherTables(t.meta as unknown as MatcherMeta, t.buffers);
  }

  name(index: number): string {
    return this.decoder.decode(this.nameBytes.subarray(this.nameOffsets[index]!, this.nameOffsets[index + 1]!));
  }

  /** The anchor filter (WebAssembly) over bitsetFor(target). */
  filterFor(target: number): WasmAnchorFilter {
    const g = this.meta.rootBitset[target] ?? 0;
    let filter = this.filters.get(g);
    if (!filter) {
      this.filterModule ??= compileAnchorFilterModule();
      filter = new WasmAnchorFilter(this.bitsetFor(target), this.filterModule);
      this.filters.set(g, filter);
    }
    return filter;
  }

  /** The WebAssembly text-normalisation loop of this thread, built on first use (~2 MiB of memory). */
  normaliserKernel(): WasmNormaliserKernel {
    return (this.normaliser ??= new WasmNormaliserKernel());
  }

  /** The filter bitset of the root for a target (generic + that target's signatures). */
  bitsetFor(target: number): Uint32Array {
    const g = this.meta.rootBitset[target] ?? 0;
    return this.bitsets.subarray(g * BITSET_WORDS, (g + 1) * BITSET_WORDS);
  }
}
