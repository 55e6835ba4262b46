import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRuleFile, RuleSet, type RuleDefinition } from './rules/rule-set.js';

/** The shipped rule set, beside the sources. */
export const SHIPPED_RULES = new URL('../../config/antispam/rules/', import.meta.url).pathname;

/** Loads rule files (TOML) from files or directories, shipped rules first; later names override earlier ones. */
export async function loadRules(paths: readonly string[]): Promise<RuleSet> {
  const defs: RuleDefinition[] = [];
  for (const path of [SHIPPED_RULES, ...paths]) {
    const st = await stat(path);
    const files = st.isDirectory() ? (await readdir(path)).filter((f) => f.endsWith('.toml')).sort().map((f) => join(path, f)) : [path];
    for (const f of files) defs.push(...parseRuleFile(f, await readFile(f, 'utf8')));
  }
  return new RuleSet(defs);
}
