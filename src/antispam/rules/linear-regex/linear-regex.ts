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
import { perlHint, reduceIdentityEscapes } from './rule-dialect.js';
import { textAvoidingLiteral } from './literal-required.js';
import { foldCase } from './fold-case.js';

export interface LinearRegex {
  readonly source: string;
  /**
   * Whether the pattern matches anywhere in the text (as RegExp.prototype.test); undefined when
   * the search gave up at its step budget (`MAX_SEARCH_STEPS`, about 0.1–0.25 s: only patterns with
   * hundreds of counted repetitions on texts of hundreds of kilobytes reach it).
   */
  search(text: string): boolean | undefined;
  /** `search`, with giving up counted as no match. */
  test(text: string): boolean;
  /**
   * A text the regex matches without `literal` in it (compared as `ignoreCase` says), undefined
   * when every match holds the literal, false when the regex is too big to tell: checks a rule's
   * prefilter.
   */
  textWithout(literal: string): string | undefined | false;
  /**
   * A text in which the regex matches no characters at all, only a position (`x*` in "",
   * `(?:viagra)?\b` in "x"), or undefined: such a rule matches nearly every message.
   */
  emptyMatchIn(): string | undefined;
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
    const hint = perlHint(source, (err as Error).message);
    return { ok: false, error: `${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')}${hint ? `: ${hint}` : ''}` };
  }
  try {
    const program = compileProgram(parseRegex(js.source, ignoreCase));
    const dfa = new LazyDfa(program, { ignoreCase, multiline, maxStates: options.maxDfaStates });
    const test = (text: string) => dfa.search(text) === true;
    const holds = (text: string, literal: string) => (ignoreCase ? foldCase(text).includes(foldCase(literal)) : text.includes(literal));
    const check = { program, ignoreCase, multiline };
    const regex: LinearRegex = {
      source,
      search: (text) => dfa.search(text),
      test,
      stats: dfa.stats,
      textWithout(literal) {
        // Checked against the regex itself as well (a search that gives up is no denial: the
        // path search is exact).
        const text = literal === '' ? undefined : textAvoidingLiteral(check, literal);
        if (text === false) return false; // too big a search to tell
        return text !== undefined && !holds(text, literal) && dfa.search(text) !== false ? text : undefined;
      },
      emptyMatchIn() {
        const text = textAvoidingLiteral(check, '');
        return typeof text === 'string' && dfa.search(text) !== false ? text : undefined;
      },
    };
    return { ok: true, regex };
  } catch (err) {
    if (err instanceof RegexUnsupported) return { ok: false, error: `${err.what}${where(err.at)}` };
    throw err;
  }
}
