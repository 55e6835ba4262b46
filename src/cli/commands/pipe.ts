import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const pipeCommand: CliCommand = {
  name: 'pipe',
  summary: 'not built yet',
  help: 'Usage: moat pipe (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat pipe: not built yet\n');
    return 2;
  },
};
