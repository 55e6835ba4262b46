/**
 * Rule regexes that run in time linear in the text, whatever the pattern: JavaScript syntax,
 * matched by a lazy DFA instead of V8's backtracking engine, so a rule such as (a+)+$ or
 * \s*\s*\s*x cannot stall the daemon on a crafted message. The subset: literals, escapes,
 * classes, `.`, groups, alternation, greedy and lazy quantifiers (counts up to 1,000), ^, $,
 * \b, \B. Refused, with the reason: backreferences and lookaround (no linear-time algorithm
 * exists for them) and \p{…}.
 */
import { LazyDfa, type DfaStats } from './lazy-dfa.js';
import { compileProgram } from './compile.js';
import { parseRegex, RegexUnsupported } from './parse.js';
import { pastedWithSlashes, perlHint, reduceIdentityEscapes } from './rule-dialect.js';
import { textAvoidingLiteral } from './literal-required.js';

export interface LinearRegex {
  readonly source: string;
  /**
   * Whether the pattern matches anywhere in the text (as RegExp.prototype.test); undefined when
   * the search gave up at its step budget (`MAX_SEARCH_STEPS`, ~0.15 s: only patterns with
   * hundreds of counted repetitions on texts of hundreds of kilobytes reach it).
   */
  search(text: string): boolean | undefined;
  /** `search`, with giving up counted as no match. */
  test(text: string): boolean;
  /**
   * A text the regex matches without `literal` in it (compared as `ignoreCase` says), or
   * undefined when every match holds the literal: checks a rule's prefilter.
   */
  textWithout(literal: string): string | undefined;
  /** Whether it matches any text at all, the empty one included (`x*`, `(?:)`). */
  matchesEverything(): boolean;
  readonly stats: DfaStats;
}

export type LinearRegexResult = { ok: true; regex: LinearRegex } | { ok: false; error: string };

export interface LinearRegexOptions {
  /** The i flag (default true). */
  ignoreCase?: boolean;
  /** The m flag (default false): ^ and $ also match after and before a line terminator. */
  multiline?: boolean;
  /** For tests (default MAX_DFA_STATES): a small cache sends searches to the NFA fallback. */
  maxDfaStates?: number;
}

export function compileLinearRegex(source: string, options: LinearRegexOptions = {}): LinearRegexResult {
  const ignoreCase = options.ignoreCase ?? true;
  const multiline = options.multiline ?? false;
  if (pastedWithSlashes(source)) return { ok: false, error: 'looks pasted with its slashes and flags (/…/i): write only what is between the slashes (rule regexes are always case-insensitive, and ^ and $ match at line ends)' };
  const js = reduceIdentityEscapes(source);
  const original = Array.from(source);
  /** "at character N: …" in the pattern as the administrator wrote it. */
  const where = (at: number | undefined) => {
    if (at === undefined) return '';
    const i = js.origin[at] ?? original.length;
    return ` (at character ${i + 1}: "${original.slice(i, i + 8).join('')}")`;
  };
  try {
    // JavaScript's own parser decides what is valid syntax and gives the familiar message.
    new RegExp(js.source, `${ignoreCase ? 'i' : ''}${multiline ? 'm' : ''}u`);
  } catch (err) {
    const hint = perlHint(source);
    return { ok: false, error: `${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}${hint ? `: ${hint}` : ''}` };
  }
  try {
    const program = compileProgram(parseRegex(js.source, ignoreCase));
    const dfa = new LazyDfa(program, { ignoreCase, multiline, maxStates: options.maxDfaStates });
    const test = (text: string) => dfa.search(text) === true;
    const holds = (text: string, literal: string) => (ignoreCase ? text.toLowerCase().includes(literal.toLowerCase()) : text.includes(literal));
    const regex: LinearRegex = {
      source,
      search: (text) => dfa.search(text),
      test,
      stats: dfa.stats,
      textWithout(literal) {
        // The path found takes every assertion as holding: keep it only if the regex agrees.
        const text = textAvoidingLiteral(program, literal, ignoreCase);
        return text !== undefined && !holds(text, literal) && test(text) ? text : undefined;
      },
      matchesEverything: () => test('') && test('q') && test('q q\nq'),
    };
    return { ok: true, regex };
  } catch (err) {
    if (err instanceof RegexUnsupported) return { ok: false, error: `${err.what}${where(err.at)}` };
    throw err;
  }
}
