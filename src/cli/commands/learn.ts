import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const learnCommand: CliCommand = {
  name: 'learn',
  summary: 'not built yet',
  help: 'Usage: moat learn (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat learn: not built yet\n');
    return 2;
  },
};
