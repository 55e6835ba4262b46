import type { RuleDefinition } from '../../antispam/rules/rule-set.js';

/** One rule as `moat config rules` shows it (its --json form has exactly these fields). */
export interface RuleListing {
  name: string;
  score: number;
  /**
   * Score once Bayes scores (`score_trained`, used with `[antispam] trained_rule_scores = true`);
   * absent when that is off or the same as `score`.
   */
  scoreTrained?: number;
  description: string;
  /** What it looks at and how: `body: "viagra", "cialis", "levitra" and 5 more (whole words)`, `meta: all of A, B`. */
  test: string;
  /** Where it is defined: `file: [[rule]] #N (NAME)`. */
  origin: string;
}

const LITERALS_SHOWN = 3;

function testOf(r: RuleDefinition): string {
  const some = (list: readonly string[]) => list.slice(0, LITERALS_SHOWN).map((l) => JSON.stringify(l)).join(', ') + (list.length > LITERALS_SHOWN ? ` and ${list.length - LITERALS_SHOWN} more` : '');
  if (r.check !== undefined) return `check ${r.check}`;
  if (r.literals !== undefined) return `${r.field}: ${some(r.literals)}${r.whole_words ? ' (whole words)' : ''}`;
  if (r.obfuscated_words !== undefined) return `${r.field}: ${some(r.obfuscated_words)} written hidden (look-alikes, spread out)`;
  if (r.regex !== undefined) return `${r.field}: regex ${JSON.stringify(r.regex)}${r.prefilter ? ` where ${JSON.stringify(r.prefilter)} appears` : ''}`;
  const parts = [r.all_of && `all of ${r.all_of.join(', ')}`, r.any_of && `any of ${r.any_of.join(', ')}`, r.none_of && `none of ${r.none_of.join(', ')}`].filter(Boolean);
  return `meta: ${parts.join('; ')}`;
}

export function ruleListing(rules: readonly RuleDefinition[], trainedScores: boolean): RuleListing[] {
  return rules.map((r) => ({
    name: r.name,
    score: r.score,
    ...(!trainedScores || r.score_trained === undefined || r.score_trained === r.score ? {} : { scoreTrained: r.score_trained }),
    description: r.description,
    test: testOf(r),
    origin: r.origin ?? r.name,
  }));
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n}`;

/** The text form: a line per rule (name, score, description), then what it tests and where it is. */
export function formatRuleListing(list: readonly RuleListing[]): string {
  const width = Math.max(0, ...list.map((r) => r.name.length)) + 2;
  return list
    .map((r) => {
      const score = `${signed(r.score)}${r.scoreTrained === undefined ? '' : ` (${signed(r.scoreTrained)} once Bayes scores)`}`;
      return `${r.name.padEnd(width)}${score}  ${r.description}\n${' '.repeat(width)}${r.test}\n${' '.repeat(width)}${r.origin}\n`;
    })
    .join('');
}
