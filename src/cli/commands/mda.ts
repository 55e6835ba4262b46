import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const mdaCommand: CliCommand = {
  name: 'mda',
  summary: 'not built yet',
  help: 'Usage: moat mda (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat mda: not built yet\n');
    return 2;
  },
};
