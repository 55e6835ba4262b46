import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const quarantineCommand: CliCommand = {
  name: 'quarantine',
  summary: 'not built yet',
  help: 'Usage: moat quarantine (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat quarantine: not built yet\n');
    return 2;
  },
};
