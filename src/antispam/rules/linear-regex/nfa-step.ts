/**
 * One step of the NFA a rule regex compiles to, shared by the lazy DFA (which caches the steps)
 * and the plain simulation it falls back to when its cache keeps filling up. All buffers are
 * allocated once per regex: a step allocates nothing. Code points are grouped into classes that
 * no instruction or assertion of the program tells apart (RE2's byte classes, for code points):
 * the DFA keys its transitions by class, so a text in any script costs one lookup per character.
 */
import { inRanges, LINE_TERMINATORS, normaliseRanges, setMatches, wordSet, type CharSet } from './char-set.js';
import type { Program } from './compile.js';
import type { AssertKind } from './parse.js';
import { assertionHolds, charKind, EDGE, OTHER, WORD } from './assertions.js';

const OP_SET = 0;
const OP_MATCH = 1;
const OP_SPLIT = 2;
const OP_ASSERT = 3;
/** Assertion kinds by the code kept in `arg2`. */
const ASSERT_KINDS: readonly AssertKind[] = ['start', 'end', 'word', 'nonword'];

/** The kinds (assertions.ts: EDGE, WORD, LINE, OTHER) of the characters on either side of a position. */
export interface Position {
  prev: number;
  next: number;
}

export class NfaStepper {
  /** The program flattened for the inner loops: op codes, and each one's first and second operand. */
  private readonly ops: Uint8Array;
  private readonly arg1: Int32Array;
  private readonly arg2: Int32Array;
  private readonly sets: Array<CharSet | undefined>;
  /** Per distinct set: whether each ASCII code point is in it. */
  private readonly asciiMembers: Array<Uint8Array | undefined>;
  private readonly word: CharSet;
  /** Code-point classes: class of cp = how many of `bounds` are ≤ cp; ASCII precomputed. */
  private readonly bounds: Int32Array;
  private readonly asciiClass: Uint16Array;
  readonly classCount: number;
  /** The set instructions the last closure reached. */
  private readonly reached: Int32Array;
  private reachedCount = 0;
  private readonly stack: Int32Array;
  /** Instructions a closure has reached, and next-step instructions already added: by stamp. */
  private readonly seen: Uint32Array;
  private readonly added: Uint32Array;
  private stamp = 0;
  /** Steps taken since last set to 0 (the search's work budget reads it). */
  work = 0;

  constructor(
    readonly program: Program,
    ignoreCase: boolean,
    private readonly multiline: boolean,
  ) {
    const n = program.insts.length;
    this.word = wordSet(ignoreCase);
    this.reached = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.added = new Uint32Array(n);
    this.ops = new Uint8Array(n);
    this.arg1 = new Int32Array(n);
    this.arg2 = new Int32Array(n);
    this.sets = new Array<CharSet | undefined>(n);
    this.asciiMembers = new Array<Uint8Array | undefined>(n);
    // Counted repeats share one set object: its ASCII table is built once.
    const tables = new Map<CharSet, Uint8Array>();
    const cuts = new Set<number>();
    const cutAt = (ranges: readonly number[]) => {
      for (let i = 0; i < ranges.length; i += 2) cuts.add(ranges[i]!).add(ranges[i + 1]! + 1);
    };
    program.insts.forEach((inst, pc) => {
      if (inst.op === 'set') {
        [this.ops[pc], this.arg1[pc]] = [OP_SET, inst.next];
        this.sets[pc] = inst.set;
        let table = tables.get(inst.set);
        if (!table) {
          table = new Uint8Array(128);
          for (let c = 0; c < 128; c++) table[c] = setMatches(inst.set, c) ? 1 : 0;
          tables.set(inst.set, table);
          cutAt(inst.set.ranges);
        }
        this.asciiMembers[pc] = table;
      } else if (inst.op === 'match') this.ops[pc] = OP_MATCH;
      else if (inst.op === 'split') [this.ops[pc], this.arg1[pc], this.arg2[pc]] = [OP_SPLIT, inst.a, inst.b];
      else [this.ops[pc], this.arg1[pc], this.arg2[pc]] = [OP_ASSERT, inst.next, ASSERT_KINDS.indexOf(inst.kind)];
    });
    if (program.usesWordBoundary) cutAt(this.word.ranges);
    if (multiline) cutAt(normaliseRanges(LINE_TERMINATORS));
    this.bounds = Int32Array.from([...cuts].filter((c) => c > 0 && c <= 0x10ffff).sort((a, b) => a - b));
    this.classCount = this.bounds.length + 1;
    this.asciiClass = new Uint16Array(128);
    for (let c = 0; c < 128; c++) this.asciiClass[c] = this.searchClass(c);
  }

  private searchClass(cp: number): number {
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bounds[mid]! <= cp) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The code point's class: code points of one class are alike for every instruction and assertion. */
  classOfCodePoint(cp: number): number {
    return cp < 128 ? this.asciiClass[cp]! : this.searchClass(cp);
  }

  /**
   * The character's kind for the assertions (WORD, LINE or OTHER), as far as the program can tell
   * them apart: without \b or \B a word character is OTHER, which keeps the DFA's states fewer.
   */
  classOf(cp: number): number {
    const kind = charKind(cp, this.word, this.multiline);
    return kind === WORD && !this.program.usesWordBoundary ? OTHER : kind;
  }

  private nextStamp(): number {
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.added.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /**
   * Follows the empty moves from `pending` (its first `count` entries) at a position; returns
   * whether the match instruction was reached, and keeps the set instructions for `advance`.
   */
  closure(pending: ArrayLike<number>, count: number, at: Position): boolean {
    const { ops, arg1, arg2, seen, stack, reached } = this;
    const stamp = this.nextStamp();
    let top = 0;
    let matched = false;
    let reachedCount = 0;
    let steps = count;
    for (let i = count - 1; i >= 0; i--) {
      const pc = pending[i]!;
      if (seen[pc] !== stamp) {
        seen[pc] = stamp;
        stack[top++] = pc;
      }
    }
    while (top > 0) {
      const pc = stack[--top]!;
      const op = ops[pc]!;
      steps++;
      let follow = -1;
      let also = -1;
      if (op === OP_SET) reached[reachedCount++] = pc;
      else if (op === OP_MATCH) matched = true;
      else if (op === OP_SPLIT) {
        follow = arg1[pc]!;
        also = arg2[pc]!;
      } else if (assertionHolds(ASSERT_KINDS[arg2[pc]!]!, at.prev, at.next)) follow = arg1[pc]!;
      if (also >= 0 && seen[also] !== stamp) {
        seen[also] = stamp;
        stack[top++] = also;
      }
      if (follow >= 0 && seen[follow] !== stamp) {
        seen[follow] = stamp;
        stack[top++] = follow;
      }
    }
    this.reachedCount = reachedCount;
    this.work += steps;
    return matched;
  }

  /**
   * The instructions pending after `cp`, from the last closure's set instructions, written to
   * `out` (the start instruction always among them: the search is unanchored); returns how many.
   */
  advance(cp: number, out: Int32Array): number {
    const stamp = this.nextStamp();
    let n = 0;
    out[n++] = this.program.start;
    this.added[this.program.start] = stamp;
    for (let i = 0; i < this.reachedCount; i++) {
      const pc = this.reached[i]!;
      const set = this.sets[pc]!;
      const member = cp < 128 ? this.asciiMembers[pc]![cp] === 1 : inRanges(set.ranges, cp) !== set.negated;
      const next = this.arg1[pc]!;
      if (member && this.added[next] !== stamp) {
        this.added[next] = stamp;
        out[n++] = next;
      }
    }
    this.work += this.reachedCount;
    return n;
  }

  /**
   * Runs the NFA over `text` from index `from`, starting with `pending` instructions: what the
   * lazy DFA falls back to when its cache keeps filling up. Linear in the text, at most one pass
   * over the program per character, no allocation. Gives up (undefined) once `work` passes
   * `budget`.
   */
  run(text: string, from: number, pending: readonly number[], prev: number, budget: number): boolean | undefined {
    const size = this.program.insts.length + 1;
    let cur = new Int32Array(size);
    let next = new Int32Array(size);
    cur.set(pending);
    let count = pending.length;
    const at: Position = { prev, next: EDGE };
    for (let i = from; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      at.next = this.classOf(cp);
      if (this.closure(cur, count, at)) return true;
      count = this.advance(cp, next);
      if (this.work > budget) return undefined;
      const swap = cur;
      cur = next;
      next = swap;
      at.prev = at.next;
    }
    at.next = EDGE;
    return this.closure(cur, count, at);
  }
}
