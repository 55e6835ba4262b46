import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const classifyCommand: CliCommand = {
  name: 'classify',
  summary: 'not built yet',
  help: 'Usage: moat classify (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat classify: not built yet\n');
    return 2;
  },
};
