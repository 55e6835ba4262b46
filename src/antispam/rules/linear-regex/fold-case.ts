/**
 * One meaning of "case-insensitive" for everything the rules compare: literals and prefilters
 * (literal-automaton.ts), and the prefilter check (literal-required.ts), fold as rule regexes
 * match, by Unicode simple case folding as V8's /iu applies it (case-folding-data.ts). So ſ is
 * s and µ is μ for a literal as for a regex, and a prefilter holds wherever its regex matches.
 */
import { CASE_CLASSES } from './case-folding-data.js';

/**
 * Characters that lower-casing leaves apart from the rest of their class (ſ, ς, µ, ͅ, ϐ…),
 * each with its class's canonical lower-case letter, which every member then folds to.
 */
function buildAfterLower(): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  const single = (s: string) => (Array.from(s).length === 1 ? s : undefined);
  for (const members of CASE_CLASSES) {
    // The lower case of the class's capital (s for S, s, ſ; σ for Σ, σ, ς; ι for ͅ, Ι, ι), so
    // ordinary lower-case text needs no second pass; else its first lower-case letter.
    const capital = members.find((m) => /\p{Lu}/u.test(String.fromCodePoint(m)));
    const letter = capital !== undefined ? single(String.fromCodePoint(capital).toLowerCase()) : undefined;
    const lowerMember = members.find((m) => /\p{Ll}/u.test(String.fromCodePoint(m)));
    const canonical = letter ?? (lowerMember !== undefined ? String.fromCodePoint(lowerMember) : String.fromCodePoint(members[0]!));
    for (const m of members) {
      const lower = single(String.fromCodePoint(m).toLowerCase()) ?? String.fromCodePoint(m);
      if (lower !== canonical) map.set(lower, canonical);
    }
  }
  return map;
}
const AFTER_LOWER = buildAfterLower();
const AFTER_LOWER_CLASS = `[${[...AFTER_LOWER.keys()].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join('')}]`;
/** Without the g flag, so testing keeps no state between calls (`replace` with the g one resets its own). */
const HAS_AFTER_LOWER = new RegExp(AFTER_LOWER_CLASS, 'u');
const EACH_AFTER_LOWER = new RegExp(AFTER_LOWER_CLASS, 'gu');

/**
 * `text` folded for case-insensitive comparison: lower case, then each class to one member. One
 * code point for one, so positions stay those of the text: İ (U+0130), the only letter whose
 * lower case is two code points (i + U+0307) and which /iu folds to nothing else, stays İ.
 */
export function foldCase(text: string): string {
  const lower = text.includes('\u0130') ? text.replace(/[^\u0130]+/g, (run) => run.toLowerCase()) : text.toLowerCase();
  return HAS_AFTER_LOWER.test(lower) ? lower.replace(EACH_AFTER_LOWER, (c) => AFTER_LOWER.get(c)!) : lower;
}
