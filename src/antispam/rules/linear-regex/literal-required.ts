/**
 * Whether a regex can match without a given literal in the match, and a text showing it: how
 * a rule's `prefilter` is checked. The rule runs its regex only on texts holding the prefilter,
 * so a prefilter the regex does not need (`(massmail|sendblaster)` with "mail") silently makes
 * the rule miss. Searched breadth-first over paths through the NFA paired with a KMP automaton
 * of the literal (folded as the prefilter automaton folds, fold-case.ts): a path to the match
 * instruction on which the literal never completes is a counterexample. Assertions are exact:
 * the state remembers what kind of character came before and which kinds may come next.
 */
import { setMatches, wordSet, type CharSet } from './char-set.js';
import type { Program } from './compile.js';
import { foldCase } from './fold-case.js';
import { assertionHolds, charKind, EDGE, KINDS, LINE, OTHER, WORD } from './assertions.js';

/** States (instruction × literal prefix × neighbours) searched at most; past it, no answer. */
const MAX_SEARCH_STATES = 200_000;

/** The kinds of character (assertions.ts) that may come next, as a mask of `1 << kind`. */
const ANY = KINDS.reduce((mask, kind) => mask | (1 << kind), 0);
/** Characters of each kind for the context around a witness: the first one not in the literal is used. */
const CONTEXT_CHOICES: Record<number, readonly string[]> = { [EDGE]: [''], [WORD]: ['x', 'q', 'z', '0', '_', 'y', 'j'], [LINE]: ['\n', '\r', '\u2028'], [OTHER]: [' ', '#', '-', '.', '!', '~', '\t'] };

/** KMP failure function over code points. */
function failureTable(lit: readonly string[]): number[] {
  const f = [0];
  for (let i = 1, k = 0; i < lit.length; i++) {
    while (k > 0 && lit[i] !== lit[k]) k = f[k - 1]!;
    if (lit[i] === lit[k]) k++;
    f.push(k);
  }
  return f;
}

export interface LiteralCheck {
  program: Program;
  ignoreCase: boolean;
  multiline: boolean;
}

/**
 * A text the program matches whose match does not contain `literal` (compared case-folded when
 * `ignoreCase`), undefined when every match contains it, or false when the search grew too big
 * to tell. An empty literal asks for a match of no characters at all (the regex then matches at
 * a mere position).
 */
export function textAvoidingLiteral({ program, ignoreCase, multiline }: LiteralCheck, literal: string): string | undefined | false {
  const fold = (s: string) => (ignoreCase ? foldCase(s) : s);
  const lit = Array.from(fold(literal));
  const L = Math.max(lit.length, 1);
  const failure = failureTable(lit);
  const word = wordSet(ignoreCase);
  const kindOf = (cp: number) => charKind(cp, word, multiline);
  const possible = KINDS.filter((kind) => kind !== LINE || multiline);
  /** KMP state after the folded form of `ch` (which may be several characters: İ). */
  const step = (k: number, ch: string) => {
    for (const c of fold(ch)) {
      while (k > 0 && c !== lit[k]) k = failure[k - 1]!;
      k = c === lit[k] ? k + 1 : 0;
      if (k === lit.length) return k;
    }
    return k;
  };
  const litChars = new Set(lit);
  // Context characters must not help spell the literal, or the witness would hold it.
  const context: Record<number, string> = {};
  for (const kind of KINDS) context[kind] = CONTEXT_CHOICES[kind]!.find((c) => ![...fold(c)].some((x) => litChars.has(x))) ?? CONTEXT_CHOICES[kind]![0]!;
  // One character of each kind the search tells apart, per set: each letter of the literal the
  // set holds, and, of each kind, one character outside the literal (cached per set object).
  const choices = new Map<CharSet, string[]>();
  const choicesFor = (set: CharSet) => {
    let out = choices.get(set);
    if (out) return out;
    out = [...litChars].filter((ch) => setMatches(set, ch.codePointAt(0)!));
    const outside = (cp: number) => setMatches(set, cp) && ![...fold(String.fromCodePoint(cp))].some((c) => litChars.has(c));
    const probe = [0x78, 0x71, 0x7a, 0x30, 0x5f, 0x20, 0x23, 0x2d, 0x0a, 0x0d, 0xe9, 0x416, 0x4e00];
    if (!set.negated) for (let i = 0; i < set.ranges.length && probe.length < 200; i += 2) for (let cp = set.ranges[i]!; cp <= set.ranges[i + 1]! && probe.length < 200; cp++) if (cp < 0xd800 || cp > 0xdfff) probe.push(cp);
    for (const kind of [WORD, LINE, OTHER]) {
      const cp = probe.find((c) => kindOf(c) === kind && outside(c));
      // Shown to administrators: a lower-case letter reads best where the set allows one.
      const lower = cp === undefined ? undefined : String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
      if (cp !== undefined) out.push(String.fromCodePoint(lower !== undefined && kindOf(lower) === kind && outside(lower) ? lower : cp));
    }
    choices.set(set, out);
    return out;
  };

  // State: instruction, literal prefix matched, kind before, kinds allowed next.
  const key = (pc: number, k: number, prev: number, next: number) => ((pc * L + k) * 4 + prev) * 16 + next;
  const parent = new Map<number, { from: number; ch: string }>();
  let truncated = false;
  const queue: Array<[number, number, number, number, number]> = [];
  const visit = (from: number, ch: string, pc: number, k: number, prev: number, next: number) => {
    const id = key(pc, k, prev, next);
    if (parent.has(id)) return;
    if (parent.size >= MAX_SEARCH_STATES) {
      truncated = true;
      return;
    }
    parent.set(id, { from, ch });
    queue.push([id, pc, k, prev, next]);
  };
  // The witness may follow any kind of character (or start the text).
  for (const prev of possible) visit(-1, context[prev]!, program.start, 0, prev, ANY);
  const textOf = (id: number) => {
    const out: string[] = [];
    for (let at = id; at !== -1; at = parent.get(at)!.from) out.push(parent.get(at)!.ch);
    return out.reverse().join('');
  };
  const emptyOnly = literal.length === 0;
  for (let head = 0; head < queue.length; head++) {
    const [id, pc, k, prev, next] = queue[head]!;
    const inst = program.insts[pc]!;
    if (inst.op === 'match') {
      // Then any allowed kind may follow: the end of the text, or one character of that kind.
      const after = possible.find((kind) => next & (1 << kind));
      if (after !== undefined) return textOf(id) + context[after]!;
      continue;
    }
    if (inst.op === 'split') {
      visit(id, '', inst.a, k, prev, next);
      visit(id, '', inst.b, k, prev, next);
    } else if (inst.op === 'assert') {
      // The kinds of next character the assertion allows after this one.
      const allowed = possible.reduce((mask, kind) => (assertionHolds(inst.kind, prev, kind) ? mask | (1 << kind) : mask), 0);
      if (next & allowed) visit(id, '', inst.next, k, prev, next & allowed);
    } else if (!emptyOnly) {
      for (const ch of choicesFor(inst.set)) {
        const kind = kindOf(ch.codePointAt(0)!);
        if (!(next & (1 << kind))) continue;
        const k2 = step(k, ch);
        if (k2 < lit.length) visit(id, ch, inst.next, k2, kind, ANY);
      }
    }
  }
  return truncated ? false : undefined;
}
