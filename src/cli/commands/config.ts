import type { CliCommand } from '../context.js';
import { renderEffectiveConfig } from '../../core/config/render.js';

export const configCommand: CliCommand = {
  name: 'config',
  summary: 'check or show the configuration',
  help: `Usage: moat config check|show [--config FILE]

  check   validate the configuration (main file and conf.d/*.toml); exit 0 when valid,
          2 with one line per problem naming the file, the key, the value and what was expected
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
      ctx.stdout.write(`configuration OK (${loaded.files.length ? loaded.files.join(', ') : 'embedded defaults'})\n`);
    } else {
      ctx.stdout.write(renderEffectiveConfig(loaded));
    }
    return 0;
  },
};
