/**
 * Whether a regex can match without a given literal in the match, and a text showing it: how
 * a rule's `prefilter` is checked. The rule runs its regex only on texts holding the prefilter,
 * so a prefilter the regex does not need (`(massmail|sendblaster)` with "mail") silently makes
 * the rule miss. Searched as paths through the NFA paired with a KMP automaton of the literal:
 * a path to the match instruction on which the literal never completes is a counterexample.
 */
import { setMatches, type CharSet } from './char-set.js';
import type { Program } from './compile.js';

/** Pairs (NFA instruction × literal prefix) searched at most; past it, no answer. */
const MAX_PRODUCT_STATES = 2_000_000;

/** The literal in lower case, as the prefilter automaton compares (literal-automaton.ts). */
function fold(ch: string): string {
  return ch.toLowerCase();
}

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

/** A code point of `set` that is none of `avoid` in any case, or undefined. */
function otherMember(set: CharSet, avoid: ReadonlySet<string>): number | undefined {
  const ok = (cp: number) => !avoid.has(fold(String.fromCodePoint(cp))) && setMatches(set, cp);
  const candidates = set.negated ? [0x78, 0x71, 0x7a, 0x30, 0x20, 0x23, 0x5f, 0xe9, 0x416] : [];
  for (let i = 0; !set.negated && i < set.ranges.length && candidates.length < 64; i += 2) {
    for (let cp = set.ranges[i]!; cp <= set.ranges[i + 1]! && candidates.length < 64; cp++) if (!(cp >= 0xd800 && cp <= 0xdfff)) candidates.push(cp);
  }
  // Shown to administrators: a lower-case letter reads best where the set allows one.
  const lower = (cp: number) => String.fromCodePoint(cp).toLowerCase().codePointAt(0)!;
  const found = candidates.find(ok);
  return found !== undefined && ok(lower(found)) ? lower(found) : found;
}

/**
 * A text the program matches whose match does not contain `literal` (case-insensitively when
 * `ignoreCase`), or undefined when every match contains it (or the search is too big to run).
 * Assertions are taken as holding, so a text found must be checked against the real regex.
 */
export function textAvoidingLiteral(program: Program, literal: string, ignoreCase: boolean): string | undefined {
  const lit = Array.from(ignoreCase ? fold(literal) : literal);
  if (lit.length === 0 || program.insts.length * lit.length > MAX_PRODUCT_STATES) return undefined;
  const failure = failureTable(lit);
  const litChars = new Set(lit);
  const step = (k: number, ch: string) => {
    const c = ignoreCase ? fold(ch) : ch;
    while (k > 0 && c !== lit[k]) k = failure[k - 1]!;
    return c === lit[k] ? k + 1 : 0;
  };
  const key = (pc: number, k: number) => pc * lit.length + k;
  const parent = new Map<number, { from: number; ch: string }>();
  const startKey = key(program.start, 0);
  parent.set(startKey, { from: -1, ch: '' });
  const queue = [startKey];
  const textOf = (k: number) => {
    const out: string[] = [];
    for (let at = k; at !== startKey; at = parent.get(at)!.from) out.push(parent.get(at)!.ch);
    return out.reverse().join('');
  };
  const visit = (from: number, pc: number, k: number, ch: string) => {
    const to = key(pc, k);
    if (parent.has(to)) return;
    parent.set(to, { from, ch });
    queue.push(to);
  };
  for (let head = 0; head < queue.length; head++) {
    const at = queue[head]!;
    const pc = Math.floor(at / lit.length);
    const k = at % lit.length;
    const inst = program.insts[pc]!;
    if (inst.op === 'match') return textOf(at);
    if (inst.op === 'split') {
      visit(at, inst.a, k, '');
      visit(at, inst.b, k, '');
    } else if (inst.op === 'assert') visit(at, inst.next, k, '');
    else {
      // One character of each kind the literal tells apart: each of its letters, and any other.
      for (const ch of litChars) {
        const cp = ch.codePointAt(0)!;
        const member = setMatches(inst.set, cp);
        const next = member ? step(k, ch) : lit.length;
        if (next < lit.length) visit(at, inst.next, next, ch);
      }
      const other = otherMember(inst.set, litChars);
      if (other !== undefined) visit(at, inst.next, 0, String.fromCodePoint(other));
    }
  }
  return undefined;
}
