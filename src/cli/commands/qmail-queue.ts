import type { CliCommand } from '../context.js';

// PLACEHOLDER until its workstream lands; replaced by the real command.
export const qmailQueueCommand: CliCommand = {
  name: 'qmail-queue',
  summary: 'not built yet',
  help: 'Usage: moat qmail-queue (not built yet)\n',
  async run(ctx) {
    ctx.stderr.write('moat qmail-queue: not built yet\n');
    return 2;
  },
};
