/**
 * Runs a compiled program over a text as a lazily built DFA (the approach of RE2 and Rust's
 * regex crate): each DFA state is the set of NFA instructions alive at a position, built the
 * first time it is reached and cached with its transitions. Every character costs one table
 * lookup once warm, and at most one pass over the program when not, so a search is linear in
 * the text whatever the pattern. The cache is bounded: when it fills up during a search, it is
 * emptied and the rest of the text is run on the NFA directly (nfa-step.ts), which costs at most
 * one pass over the live instructions per character and allocates nothing, where rebuilding
 * DFA states at every character would cost more.
 */
import type { Program } from './compile.js';
import { EDGE, NfaStepper } from './nfa-step.js';

/** DFA states kept per regex before the cache is emptied (~0.6 KB each). */
export const MAX_DFA_STATES = 1000;

/**
 * Instruction steps one search may take (building DFA states, or on the NFA): about 0.15 s. A
 * small pattern never comes near it (a warm DFA takes no steps); a pattern with hundreds of
 * counted repetitions on a text of hundreds of kilobytes can, and then the search gives up.
 */
export const MAX_SEARCH_STEPS = 10_000_000;

/** Non-ASCII transitions remembered per state (text in many scripts would otherwise grow it without end). */
const MAX_OTHER_TRANSITIONS = 256;
/** Transition table entries: 0 unknown (a new Int32Array is all 0), -1 matched, else state index + 1. */
const UNKNOWN = 0;
const MATCHED = -1;

interface DfaState {
  /** NFA instructions waiting at this position, before following empty moves; sorted. */
  readonly pending: readonly number[];
  /** The character before this position, as the assertions see it (nfa-step.ts: EDGE, WORD, LINE, OTHER). */
  readonly prev: number;
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
  /** Searches finished on the NFA after the cache filled up. */
  nfaFallbacks: number;
  /** Searches given up at their step budget. */
  gaveUp: number;
}

export class LazyDfa {
  private states: DfaState[] = [];
  private index = new Map<string, number>();
  private readonly stepper: NfaStepper;
  private readonly scratch: Int32Array;
  private readonly maxStates: number;
  readonly stats: DfaStats = { statesBuilt: 0, cacheResets: 0, nfaFallbacks: 0, gaveUp: 0 };

  constructor(
    private readonly program: Program,
    options: { ignoreCase: boolean; multiline: boolean; maxStates?: number },
  ) {
    this.maxStates = options.maxStates ?? MAX_DFA_STATES;
    this.stepper = new NfaStepper(program, options.ignoreCase, options.multiline);
    this.scratch = new Int32Array(program.insts.length + 1);
  }

  /** Whether the pattern matches anywhere in `text`; undefined when the search gave up at its step budget. */
  search(text: string, budget = MAX_SEARCH_STEPS): boolean | undefined {
    const resets = this.stats.cacheResets;
    this.stepper.work = 0;
    let state = this.stateFor([this.program.start], EDGE);
    let states = this.states;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const s = states[state]!;
      let next = cp < 128 ? s.ascii[cp]! : (s.other?.get(cp) ?? UNKNOWN);
      if (next === UNKNOWN) {
        // The cold path: build the next state (cache resets happen only here).
        next = this.transition(state, cp);
        if (next === MATCHED) return true;
        if (this.stepper.work > budget) return this.gaveUp();
        states = this.states;
        if (this.stats.cacheResets !== resets) {
          this.stats.nfaFallbacks++;
          const at = states[next - 1]!;
          return this.stepper.run(text, i, at.pending, at.prev, budget) ?? this.gaveUp();
        }
      } else if (next === MATCHED) return true;
      state = next - 1;
    }
    const last = this.states[state]!;
    if (last.endMatch < 0) last.endMatch = this.stepper.closure(last.pending, last.pending.length, { prev: last.prev, next: EDGE }) ? 1 : 0;
    return last.endMatch === 1;
  }

  private gaveUp(): undefined {
    this.stats.gaveUp++;
    return undefined;
  }

  /** Builds (or finds) the state after `cp`; returns MATCHED or its index + 1. */
  private transition(from: number, cp: number): number {
    const state = this.states[from]!;
    const next = this.stepper.classOf(cp);
    let target = MATCHED;
    if (!this.stepper.closure(state.pending, state.pending.length, { prev: state.prev, next })) {
      const n = this.stepper.advance(cp, this.scratch);
      const pending = Array.from(this.scratch.subarray(0, n)).sort((a, b) => a - b);
      const resetBefore = this.stats.cacheResets;
      target = this.stateFor(pending, next) + 1;
      // After a reset `from` is gone; the transition is simply not remembered.
      if (this.stats.cacheResets !== resetBefore) return target;
    }
    if (cp < 128) state.ascii[cp] = target;
    else if ((state.other ??= new Map()).size < MAX_OTHER_TRANSITIONS) state.other.set(cp, target);
    return target;
  }

  private stateFor(pending: number[], prev: number): number {
    const key = `${prev}:${pending.join(',')}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.states.length >= this.maxStates) {
      this.states = [];
      this.index = new Map();
      this.stats.cacheResets++;
    }
    this.states.push({ pending, prev, ascii: new Int32Array(128), other: undefined, endMatch: -1 });
    this.stats.statesBuilt++;
    this.index.set(key, this.states.length - 1);
    return this.states.length - 1;
  }
}
