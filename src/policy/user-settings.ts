import { MoatError } from '../core/errors.js';
import type { MoatConfig } from '../core/config/schema.js';
import { SPAM_THRESHOLD_KEYS, type PolicyOverride, type PolicySettings } from '../core/config/sections/policy.js';
import { bestMatch, matchesPattern } from './address-pattern.js';

/** Inheritance chains longer than this are configuration mistakes (and cycles are caught). */
const MAX_GROUP_DEPTH = 16;

export interface ResolvedSettings {
  settings: PolicySettings;
  /** Where the settings came from, most general first, for logs and `moat config`: `global`, `group:strict`, `recipient:@example.com`. */
  sources: string[];
  skipAv: boolean;
  skipAs: boolean;
  blacklisted: boolean;
}

function overrideKeys(o: PolicyOverride): Partial<PolicySettings> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'group' && k !== 'parent_id') out[k] = v;
  return out as Partial<PolicySettings>;
}

/** A group's settings with its ancestors' applied first (`parent_id`). */
function groupChain(config: MoatConfig, name: string, where: string): Array<{ label: string; values: Partial<PolicySettings> }> {
  const chain: Array<{ label: string; values: Partial<PolicySettings> }> = [];
  const seen = new Set<string>();
  let current: string | undefined = name;
  while (current !== undefined) {
    if (seen.has(current)) throw new MoatError('CONFIG_INVALID', `${where}: group "${current}" inherits from itself (parent_id cycle)`);
    if (seen.size >= MAX_GROUP_DEPTH) throw new MoatError('CONFIG_INVALID', `${where}: group chain longer than ${MAX_GROUP_DEPTH}`);
    seen.add(current);
    const group: PolicyOverride | undefined = config.groups[current];
    if (!group) throw new MoatError('CONFIG_INVALID', `${where}: unknown group "${current}" (define [groups.${current}])`);
    chain.unshift({ label: `group:${current}`, values: overrideKeys(group) });
    current = group.parent_id;
  }
  return chain;
}

function entryLayers(config: MoatConfig, table: 'users' | 'senders', pattern: string): Array<{ label: string; values: Partial<PolicySettings> }> {
  const entry = config[table][pattern]!;
  const label = `${table === 'users' ? 'recipient' : 'sender'}:${pattern}`;
  const layers = entry.group ? groupChain(config, entry.group, `[${table}."${pattern}"]`) : [];
  layers.push({ label, values: overrideKeys(entry) });
  return layers;
}

/**
 * The settings for one recipient of one message: global `[policy]`, then the most specific
 * `[senders."…"]` entry matching the sender (with its group chain), then the most specific
 * `[users."…"]` entry matching the recipient (with its group chain) — the recipient's own choice
 * wins over the sender's. Lists: a blacklisted sender is rejected; white-lists match sender or recipient.
 */
export function resolveSettings(config: MoatConfig, sender: string, recipient: string): ResolvedSettings {
  const layers: Array<{ label: string; values: Partial<PolicySettings> }> = [{ label: 'global', values: config.policy }];
  const senderPattern = sender ? bestMatch(sender, Object.keys(config.senders)) : undefined;
  if (senderPattern !== undefined) layers.push(...entryLayers(config, 'senders', senderPattern));
  const rcptPattern = bestMatch(recipient, Object.keys(config.users));
  if (rcptPattern !== undefined) layers.push(...entryLayers(config, 'users', rcptPattern));
  const settings = Object.assign({}, ...layers.map((l) => l.values)) as PolicySettings;
  const listed = (list: string[], addrs: string[]) => list.some((p) => addrs.some((a) => a && matchesPattern(a, p)));
  return {
    settings,
    sources: layers.map((l) => l.label),
    skipAv: listed(config.lists.whitelist_av, [sender, recipient]),
    skipAs: listed(config.lists.whitelist_as, [sender, recipient]),
    blacklisted: listed(config.lists.blacklist, [sender]),
  };
}

/**
 * A message held or refused for a recipient must be spam for it: the `required_score` an entry
 * resolves to (its group chain, then itself, over `[antispam]`) may not be above its
 * `quarantine_score` or `reject_score`. (A `rewrite_subject_score` below it is harmless: only spam
 * gets the subject tag.)
 */
function checkThresholdOrder(config: MoatConfig, where: string, layers: Array<{ label: string; values: Partial<PolicySettings> }>): void {
  const value: Record<string, { v: number; from: string }> = {};
  for (const k of SPAM_THRESHOLD_KEYS) value[k] = { v: config.antispam[k], from: '[antispam]' };
  for (const l of layers) for (const k of SPAM_THRESHOLD_KEYS) if (l.values[k] !== undefined) value[k] = { v: l.values[k]!, from: l.label };
  const required = value.required_score!;
  for (const k of ['quarantine_score', 'reject_score'] as const) {
    if (required.v > value[k]!.v) {
      throw new MoatError('CONFIG_INVALID', `${where}: required_score ${required.v} (from ${required.from}) is above ${k} ${value[k]!.v} (from ${value[k]!.from}): a message held or refused would not count as spam; set ${k} too, at or above required_score`);
    }
  }
}

/**
 * Checks every group reference and chain, and the spam thresholds each entry resolves to, once at
 * start, so a typo fails `moat config check` and the daemon's start, not a message.
 */
export function validateUserConfig(config: MoatConfig): void {
  checkThresholdOrder(config, '[antispam]', []);
  for (const table of ['users', 'senders', 'groups'] as const) {
    for (const [pattern, entry] of Object.entries(config[table])) {
      const where = table === 'groups' ? `[groups.${pattern}]` : `[${table}."${pattern}"]`;
      if (entry.group) groupChain(config, entry.group, where);
      if (table === 'groups' && entry.parent_id) groupChain(config, pattern, where);
      const layers = table === 'groups' ? groupChain(config, pattern, where) : entryLayers(config, table, pattern);
      checkThresholdOrder(config, where, layers);
    }
  }
}
