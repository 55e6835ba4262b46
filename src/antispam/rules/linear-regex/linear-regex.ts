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
  readonly stats: DfaStats;
}

export type LinearRegexResult = { ok: true; regex: LinearRegex } | { ok: false; error: string };

/** `maxDfaStates` (default MAX_DFA_STATES) is there for tests: a small cache sends searches to the NFA fallback. */
export function compileLinearRegex(source: string, options: { ignoreCase?: boolean; maxDfaStates?: number } = {}): LinearRegexResult {
  const ignoreCase = options.ignoreCase ?? true;
  try {
    // JavaScript's own parser decides what is valid syntax and gives the familiar message.
    new RegExp(source, ignoreCase ? 'iu' : 'u');
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  try {
    const dfa = new LazyDfa(compileProgram(parseRegex(source, ignoreCase)), ignoreCase, options.maxDfaStates);
    return { ok: true, regex: { source, search: (text) => dfa.search(text), test: (text) => dfa.search(text) === true, stats: dfa.stats } };
  } catch (err) {
    if (err instanceof RegexUnsupported) return { ok: false, error: err.message };
    throw err;
  }
}
