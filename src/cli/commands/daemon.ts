import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const daemonCommand: CliCommand = {
  name: 'daemon',
  summary: 'not built yet',
  help: 'Usage: moat daemon (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat daemon: not built yet\n');
    return 2;
  },
};
