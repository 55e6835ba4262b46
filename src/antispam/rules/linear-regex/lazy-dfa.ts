/**
 * Runs a compiled program over a text as a lazily built DFA (the approach of RE2 and Rust's
 * regex crate): each DFA state is the set of NFA instructions alive at a position, built the
 * first time it is reached and cached with its transitions. Every character costs one table
 * lookup once warm, and at most one pass over the program when not, so a search is linear in
 * the text whatever the pattern. The cache is bounded: when full it is emptied and rebuilt as
 * the text goes on.
 */
import { caseVariants, inRanges, setMatches, wordSet, type CharSet } from './char-set.js';
import type { Program } from './compile.js';

/** DFA states kept per regex before the cache is emptied (~0.6 KB each). */
export const MAX_DFA_STATES = 1000;

/** Non-ASCII transitions remembered per state (text in many scripts would otherwise grow it without end). */
const MAX_OTHER_TRANSITIONS = 256;
/** Transition table entries: 0 unknown (a new Int32Array is all 0), -1 matched, else state index + 1. */
const UNKNOWN = 0;
const MATCHED = -1;

interface DfaState {
  /** NFA instructions waiting at this position, before following empty moves; sorted. */
  readonly pending: readonly number[];
  readonly atStart: boolean;
  readonly prevWord: boolean;
  /** Transitions on ASCII code points: UNKNOWN, MATCHED or the next state's index + 1. */
  readonly ascii: Int32Array;
  /** The same for other code points, made when first needed. */
  other: Map<number, number> | undefined;
  /** Whether the text may end here: -1 unknown, 0 no, 1 yes. */
  endMatch: number;
}

export interface DfaStats {
  statesBuilt: number;
  cacheResets: number;
}

export class LazyDfa {
  private states: DfaState[] = [];
  private index = new Map<string, number>();
  private readonly word: CharSet;
  /** Per instruction with a set: whether each ASCII code point is in it (case variants included). */
  private readonly asciiMembers: Array<Uint8Array | undefined>;
  /** Per-search scratch: which instructions the current closure has visited (by stamp). */
  private readonly seen: Uint32Array;
  private stamp = 0;
  readonly stats: DfaStats = { statesBuilt: 0, cacheResets: 0 };

  constructor(
    private readonly program: Program,
    private readonly ignoreCase: boolean,
  ) {
    this.word = wordSet(ignoreCase);
    this.seen = new Uint32Array(program.insts.length);
    this.asciiMembers = program.insts.map((inst) => {
      if (inst.op !== 'set') return undefined;
      const table = new Uint8Array(128);
      for (let c = 0; c < 128; c++) table[c] = setMatches(inst.set, c, ignoreCase) ? 1 : 0;
      return table;
    });
  }

  /** Whether the pattern matches anywhere in `text`. */
  test(text: string): boolean {
    let state = this.stateFor([this.program.start], true, false);
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const s = this.states[state]!;
      let next = cp < 128 ? s.ascii[cp]! : (s.other?.get(cp) ?? UNKNOWN);
      if (next === UNKNOWN) next = this.transition(state, cp);
      if (next === MATCHED) return true;
      state = next - 1;
    }
    const last = this.states[state]!;
    if (last.endMatch < 0) last.endMatch = this.closure(last, true, false).matched ? 1 : 0;
    return last.endMatch === 1;
  }

  private isWord(cp: number): boolean {
    return setMatches(this.word, cp, false);
  }

  /** Follows empty moves from a state's pending instructions, given what is around the position. */
  private closure(state: DfaState, atEnd: boolean, nextWord: boolean): { matched: boolean; sets: number[] } {
    const insts = this.program.insts;
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const sets: number[] = [];
    const stack = [...state.pending].reverse();
    let matched = false;
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (this.seen[pc] === stamp) continue;
      this.seen[pc] = stamp;
      const inst = insts[pc]!;
      switch (inst.op) {
        case 'match':
          matched = true;
          break;
        case 'set':
          sets.push(pc);
          break;
        case 'split':
          stack.push(inst.b, inst.a);
          break;
        case 'assert': {
          const holds =
            inst.kind === 'start' ? state.atStart : inst.kind === 'end' ? atEnd : inst.kind === 'word' ? state.prevWord !== nextWord : state.prevWord === nextWord;
          if (holds) stack.push(inst.next);
          break;
        }
      }
    }
    return { matched, sets };
  }

  /** Builds (or finds) the state after `cp`; returns MATCHED or its index + 1. */
  private transition(from: number, cp: number): number {
    const state = this.states[from]!;
    const nextWord = this.isWord(cp);
    const { matched, sets } = this.closure(state, false, nextWord);
    let target = MATCHED;
    if (!matched) {
      const pending = new Set<number>([this.program.start]);
      const variants = cp < 128 ? undefined : this.ignoreCase ? caseVariants(cp) : [cp];
      for (const pc of sets) {
        const inst = this.program.insts[pc] as { set: CharSet; next: number };
        const member = variants === undefined ? this.asciiMembers[pc]![cp] === 1 : variants.some((v) => inRanges(inst.set.ranges, v)) !== inst.set.negated;
        if (member) pending.add(inst.next);
      }
      const resetBefore = this.stats.cacheResets;
      target = this.stateFor([...pending].sort((a, b) => a - b), false, this.program.usesWordBoundary && nextWord) + 1;
      // After a reset `from` is gone; the transition is simply not remembered.
      if (this.stats.cacheResets !== resetBefore) return target;
    }
    if (cp < 128) state.ascii[cp] = target;
    else if ((state.other ??= new Map()).size < MAX_OTHER_TRANSITIONS) state.other.set(cp, target);
    return target;
  }

  private stateFor(pending: number[], atStart: boolean, prevWord: boolean): number {
    const key = `${atStart ? 1 : 0}${prevWord ? 1 : 0}:${pending.join(',')}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.states.length >= MAX_DFA_STATES) {
      this.states = [];
      this.index = new Map();
      this.stats.cacheResets++;
    }
    this.states.push({ pending, atStart, prevWord, ascii: new Int32Array(128), other: undefined, endMatch: -1 });
    this.stats.statesBuilt++;
    this.index.set(key, this.states.length - 1);
    return this.states.length - 1;
  }
}
