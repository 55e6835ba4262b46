import { createRequire } from 'node:module';
import type { CliCommand } from '../context.js';

export const versionCommand: CliCommand = {
  name: 'version',
  summary: 'print the version',
  help: 'Usage: moat version\n',
  async run(ctx) {
    const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };
    ctx.stdout.write(`moat ${pkg.version} (node ${process.versions.node})\n`);
    return 0;
  },
};
