/**
 * Runs a compiled program over a text as a lazily built DFA (the approach of RE2 and Rust's
 * regex crate): each DFA state is the set of NFA instructions alive at a position, built the
 * first time it is reached and cached with its transitions, which are keyed by code-point class
 * (nfa-step.ts), so every character costs one lookup once warm, in any script. The cache is
 * bounded in states and in the instructions they hold; when it fills up during a search, it is
 * emptied and the rest of the text is run on the NFA directly, which costs at most one pass over
 * the live instructions per character and allocates nothing. Every search has a step budget.
 */
import type { Program } from './compile.js';
import { EDGE } from './assertions.js';
import { NfaStepper } from './nfa-step.js';

/** DFA states kept per regex before the cache is emptied. */
export const MAX_DFA_STATES = 1000;
/**
 * NFA instructions held by the cached states of one regex, in all: bounds the cache's memory
 * (each costs ~20 bytes in its state's list and key), ~4 MB per regex at most.
 */
export const MAX_CACHED_INSTRUCTIONS = 200_000;

/**
 * Steps one search may take (NFA instructions visited, and the instructions of each DFA state
 * built): about 0.1–0.25 s (bench/antispam/rule-regex.ts). A small pattern never comes near it (a cached DFA state costs no
 * steps); a pattern with hundreds of counted repetitions on a text of hundreds of kilobytes can,
 * and then the search gives up.
 */
export const MAX_SEARCH_STEPS = 10_000_000;

/** Transitions kept in an array when the program has at most this many code-point classes, else in a map. */
const MAX_DENSE_CLASSES = 256;
/** Transition entries: 0 unknown (a new Int32Array is all 0), -1 matched, else state index + 1. */
const UNKNOWN = 0;
const MATCHED = -1;

interface DfaState {
  /** NFA instructions waiting at this position, before following empty moves; sorted. */
  readonly pending: readonly number[];
  /** The character before this position, as the assertions see it (assertions.ts: EDGE, WORD, LINE, OTHER). */
  readonly prev: number;
  /** Transitions by code-point class: UNKNOWN, MATCHED or the next state's index + 1. */
  readonly dense: Int32Array | undefined;
  readonly sparse: Map<number, number> | undefined;
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
  private cachedInstructions = 0;
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
    const stepper = this.stepper;
    stepper.work = 0;
    let state = this.stateFor([this.program.start], EDGE);
    let states = this.states;
    for (let i = 0; i < text.length; ) {
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      const s = states[state]!;
      const cls = stepper.classOfCodePoint(cp);
      let next = s.dense ? s.dense[cls]! : (s.sparse!.get(cls) ?? UNKNOWN);
      if (next === UNKNOWN) {
        // The cold path: build the next state (cache resets happen only here).
        next = this.transition(state, cp, cls);
        if (next === MATCHED) return true;
        if (stepper.work > budget) return this.gaveUp();
        states = this.states;
        if (this.stats.cacheResets !== resets) {
          this.stats.nfaFallbacks++;
          const at = states[next - 1]!;
          return stepper.run(text, i, at.pending, at.prev, budget) ?? this.gaveUp();
        }
      } else if (next === MATCHED) return true;
      state = next - 1;
    }
    const last = states[state]!;
    if (last.endMatch < 0) last.endMatch = stepper.closure(last.pending, last.pending.length, { prev: last.prev, next: EDGE }) ? 1 : 0;
    return last.endMatch === 1;
  }

  private gaveUp(): undefined {
    this.stats.gaveUp++;
    return undefined;
  }

  /** Builds (or finds) the state after `cp` (of class `cls`); returns MATCHED or its index + 1. */
  private transition(from: number, cp: number, cls: number): number {
    const state = this.states[from]!;
    const next = this.stepper.classOf(cp);
    let target = MATCHED;
    if (!this.stepper.closure(state.pending, state.pending.length, { prev: state.prev, next })) {
      const n = this.stepper.advance(cp, this.scratch);
      const pending = Array.from(this.scratch.subarray(0, n)).sort((a, b) => a - b);
      // Sorting and keying the new state cost about as much as visiting its instructions again.
      this.stepper.work += 2 * n;
      const resetBefore = this.stats.cacheResets;
      target = this.stateFor(pending, next) + 1;
      // After a reset `from` is gone; the transition is simply not remembered.
      if (this.stats.cacheResets !== resetBefore) return target;
    }
    if (state.dense) state.dense[cls] = target;
    else state.sparse!.set(cls, target);
    return target;
  }

  private stateFor(pending: number[], prev: number): number {
    const key = `${prev}:${pending.join(',')}`;
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.states.length >= this.maxStates || this.cachedInstructions + pending.length > MAX_CACHED_INSTRUCTIONS) {
      this.states = [];
      this.index = new Map();
      this.cachedInstructions = 0;
      this.stats.cacheResets++;
    }
    const dense = this.stepper.classCount <= MAX_DENSE_CLASSES;
    this.states.push({ pending, prev, dense: dense ? new Int32Array(this.stepper.classCount) : undefined, sparse: dense ? undefined : new Map(), endMatch: -1 });
    this.cachedInstructions += pending.length;
    this.stats.statesBuilt++;
    this.index.set(key, this.states.length - 1);
    return this.states.length - 1;
  }
}
