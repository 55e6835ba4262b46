/**
 * Parser for the rule-regex subset the linear-time matcher runs: JavaScript syntax (the /u
 * grammar), without the constructs no automaton can run in linear time (backreferences,
 * lookaround) and without Unicode property escapes. The caller has already had the pattern
 * accepted by `new RegExp(source, 'u')`, so this parser only has to refuse what it cannot run;
 * anything it does not expect is refused too, never guessed at.
 */
import { caseClosed, classEscapeRanges, LINE_TERMINATORS, normaliseRanges, rangesToPairs, type CharSet } from './char-set.js';

export type RegexNode =
  | { readonly t: 'empty' }
  | { readonly t: 'set'; readonly set: CharSet }
  | { readonly t: 'cat'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly items: readonly RegexNode[] }
  | { readonly t: 'rep'; readonly node: RegexNode; readonly min: number; readonly max: number }
  | { readonly t: 'assert'; readonly kind: AssertKind };

export type AssertKind = 'start' | 'end' | 'word' | 'nonword';

export const PARSE_LIMITS = {
  /** Characters in a pattern. */
  maxPatternLength: 4096,
  /** Groups inside groups. */
  maxNesting: 64,
  /** The n and m of {n,m}. */
  maxRepeat: 1000,
} as const;

/** A pattern this matcher will not run: `what` says why, `at` is the code-point index of the construct. */
export class RegexUnsupported extends Error {
  constructor(
    readonly what: string,
    readonly at?: number,
  ) {
    super(at === undefined ? what : `${what} (at character ${at + 1})`);
  }
}

/** A class escape, or a single code point (as a one-code-point range). */
type ClassAtom = { ranges: number[]; single?: number };

export function parseRegex(source: string, ignoreCase: boolean): RegexNode {
  if (source.length > PARSE_LIMITS.maxPatternLength) throw new RegexUnsupported(`longer than ${PARSE_LIMITS.maxPatternLength} characters`);
  const cps = Array.from(source, (c) => c.codePointAt(0)!);
  let pos = 0;
  let depth = 0;
  const peek = (offset = 0) => cps[pos + offset];
  const is = (ch: string, offset = 0) => cps[pos + offset] === ch.codePointAt(0);
  const fail = (what: string, at = pos): never => {
    throw new RegexUnsupported(what, at);
  };
  const closed = (ranges: number[]) => (ignoreCase ? caseClosed(ranges) : ranges);
  const single = (cp: number): RegexNode => ({ t: 'set', set: { ranges: closed([cp, cp]), negated: false } });

  function disjunction(): RegexNode {
    const items = [alternative()];
    while (is('|')) {
      pos++;
      items.push(alternative());
    }
    return items.length === 1 ? items[0]! : { t: 'alt', items };
  }

  function alternative(): RegexNode {
    const items: RegexNode[] = [];
    while (pos < cps.length && !is('|') && !is(')')) items.push(term());
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? items[0]! : { t: 'cat', items };
  }

  function term(): RegexNode {
    if (is('^')) return pos++, { t: 'assert', kind: 'start' };
    if (is('$')) return pos++, { t: 'assert', kind: 'end' };
    if (is('\\') && is('b', 1)) return (pos += 2), { t: 'assert', kind: 'word' };
    if (is('\\') && is('B', 1)) return (pos += 2), { t: 'assert', kind: 'nonword' };
    const node = atom();
    return quantified(node);
  }

  function quantified(node: RegexNode): RegexNode {
    let min: number;
    let max: number;
    if (is('*')) [min, max, pos] = [0, Infinity, pos + 1];
    else if (is('+')) [min, max, pos] = [1, Infinity, pos + 1];
    else if (is('?')) [min, max, pos] = [0, 1, pos + 1];
    else if (is('{')) {
      const brace = pos;
      pos++;
      min = number(brace);
      max = min;
      if (is(',')) {
        pos++;
        max = is('}') ? Infinity : number(brace);
      }
      if (!is('}')) fail('unexpected character in {n,m}');
      pos++;
    } else return node;
    if (is('?')) pos++; // lazy: the same set of matches
    // Repeating nothing is nothing, however often: (?:){1000} must not expand to anything.
    if (max === 0 || node.t === 'empty') return { t: 'empty' };
    return { t: 'rep', node, min, max };
  }

  function number(brace: number): number {
    const start = pos;
    while (peek() !== undefined && peek()! >= 0x30 && peek()! <= 0x39) pos++;
    if (pos === start) fail('expected a number in {n,m}');
    const n = Number(String.fromCodePoint(...cps.slice(start, pos)));
    if (n > PARSE_LIMITS.maxRepeat) fail(`a repetition count above ${PARSE_LIMITS.maxRepeat}`, brace);
    return n;
  }

  function atom(): RegexNode {
    const cp = peek();
    if (cp === undefined) return fail('unexpected end');
    if (is('.')) return pos++, { t: 'set', set: { ranges: normaliseRanges(LINE_TERMINATORS), negated: true } };
    if (is('[')) return { t: 'set', set: characterClass() };
    if (is('(')) return group();
    if (is('\\')) {
      pos++;
      const a = escape(false);
      return a.single !== undefined ? single(a.single) : { t: 'set', set: { ranges: a.ranges, negated: false } };
    }
    if ('*+?{}])|'.includes(String.fromCodePoint(cp))) fail(`unexpected "${String.fromCodePoint(cp)}"`);
    pos++;
    return single(cp);
  }

  function group(): RegexNode {
    const open = pos;
    pos++;
    if (is('?')) {
      if (is(':', 1)) pos += 2;
      else if (is('<', 1) && !is('=', 2) && !is('!', 2)) {
        pos += 2;
        while (peek() !== undefined && !is('>')) pos++;
        if (!is('>')) fail('unterminated group name');
        pos++;
      } else return fail('lookahead and lookbehind ((?=, (?!, (?<=, (?<!) cannot be matched in linear time', open);
    }
    if (++depth > PARSE_LIMITS.maxNesting) fail(`groups nested deeper than ${PARSE_LIMITS.maxNesting}`, open);
    const inner = disjunction();
    depth--;
    if (!is(')')) fail('missing )');
    pos++;
    return inner;
  }

  function hex(count: number): number {
    let v = 0;
    for (let i = 0; i < count; i++) {
      const d = Number.parseInt(String.fromCodePoint(peek() ?? 0x20), 16);
      if (Number.isNaN(d)) fail('bad hexadecimal escape');
      v = v * 16 + d;
      pos++;
    }
    return v;
  }

  /** After the backslash. In a class, \b is backspace and \- a hyphen. */
  function escape(inClass: boolean): ClassAtom {
    const cp = peek();
    if (cp === undefined) return fail('trailing backslash');
    const ch = String.fromCodePoint(cp);
    const backslash = pos - 1;
    pos++;
    if ('dDwWsS'.includes(ch)) return { ranges: classEscapeRanges(ch, ignoreCase) };
    const one = (v: number): ClassAtom => ({ ranges: [v, v], single: v });
    if (ch === 't') return one(9);
    if (ch === 'n') return one(10);
    if (ch === 'v') return one(11);
    if (ch === 'f') return one(12);
    if (ch === 'r') return one(13);
    if (ch === '0' && !(peek() !== undefined && peek()! >= 0x30 && peek()! <= 0x39)) return one(0);
    if (ch >= '1' && ch <= '9') return fail('backreferences (\\1…) cannot be matched in linear time', backslash);
    if (ch === 'k') return fail('named backreferences (\\k<…>) cannot be matched in linear time', backslash);
    if (ch === 'p' || ch === 'P') return fail('Unicode property escapes (\\p{…}) are not supported: list the characters in a class', backslash);
    if (ch === 'c') {
      const letter = peek();
      if (letter === undefined || !/[A-Za-z]/.test(String.fromCodePoint(letter))) return fail('bad \\c escape');
      pos++;
      return one(letter % 32);
    }
    if (ch === 'x') return one(hex(2));
    if (ch === 'u') {
      if (is('{')) {
        pos++;
        const start = pos;
        while (peek() !== undefined && !is('}')) pos++;
        const v = Number.parseInt(String.fromCodePoint(...cps.slice(start, pos)), 16);
        if (!is('}') || Number.isNaN(v) || v > 0x10ffff) fail('bad \\u{…} escape');
        pos++;
        return one(v);
      }
      const v = hex(4);
      // A surrogate pair written as two \u escapes is one code point under /u.
      if (v >= 0xd800 && v <= 0xdbff && is('\\') && is('u', 1) && !is('{', 2)) {
        const save = pos;
        pos += 2;
        const low = hex(4);
        if (low >= 0xdc00 && low <= 0xdfff) return one(0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00));
        pos = save;
      }
      return one(v);
    }
    if ('^$\\.*+?()[]{}|/'.includes(ch) || (inClass && ch === '-')) return one(cp);
    if (inClass && ch === 'b') return one(8);
    return fail(`unknown escape \\${ch}`);
  }

  function classAtom(): ClassAtom {
    if (is('\\')) {
      pos++;
      return escape(true);
    }
    const cp = peek();
    if (cp === undefined) return fail('unterminated character class');
    pos++;
    return { ranges: [cp, cp], single: cp };
  }

  function characterClass(): CharSet {
    pos++;
    const negated = is('^');
    if (negated) pos++;
    const pairs: Array<[number, number]> = [];
    while (!is(']')) {
      if (peek() === undefined) fail('unterminated character class');
      const from = classAtom();
      if (is('-') && !is(']', 1) && peek(1) !== undefined) {
        pos++;
        const to = classAtom();
        if (from.single === undefined || to.single === undefined || from.single > to.single) fail('bad range in a character class');
        pairs.push([from.single!, to.single!]);
      } else pairs.push(...rangesToPairs(from.ranges));
    }
    pos++;
    return { ranges: closed(normaliseRanges(pairs)), negated };
  }

  const node = disjunction();
  if (pos < cps.length) fail(`unexpected "${String.fromCodePoint(cps[pos]!)}"`);
  return node;
}
