import type { CliCommand } from '../context.js';
import { renderEffectiveConfig } from '../../core/config/render.js';
import { validateUserConfig } from '../../policy/user-settings.js';
import { loadRules } from '../../antispam/load-rules.js';
import { formatRuleListing, ruleListing } from './rule-listing.js';

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'check or show the configuration',
  help: `Usage: moat config check|show|rules [--json] [--config FILE]

  check   validate the configuration (main file and conf.d/*.toml) as the daemon does at start:
          keys and values, group references and parent_id chains, spam thresholds in order,
          anti-spam rule files ([antispam] rules: every problem of a file at once, each
          naming the file, the rule and what to change; a bad rule keeps the daemon from
          starting, and a reload with one keeps the running configuration);
          exit 0 when valid, 2 with a line naming the file or entry, the key, the value and
          what was expected. Rules that load but cannot work as written (a prefilter the
          regex does not need, a regex that matches every message) are warned about on
          standard error, with exit 0
  show    print the effective configuration as TOML; values not set by a file are marked "# default"
  rules   list the anti-spam rules in effect ([antispam] rules after the shipped ones; a later
          rule of the same name replaces the earlier): each rule's name (its symbol in
          X-Spam-Status), score (and, with [antispam] trained_rule_scores, its score once
          Bayes scores, when different), description, what it tests, and the file and
          position that define it, so you know what to copy to override it. With --json: one
          array of {name, score, scoreTrained?, description, test, origin}
`,
  async run(ctx, argv) {
    const sub = argv[0];
    const json = argv.slice(1).includes('--json');
    const unknown = argv.slice(1).filter((a) => a !== '--json');
    if ((sub !== 'check' && sub !== 'show' && sub !== 'rules') || unknown.length || (json && sub !== 'rules')) {
      ctx.stderr.write(this.help);
      return 2;
    }
    const loaded = await ctx.loadConfig();
    if (sub === 'rules') {
      const rules = await loadRules(loaded.config.antispam.rules);
      const list = ruleListing(rules.definitions, loaded.config.antispam.trained_rule_scores);
      ctx.stdout.write(json ? `${JSON.stringify(list)}\n` : formatRuleListing(list));
      if (!loaded.config.antispam.enabled) ctx.stderr.write('note: anti-spam is off ([antispam] enabled = false): these rules are not run\n');
      return 0;
    }
    if (sub === 'check') {
      // What the daemon refuses at start: unknown groups, parent_id cycles, spam thresholds out of
      // order, and anti-spam rule files that are missing or do not parse.
      validateUserConfig(loaded.config);
      const rules = loaded.config.antispam.enabled ? await loadRules(loaded.config.antispam.rules) : undefined;
      for (const warning of rules?.warnings ?? []) ctx.stderr.write(`warning: ${warning}\n`);
      ctx.stdout.write(`configuration OK (${loaded.files.length ? loaded.files.join(', ') : 'embedded defaults'})${rules ? `; ${rules.size} anti-spam rules${rules.warnings.length ? `, ${rules.warnings.length} with warnings above` : ''}` : ''}\n`);
    } else {
      ctx.stdout.write(renderEffectiveConfig(loaded));
    }
    return 0;
  },
};
