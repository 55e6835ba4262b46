import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'not built yet',
  help: 'Usage: moat scan (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat scan: not built yet\n');
    return 2;
  },
};
