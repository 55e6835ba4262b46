/**
 * One step of the NFA a rule regex compiles to, shared by the lazy DFA (which caches the steps)
 * and the plain simulation it falls back to when its cache keeps filling up. All buffers are
 * allocated once per regex: a step allocates nothing.
 */
import { caseVariants, inRanges, setMatches, wordSet, type CharSet } from './char-set.js';
import type { Program } from './compile.js';

const OP_SET = 0;
const OP_MATCH = 1;
const OP_SPLIT = 2;
const OP_ASSERT = 3;
const ASSERT_CODES = { start: 0, end: 1, word: 2, nonword: 3 } as const;

function inVariants(set: CharSet, variants: readonly number[]): boolean {
  return variants.some((v) => inRanges(set.ranges, v)) !== set.negated;
}

/**
 * What a character is for the assertions: the text's edge (before the first or after the last
 * character), a word character (only told apart when the pattern has \b or \B), a line
 * terminator (only in multiline mode, where ^ and $ also match at line ends), anything else.
 */
export const EDGE = 0;
export const WORD = 1;
export const LINE = 2;
export const OTHER = 3;

/** The characters on either side of a position, as EDGE, WORD, LINE or OTHER. */
export interface Position {
  prev: number;
  next: number;
}

export class NfaStepper {
  /** Per instruction with a set: whether each ASCII code point is in it (case variants included). */
  private readonly asciiMembers: Array<Uint8Array | undefined>;
  /** The program flattened for the inner loops: op codes, and each one's first and second operand. */
  private readonly ops: Uint8Array;
  private readonly arg1: Int32Array;
  private readonly arg2: Int32Array;
  private readonly word: CharSet;
  /** The set instructions the last closure reached. */
  private readonly sets: Int32Array;
  private setCount = 0;
  private readonly stack: Int32Array;
  /** Instructions a closure has reached, and next-step instructions already added: by stamp. */
  private readonly seen: Uint32Array;
  private readonly added: Uint32Array;
  private stamp = 0;
  /** Instruction steps taken since last set to 0 (the search's work budget reads it). */
  work = 0;

  constructor(
    readonly program: Program,
    private readonly ignoreCase: boolean,
    private readonly multiline: boolean,
  ) {
    const n = program.insts.length;
    this.word = wordSet(ignoreCase);
    this.sets = new Int32Array(n);
    this.stack = new Int32Array(n);
    this.seen = new Uint32Array(n);
    this.added = new Uint32Array(n);
    this.ops = new Uint8Array(n);
    this.arg1 = new Int32Array(n);
    this.arg2 = new Int32Array(n);
    program.insts.forEach((inst, pc) => {
      if (inst.op === 'set') [this.ops[pc], this.arg1[pc]] = [OP_SET, inst.next];
      else if (inst.op === 'match') this.ops[pc] = OP_MATCH;
      else if (inst.op === 'split') [this.ops[pc], this.arg1[pc], this.arg2[pc]] = [OP_SPLIT, inst.a, inst.b];
      else [this.ops[pc], this.arg1[pc], this.arg2[pc]] = [OP_ASSERT, inst.next, ASSERT_CODES[inst.kind]];
    });
    this.asciiMembers = program.insts.map((inst) => {
      if (inst.op !== 'set') return undefined;
      const table = new Uint8Array(128);
      for (let c = 0; c < 128; c++) table[c] = setMatches(inst.set, c, ignoreCase) ? 1 : 0;
      return table;
    });
  }

  /** WORD, LINE or OTHER (see EDGE): only what the program's assertions can tell apart. */
  classOf(cp: number): number {
    if (this.program.usesWordBoundary && setMatches(this.word, cp, false)) return WORD;
    if (this.multiline && (cp === 0x0a || cp === 0x0d || cp === 0x2028 || cp === 0x2029)) return LINE;
    return OTHER;
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
    const { ops, arg1, arg2, seen, stack, sets } = this;
    const stamp = this.nextStamp();
    // What each assertion says here, by its code (start, end, word boundary, not a boundary).
    const prevWord = at.prev === WORD;
    const nextWord = at.next === WORD;
    const holds = [at.prev === EDGE || at.prev === LINE, at.next === EDGE || at.next === LINE, prevWord !== nextWord, prevWord === nextWord];
    let top = 0;
    let matched = false;
    let setCount = 0;
    let steps = 0;
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
      if (op === OP_SET) sets[setCount++] = pc;
      else if (op === OP_MATCH) matched = true;
      else if (op === OP_SPLIT) [follow, also] = [arg1[pc]!, arg2[pc]!];
      else if (holds[arg2[pc]!]) follow = arg1[pc]!;
      if (also >= 0 && seen[also] !== stamp) {
        seen[also] = stamp;
        stack[top++] = also;
      }
      if (follow >= 0 && seen[follow] !== stamp) {
        seen[follow] = stamp;
        stack[top++] = follow;
      }
    }
    this.setCount = setCount;
    this.work += steps;
    return matched;
  }

  /**
   * The instructions pending after `cp`, from the last closure's set instructions, written to
   * `out` (the start instruction always among them: the search is unanchored); returns how many.
   */
  advance(cp: number, out: Int32Array): number {
    const { insts } = this.program;
    const stamp = this.nextStamp();
    let n = 0;
    out[n++] = this.program.start;
    this.added[this.program.start] = stamp;
    const variants = cp < 128 ? undefined : this.ignoreCase ? caseVariants(cp) : [cp];
    this.work += this.setCount;
    for (let i = 0; i < this.setCount; i++) {
      const pc = this.sets[i]!;
      const member = variants === undefined ? this.asciiMembers[pc]![cp] === 1 : inVariants((insts[pc] as { set: CharSet }).set, variants);
      const next = this.arg1[pc]!;
      if (member && this.added[next] !== stamp) {
        this.added[next] = stamp;
        out[n++] = next;
      }
    }
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
      [cur, next] = [next, cur];
      at.prev = at.next;
    }
    at.next = EDGE;
    return this.closure(cur, count, at);
  }
}
