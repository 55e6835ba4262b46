import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const cgpCommand: CliCommand = {
  name: 'cgp',
  summary: 'not built yet',
  help: 'Usage: moat cgp (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat cgp: not built yet\n');
    return 2;
  },
};
