import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { MoatError } from '../../core/errors.js';
import type { MessageView } from '../message-view.js';
import type { SpamSymbol } from '../types.js';
import { BUILTIN_CHECKS } from './builtin-checks.js';
import { LiteralAutomaton } from './literal-automaton.js';
import { ObfuscatedWords } from './obfuscated-words.js';
import { compileLinearRegex, type LinearRegex } from './linear-regex/linear-regex.js';
import { looksPastedWithSlashes } from './linear-regex/rule-dialect.js';

const FIELD = z.string().regex(/^(subject|body|html|uri|headers|header:[A-Za-z0-9-]+)$/, 'subject, body, html, uri, headers or header:<Name>');

const RuleSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Z0-9_]+$/, 'upper-case letters, digits and _'),
    score: z.number(),
    /**
     * Score once Bayes is trained (`bayes.min_learned` reached), like SpamAssassin's score sets:
     * a weak sign the trained classifiers already read from the same text can weigh less (or 0:
     * then it is a building block) when they answer. Default: `score`.
     */
    score_trained: z.number().optional(),
    description: z.string(),
    field: FIELD.optional(),
    /** Matches when any of these appears (case-insensitive). */
    literals: z.array(z.string().min(1)).optional(),
    /** With literals: match only whole words ("cialis" not inside "specialist"). */
    whole_words: z.boolean().optional(),
    /**
     * A regular expression (JavaScript syntax, case-insensitive, run in linear time: no
     * backreferences or lookaround); checked only when `prefilter` appears in the field.
     */
    regex: z.string().optional(),
    prefilter: z.string().optional(),
    /**
     * Matches when one of these words is written hidden in the field: look-alike characters
     * ("v1agra", Cyrillic letters) or letters spread out ("v-i-a-g-r-a"); not the plain word
     * (obfuscated-words.ts). Letters a-z only, at least 4.
     */
    obfuscated_words: z.array(z.string().regex(/^[a-z]{4,}$/, 'lower-case letters a-z, at least 4')).min(1).optional(),
    /** A built-in structural check (src/antispam/rules/builtin-checks.ts). */
    check: z.string().optional(),
    /** Meta rule: matches when all of these rules matched. */
    all_of: z.array(z.string()).optional(),
    /** Meta rule: matches when any of these rules matched. */
    any_of: z.array(z.string()).optional(),
    /** Meta rule: and none of these rules matched (alone: matches when none of them matched). */
    none_of: z.array(z.string()).optional(),
  })
  .refine((r) => [r.literals, r.regex, r.obfuscated_words, r.check, r.all_of ?? r.any_of ?? r.none_of].filter((x) => x !== undefined).length === 1, 'exactly one of literals, regex, obfuscated_words, check, all_of/any_of/none_of')
  .refine((r) => (r.literals === undefined && r.regex === undefined && r.obfuscated_words === undefined) || r.field !== undefined, 'literals, regex and obfuscated_words need a field')
  .refine((r) => r.whole_words === undefined || r.literals !== undefined, 'whole_words applies to literals')
  .refine((r) => r.prefilter === undefined || r.regex !== undefined, 'prefilter applies to regex rules (a literals rule is already one pass)');

/**
 * The symbol (score 0) naming the regex rules whose search gave up at its step budget on this
 * message (counted as not matched): the message was only partly checked, and the rule's pattern
 * is one to simplify.
 */
export const REGEX_LIMIT_SYMBOL = 'RULE_REGEX_LIMIT';

const FileSchema = z.strictObject({ rule: z.array(RuleSchema).default([]) });
/**
 * A rule as read, with where it was defined ("file: [[rule]] #3 (NAME)") for messages, and its
 * regex compiled when the file was checked (so RuleSet does not compile it again).
 */
export type RuleDefinition = z.infer<typeof RuleSchema> & { origin?: string; compiledRegex?: LinearRegex };

/**
 * Rule regexes are case-insensitive and multiline (^ and $ also at line ends, as SpamAssassin
 * rules written with /m expect in header and body text).
 */
const RULE_REGEX = { ignoreCase: true, multiline: true } as const;

/** Text looked at per field (rules on megabytes of text find nothing more). */
const MAX_FIELD_CHARS = 256 * 1024;

export function parseRuleFile(file: string, text: string): RuleDefinition[] {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    throw new MoatError('CONFIG_PARSE', `${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const r = FileSchema.safeParse(raw);
  if (!r.success) {
    const describe = (path: PropertyKey[]) => {
      const index = typeof path[1] === 'number' ? path[1] : -1;
      const name = index >= 0 ? ((raw as { rule?: Array<{ name?: unknown }> }).rule?.[index]?.name ?? '?') : '?';
      return `[[rule]] #${index + 1} (${String(name)})${path.length > 2 ? ` key "${path.slice(2).join('.')}"` : ''}`;
    };
    throw new MoatError('CONFIG_INVALID', r.error.issues.map((i) => `${file}: ${describe(i.path)}: ${i.message}`).join('\n'));
  }
  // Every regex of the file at once, each named like the schema's messages.
  const problems: string[] = [];
  const rules = r.data.rule.map((rule, i): RuleDefinition => {
    const origin = `${file}: [[rule]] #${i + 1} (${rule.name})`;
    if (rule.regex === undefined) return { ...rule, origin };
    const compiled = compileLinearRegex(rule.regex, RULE_REGEX);
    if (compiled.ok) return { ...rule, origin, compiledRegex: compiled.regex };
    problems.push(`${origin} key "regex": ${compiled.error}`);
    return { ...rule, origin };
  });
  if (problems.length) throw new MoatError('CONFIG_INVALID', problems.join('\n'));
  return rules;
}

function fieldText(v: MessageView, field: string): string {
  if (field === 'subject') return v.subject;
  if (field === 'body') return v.text.slice(0, MAX_FIELD_CHARS);
  if (field === 'html') return v.html.slice(0, MAX_FIELD_CHARS);
  if (field === 'uri') return v.urls.join('\n');
  if (field === 'headers') return v.fields.map((f) => `${f.name}: ${f.value}`).join('\n');
  return v.headers(field.slice('header:'.length)).join('\n');
}

/**
 * A compiled rule set: literal rules share one automaton per field; later definitions override
 * earlier ones by name. Meta rules are evaluated after the rules they name, wherever those are
 * defined. `warnings` lists rules that load but cannot work as written.
 */
export class RuleSet {
  private readonly rules: RuleDefinition[];
  private readonly automata = new Map<string, { automaton: LiteralAutomaton; owners: number[] }>();
  private readonly regexes = new Map<string, LinearRegex>();
  private readonly hiddenWords = new Map<string, ObfuscatedWords>();
  /** Meta rules, each after the meta rules it names. */
  private readonly metaOrder: RuleDefinition[];
  readonly warnings: string[] = [];

  constructor(definitions: readonly RuleDefinition[]) {
    const byName = new Map<string, RuleDefinition>();
    for (const d of definitions) byName.set(d.name, d);
    this.rules = [...byName.values()];
    const where = (rule: RuleDefinition) => rule.origin ?? `rule ${rule.name}`;
    const problems: string[] = [];
    const literalsByField = new Map<string, { literals: string[]; wholeWord: boolean[]; owners: number[] }>();
    this.rules.forEach((rule, index) => {
      if (rule.check && !BUILTIN_CHECKS[rule.check]) problems.push(`${where(rule)}: unknown check "${rule.check}" (known: ${Object.keys(BUILTIN_CHECKS).join(', ')})`);
      for (const ref of [...(rule.all_of ?? []), ...(rule.any_of ?? []), ...(rule.none_of ?? [])]) if (!byName.has(ref)) problems.push(`${where(rule)}: meta rule refers to unknown rule ${ref}`);
      if (rule.regex !== undefined) {
        // Rules run on the daemon's event loop, so a regex must not be able to stall it: rule
        // regexes run on Moat's lazy DFA (linear-regex/), never on a backtracking engine.
        const compiled = rule.compiledRegex ? { ok: true as const, regex: rule.compiledRegex } : compileLinearRegex(rule.regex, RULE_REGEX);
        if (!compiled.ok) problems.push(`${where(rule)}: regex ${JSON.stringify(rule.regex)}: ${compiled.error}`);
        else {
          this.regexes.set(rule.name, compiled.regex);
          this.warnings.push(...regexWarnings(where(rule), compiled.regex, rule.prefilter));
        }
      }
      if (rule.obfuscated_words) this.hiddenWords.set(rule.name, new ObfuscatedWords(rule.obfuscated_words));
      const lits = rule.literals ?? (rule.regex !== undefined && rule.prefilter ? [rule.prefilter] : []);
      if (lits.length && rule.field) {
        const entry = literalsByField.get(rule.field) ?? { literals: [], wholeWord: [], owners: [] };
        for (const l of lits) {
          entry.literals.push(l);
          entry.wholeWord.push(rule.whole_words === true && rule.literals !== undefined);
          entry.owners.push(index);
        }
        literalsByField.set(rule.field, entry);
      }
    });
    const { order, cycles } = metaRulesInOrder(this.rules, byName);
    problems.push(...cycles);
    if (problems.length) throw new MoatError('CONFIG_INVALID', problems.join('\n'));
    this.metaOrder = order;
    for (const [field, e] of literalsByField) this.automata.set(field, { automaton: new LiteralAutomaton(e.literals, e.wholeWord), owners: e.owners });
  }

  /** The rules in effect (a later definition of a name replaced the earlier), in load order. */
  get definitions(): readonly RuleDefinition[] {
    return this.rules;
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The rules that match, each with its score (`score_trained` when `trained`); callers drop
   * score-0 building blocks, but keep REGEX_LIMIT_SYMBOL, which explains.
   */
  evaluate(view: MessageView, options: { trained?: boolean } = {}): SpamSymbol[] {
    const texts = new Map<string, string>();
    const text = (f: string) => {
      let t = texts.get(f);
      if (t === undefined) texts.set(f, (t = fieldText(view, f)));
      return t;
    };
    const literalHit = new Set<number>();
    for (const [field, { automaton, owners }] of this.automata) for (const id of automaton.find(text(field))) literalHit.add(owners[id]!);
    const matched = new Set<string>();
    const gaveUp: string[] = [];
    this.rules.forEach((rule, index) => {
      if (rule.literals && literalHit.has(index)) matched.add(rule.name);
      else if (rule.regex !== undefined && rule.field && (!rule.prefilter || literalHit.has(index))) {
        const found = this.regexes.get(rule.name)!.search(text(rule.field));
        if (found === true) matched.add(rule.name);
        else if (found === undefined) gaveUp.push(rule.name);
      } else if (rule.obfuscated_words && rule.field) {
        if (this.hiddenWords.get(rule.name)!.find(text(rule.field)) !== undefined) matched.add(rule.name);
      } else if (rule.check && BUILTIN_CHECKS[rule.check]!(view)) matched.add(rule.name);
    });
    for (const rule of this.metaOrder) {
      const all = !rule.all_of || rule.all_of.every((r) => matched.has(r));
      const any = !rule.any_of || rule.any_of.some((r) => matched.has(r));
      const none = !rule.none_of || !rule.none_of.some((r) => matched.has(r));
      if (all && any && none) matched.add(rule.name);
    }
    const scoreOf = (r: RuleDefinition) => (options.trained === true ? (r.score_trained ?? r.score) : r.score);
    const symbols: SpamSymbol[] = this.rules.filter((r) => matched.has(r.name)).map((r) => ({ name: r.name, score: scoreOf(r), description: r.description }));
    if (gaveUp.length) symbols.push({ name: REGEX_LIMIT_SYMBOL, score: 0, description: 'Regex rules that gave up on this message at their work limit (counted as not matched): simplify their patterns', options: gaveUp });
    return symbols;
  }
}

const isMeta = (r: RuleDefinition) => r.all_of !== undefined || r.any_of !== undefined || r.none_of !== undefined;

/** The meta rules a meta rule names. */
function metaRefs(rule: RuleDefinition, byName: ReadonlyMap<string, RuleDefinition>): RuleDefinition[] {
  return [...(rule.all_of ?? []), ...(rule.any_of ?? []), ...(rule.none_of ?? [])].map((ref) => byName.get(ref)).filter((dep): dep is RuleDefinition => dep !== undefined && isMeta(dep));
}

/** A shortest path of references from `start` back to itself within `group` (a strongly connected group holds one). */
function cycleThrough(start: RuleDefinition, group: ReadonlySet<RuleDefinition>, byName: ReadonlyMap<string, RuleDefinition>): string[] {
  const cameFrom = new Map<RuleDefinition, RuleDefinition>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const dep of metaRefs(queue[i]!, byName)) {
      if (!group.has(dep)) continue;
      if (dep === start) {
        const path = [start.name];
        for (let at: RuleDefinition | undefined = queue[i]; at && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at.name);
        return [...path, start.name];
      }
      if (!cameFrom.has(dep)) {
        cameFrom.set(dep, queue[i]!);
        queue.push(dep);
      }
    }
  }
  return [start.name, start.name];
}

/**
 * Meta rules ordered so each comes after the meta rules it names. Rules that name each other in a
 * cycle cannot be ordered: each group of them (a strongly connected component, Tarjan's
 * algorithm) is described once, with one cycle through it and the group's other members, so a
 * file with several cycles is fixed in one pass.
 */
function metaRulesInOrder(rules: readonly RuleDefinition[], byName: ReadonlyMap<string, RuleDefinition>): { order: RuleDefinition[]; cycles: string[] } {
  const order: RuleDefinition[] = [];
  const cycles: string[] = [];
  const index = new Map<RuleDefinition, number>();
  const low = new Map<RuleDefinition, number>();
  const stack: RuleDefinition[] = [];
  const onStack = new Set<RuleDefinition>();
  /** A finished root: its component leaves the stack, in order when it is a lone rule, described when a cycle. */
  const emit = (rule: RuleDefinition) => {
    const group = new Set<RuleDefinition>();
    for (let member = stack.pop()!; ; member = stack.pop()!) {
      onStack.delete(member);
      group.add(member);
      if (member === rule) break;
    }
    // Components come out dependencies first: a lone rule that does not name itself is in order.
    if (group.size === 1 && !metaRefs(rule, byName).includes(rule)) {
      order.push(rule);
      return;
    }
    const first = rules.find((r) => group.has(r))!;
    const cycle = cycleThrough(first, group, byName);
    const others = [...group].filter((r) => !cycle.includes(r.name)).map((r) => r.name);
    cycles.push(`meta rules name each other in a cycle: ${cycle.join(' → ')}${others.length ? ` (and, through it, ${others.join(', ')})` : ''} (${first.origin ?? first.name})`);
  };
  // Tarjan's walk with an explicit stack of [rule, the rules it names, how many were followed],
  // so a chain of thousands of meta rules does not exhaust the call stack.
  const visit = (root: RuleDefinition): void => {
    const enter = (rule: RuleDefinition): [RuleDefinition, RuleDefinition[], number] => {
      index.set(rule, index.size);
      low.set(rule, index.get(rule)!);
      stack.push(rule);
      onStack.add(rule);
      return [rule, metaRefs(rule, byName), 0];
    };
    const walk = [enter(root)];
    while (walk.length) {
      const frame = walk[walk.length - 1]!;
      const [rule, refs, next] = frame;
      if (next < refs.length) {
        frame[2]++;
        const dep = refs[next]!;
        if (!index.has(dep)) walk.push(enter(dep));
        else if (onStack.has(dep)) low.set(rule, Math.min(low.get(rule)!, index.get(dep)!));
        continue;
      }
      walk.pop();
      const parent = walk[walk.length - 1];
      if (parent) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(rule)!));
      if (low.get(rule) === index.get(rule)) emit(rule);
    }
  };
  for (const rule of rules.filter(isMeta)) if (!index.has(rule)) visit(rule);
  return { order, cycles };
}

/** Rules that load but cannot work as written: a prefilter the regex does not need, a regex that matches anything. */
function regexWarnings(where: string, regex: LinearRegex, prefilter: string | undefined): string[] {
  const warnings: string[] = [];
  if (looksPastedWithSlashes(regex.source)) warnings.push(`${where}: the regex looks pasted with SpamAssassin's slashes (${regex.source}): the slashes${/\/[gimsuyx]+$/.test(regex.source) ? ' and flags' : ''} are matched as characters; write only what is between them (rule regexes are always case-insensitive, and ^ and $ match at line ends)`);
  const empty = regex.emptyMatchIn();
  if (empty !== undefined) warnings.push(`${where}: the regex can match no text at all, only a position (as in ${JSON.stringify(empty)}), so the rule matches nearly every message${prefilter ? ` holding its prefilter "${prefilter}"` : ''}`);
  const without = prefilter === undefined || empty !== undefined ? undefined : regex.textWithout(prefilter);
  if (without === false) warnings.push(`${where}: the regex is too large to check that every match holds its prefilter "${prefilter}": make sure it does, or the rule misses what the regex matches without it`);
  else if (without !== undefined) warnings.push(`${where}: the regex matches ${JSON.stringify(without)}, which does not hold its prefilter "${prefilter}", so the rule misses such text: make the prefilter a part every match contains, or drop it`);
  return warnings;
}
