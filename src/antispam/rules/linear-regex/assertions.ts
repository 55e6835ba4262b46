/**
 * What ^, $, \b and \B mean, in one place for the matcher (nfa-step.ts) and the prefilter check
 * (literal-required.ts): each looks at the kind of character on either side of a position.
 */
import { setMatches, type CharSet } from './char-set.js';
import type { AssertKind } from './parse.js';

/**
 * The kind of a character for the assertions: the text's edge (before the first or after the
 * last character), a word character, a line terminator (only in multiline mode, where ^ and $
 * also match at line ends), anything else.
 */
export const EDGE = 0;
export const WORD = 1;
export const LINE = 2;
export const OTHER = 3;
export const KINDS: readonly number[] = [EDGE, WORD, LINE, OTHER];

export function isLineTerminator(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x2028 || cp === 0x2029;
}

/** WORD, LINE or OTHER; `word` is the \w set the assertions use (wordSet in char-set.ts). */
export function charKind(cp: number, word: CharSet, multiline: boolean): number {
  if (setMatches(word, cp)) return WORD;
  return multiline && isLineTerminator(cp) ? LINE : OTHER;
}

/** Whether the assertion holds between a character of kind `prev` and one of kind `next`. */
export function assertionHolds(kind: AssertKind, prev: number, next: number): boolean {
  switch (kind) {
    case 'start':
      return prev === EDGE || prev === LINE;
    case 'end':
      return next === EDGE || next === LINE;
    case 'word':
      return (prev === WORD) !== (next === WORD);
    case 'nonword':
      return (prev === WORD) === (next === WORD);
  }
}
