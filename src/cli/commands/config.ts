import type { CliCommand } from '../context.js';
import { renderEffectiveConfig } from '../../core/config/render.js';
import { validateUserConfig } from '../../policy/user-settings.js';
import { loadRules } from '../../antispam/load-rules.js';

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'check or show the configuration',
  help: `Usage: moat config check|show [--config FILE]

  check   validate the configuration (main file and conf.d/*.toml) as the daemon does at start:
          keys and values, group references and parent_id chains, spam thresholds in order,
          anti-spam rule files ([antispam] rules);
          exit 0 when valid, 2 with a line naming the file or entry, the key, the value and
          what was expected
  show    print the effective configuration as TOML; values not set by a file are marked "# default"
`,
  async run(ctx, argv) {
    const sub = argv[0];
    if (sub !== 'check' && sub !== 'show') {
      ctx.stderr.write(this.help);
      return 2;
    }
    const loaded = await ctx.loadConfig();
    if (sub === 'check') {
      // What the daemon refuses at start: unknown groups, parent_id cycles, spam thresholds out of
      // order, and anti-spam rule files that are missing or do not parse.
      validateUserConfig(loaded.config);
      if (loaded.config.antispam.enabled) await loadRules(loaded.config.antispam.rules);
      ctx.stdout.write(`configuration OK (${loaded.files.length ? loaded.files.join(', ') : 'embedded defaults'})\n`);
    } else {
      ctx.stdout.write(renderEffectiveConfig(loaded));
    }
    return 0;
  },
};
