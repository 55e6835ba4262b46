/**
 * One matching pass over a byte stream (the raw object, or its normalised text): the
 * filter-bitset loop over rolling 3-byte keys, hashed anchor postings, part verification,
 * part chaining with gap limits (ClamAV keeps the last 8 ends per part, so do we), and
 * per-subsignature counts for logical signatures. Bytes arrive in chunks; a tail is kept so
 * patterns spanning chunk boundaries still match.
 */
import { MoatError } from '../../core/errors.js';
import type { WasmAnchorFilter } from './wasm-anchor-filter.js';
import type { ExecutableInfo } from '../contracts.js';
import {
  E_FIRST_PART,
  E_LSIG,
  E_NAME,
  E_OFF_KIND,
  E_OFF_N,
  E_OFF_SECTION,
  E_OFF_SHIFT,
  E_PARTS,
  E_SUBSIG,
  E_TARGET,
  ENTRY_STRIDE,
  hashKey,
  P_ENTRY,
  SLOT_STRIDE,
  P_GAPMAX,
  P_GAPMIN,
  P_NO,
  PART_STRIDE,
  POSTING_STRIDE,
  TRACK_LEN,
} from './matcher-layout.js';
import type { MatcherTables } from './matcher-tables.js';
import { offsetWindow } from './offset-spec.js';
import { PartVerifier } from './part-verifier.js';

/** Verification steps allowed regardless of size: enough for thousands of long candidates. */
const VERIFY_BUDGET_BASE = 4_000_000;
/** Extra verification steps per scanned byte: caps hostile data at a small constant factor. */
const VERIFY_BUDGET_PER_BYTE = 48;
/** Filter hits handled per batch: small enough to stay in L1. */
const HIT_BATCH = 1024;
/** How often (bytes) the hot loop looks at the abort signal. */
const ABORT_CHECK_INTERVAL = 1 << 20;

interface ChainState {
  /** Per part: TRACK_LEN (end, origin) pairs, ring-buffered. */
  ring: Float64Array;
  written: Int32Array;
}

export interface LsigState {
  counts: Int32Array;
  last: Float64Array;
}

export class ScanPass {
  private buf: Uint8Array = new Uint8Array(0);
  private base = 0;
  private next = 0;
  private readonly filter: WasmAnchorFilter;
  private readonly verifier: PartVerifier;
  private readonly lookahead: number;
  private readonly lookbehind: number;
  private readonly chains = new Map<number, ChainState>();
  readonly lsigStates = new Map<number, LsigState>();
  /** `.ndb` name indices in the order found. */
  readonly found: number[] = [];
  private readonly seen = new Set<number>();
  done = false;
  private readonly win = new Float64Array(2);
  /** Positions whose 3-byte key passed the filter, collected in batches by the tight loop. */
  private readonly hits = new Int32Array(HIT_BATCH);

  constructor(
    private readonly t: MatcherTables,
    /** Target whose root joins the generic one in this pass (0 = generic only). */
    private readonly passTarget: number,
    /** Length of this pass' stream, for EOF-relative offsets. */
    private readonly size: number,
    private readonly exe: ExecutableInfo | undefined,
    private readonly allMatch: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.filter = t.filterFor(passTarget);
    this.verifier = new PartVerifier(t.code, t.sets, t.parts);
    this.verifier.budget = VERIFY_BUDGET_BASE;
    this.lookahead = t.meta.maxPartLen + 3;
    this.lookbehind = t.meta.maxPartLen + 2;
  }

  get limitExceeded(): boolean {
    return this.verifier.exhausted;
  }

  write(chunk: Uint8Array): void {
    if (this.done || chunk.length === 0) return;
    this.verifier.budget += chunk.length * VERIFY_BUDGET_PER_BYTE;
    if (this.buf.length === 0) {
      this.buf = chunk;
    } else {
      const joined = new Uint8Array(this.buf.length + chunk.length);
      joined.set(this.buf);
      joined.set(chunk, this.buf.length);
      this.buf = joined;
    }
    const limit = this.buf.length - this.lookahead;
    if (limit > this.next - this.base) this.processRange(this.next - this.base, limit);
    // Keep only what later anchors may still need, as a private copy (callers may reuse chunks).
    const keepFrom = Math.max(0, Math.min(this.next - this.base - this.lookbehind, this.buf.length));
    this.buf = this.buf.slice(keepFrom);
    this.base += keepFrom;
  }

  end(): void {
    if (this.done) return;
    const v = this.verifier;
    v.atEof = true;
    const len = this.buf.length;
    const from = this.next - this.base;
    if (len - 2 > from) this.processRange(from, len - 2);
    // The last two positions: only 2-byte anchors fit.
    if (!this.done && this.t.meta.has2 && len >= 2 && from <= len - 2) {
      this.prepareVerifier();
      this.onKey2(len - 2, (this.buf[len - 2]! << 8) | this.buf[len - 1]!);
    }
    this.next = this.base + len;
  }

  private prepareVerifier(): void {
    this.verifier.buf = this.buf;
    this.verifier.base = this.base;
  }

  /** Anchor positions [from, to) relative to buf; buf must hold bytes up to to + 2. */
  private processRange(from: number, to: number): void {
    this.prepareVerifier();
    const buf = this.buf;
    const hits = this.hits;
    // The caller may reuse its chunk buffers between writes: never trust an earlier copy.
    this.filter.forget();
    let i = from;
    while (i < to && !this.done) {
      if (this.signal?.aborted) throw new MoatError('ABORTED', 'scan aborted');
      const stop = Math.min(to, i + ABORT_CHECK_INTERVAL);
      while (i < stop && !this.done) {
        const n = this.filter.collect(buf, i, stop, hits);
        for (let j = 0; j < n && !this.done; j++) {
          const at = hits[j]!;
          this.onHit(at, (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!);
        }
        i = n === hits.length ? hits[n - 1]! + 1 : stop;
      }
    }
    this.next = this.base + to;
  }

  private onHit(i: number, key: number): void {
    const t = this.t;
    if (t.meta.has4 && i + 3 < this.buf.length) {
      const k4 = (key << 8) | this.buf[i + 3]!;
      this.probe(t.h4, t.hash4Mask, t.postings4, k4, i, 4);
    }
    if (t.meta.has3 && !this.done) this.probe(t.h3, t.hash3Mask, t.postings3, key, i, 3);
    if (t.meta.has2 && !this.done) this.onKey2(i, key >>> 8);
  }

  private probe(slots: Int32Array, mask: number, postings: Int32Array, key: number, i: number, width: number): void {
    let slot = hashKey(key, mask);
    for (;;) {
      const at = slot * SLOT_STRIDE;
      const n = slots[at + 2]!;
      if (n === 0) return;
      if (slots[at] === key) {
        this.postingRange(postings, slots[at + 1]!, slots[at + 1]! + n, i, width);
        return;
      }
      slot = (slot + 1) & mask;
    }
  }

  private onKey2(i: number, key2: number): void {
    this.postingRange(this.t.postings2, this.t.start2[key2]!, this.t.start2[key2 + 1]!, i, 2);
  }

  /** Candidates j in [start, end) for an anchor at i; the 4-byte check after the anchor rejects most cheaply. */
  private postingRange(p: Int32Array, start: number, end: number, i: number, width: number): void {
    const buf = this.buf;
    const q = i + width;
    let word = 0;
    let avail = 0;
    for (let k = 0; k < 4 && q + k < buf.length; k++) {
      word |= buf[q + k]! << (8 * k);
      avail |= 0xff << (8 * k);
    }
    // Postings looked at cost budget too, checked or not (a hot key repeated by hostile data).
    this.verifier.budget -= end - start;
    for (let j = start; j < end && !this.done; j++) {
      const at = j * POSTING_STRIDE;
      const cm = p[at + 4]!;
      if ((cm & ~avail) !== 0 || (word & cm) !== p[at + 3]) continue;
      this.candidate(p[at]!, p[at + 1]!, p[at + 2]!, i);
    }
  }

  private candidate(part: number, dmin: number, dmax: number, anchor: number): void {
    const t = this.t;
    // Every candidate costs a step: a flood of anchor hits exhausts the budget too, and the
    // pass then stops (reported as limitExceeded) instead of running for minutes.
    if (--this.verifier.budget < 0) this.verifier.exhausted = true;
    if (this.verifier.exhausted) {
      this.done = true;
      return;
    }
    const pr = part * PART_STRIDE;
    const entry = t.parts[pr + P_ENTRY]!;
    const er = entry * ENTRY_STRIDE;
    const target = t.entries[er + E_TARGET]!;
    if (target !== 0 && target !== this.passTarget) return;
    // An `.ndb` signature is reported once: later occurrences need no verification.
    if (t.entries[er + E_LSIG]! < 0 && this.seen.has(t.entries[er + E_NAME]!)) return;
    const first = t.parts[pr + P_NO] === 0;
    let lo = 0;
    let hi = Infinity;
    if (first) {
      const ok = offsetWindow(
        t.entries[er + E_OFF_KIND]!, t.entries[er + E_OFF_N]!, t.entries[er + E_OFF_SHIFT]!, t.entries[er + E_OFF_SECTION]!,
        this.size, this.exe, this.win,
      );
      if (!ok) return;
      lo = this.win[0]!;
      hi = this.win[1]!;
    }
    for (let d = dmin; d <= dmax; d++) {
      const rel = anchor - d;
      const abs = this.base + rel;
      if (rel < 0 || abs < lo || abs > hi) continue;
      const end = this.verifier.verify(part, rel);
      if (end < 0) continue;
      this.partMatched(part, entry, abs, this.base + end);
      if (this.done) return;
    }
  }

  private partMatched(part: number, entry: number, start: number, end: number): void {
    const t = this.t;
    const er = entry * ENTRY_STRIDE;
    const nparts = t.entries[er + E_PARTS]!;
    if (nparts === 1) {
      this.entryMatched(entry, start, false);
      return;
    }
    const no = part - t.entries[er + E_FIRST_PART]!;
    let st = this.chains.get(entry);
    if (no === 0) {
      if (!st) {
        st = { ring: new Float64Array(nparts * TRACK_LEN * 2), written: new Int32Array(nparts) };
        this.chains.set(entry, st);
      }
      this.track(st, 0, end, start);
      return;
    }
    if (!st) return;
    const pr = part * PART_STRIDE;
    const gapMin = t.parts[pr + P_GAPMIN]!;
    const gapMax = t.parts[pr + P_GAPMAX]!;
    const prev = no - 1;
    const n = Math.min(st.written[prev]!, TRACK_LEN);
    let origin = -1;
    for (let j = 0; j < n; j++) {
      const at = (prev * TRACK_LEN + j) * 2;
      const pend = st.ring[at]!;
      if (pend > start) continue;
      const gap = start - pend;
      if (gap < gapMin || (gapMax >= 0 && gap > gapMax)) continue;
      origin = st.ring[at + 1]!;
      break;
    }
    if (origin < 0) return;
    if (no === nparts - 1) this.entryMatched(entry, origin, true);
    else this.track(st, no, end, origin);
  }

  private track(st: ChainState, no: number, end: number, origin: number): void {
    const at = (no * TRACK_LEN + (st.written[no]! % TRACK_LEN)) * 2;
    st.ring[at] = end;
    st.ring[at + 1] = origin;
    st.written[no]!++;
  }

  private entryMatched(entry: number, origin: number, multipart: boolean): void {
    const t = this.t;
    const er = entry * ENTRY_STRIDE;
    const lsig = t.entries[er + E_LSIG]!;
    if (lsig < 0) {
      const name = t.entries[er + E_NAME]!;
      if (!this.seen.has(name)) {
        this.seen.add(name);
        this.found.push(name);
      }
      if (!this.allMatch) this.done = true;
      return;
    }
    let st = this.lsigStates.get(lsig);
    if (!st) {
      const n = t.meta.lsigs[lsig]!.subsigCount;
      st = { counts: new Int32Array(n), last: new Float64Array(n).fill(-1) };
      this.lsigStates.set(lsig, st);
    }
    const sub = t.entries[er + E_SUBSIG]!;
    const last = st.last[sub]!;
    if (last >= 0 && (multipart ? origin < last : origin <= last)) return;
    st.counts[sub]!++;
    st.last[sub] = origin;
  }
}
