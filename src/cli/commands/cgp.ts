import { resolve } from 'node:path';
import type { CliCommand, CliContext } from '../context.js';
import { toMoatError } from '../../core/errors.js';
import { submitToDaemon } from '../../agents/local/client.js';
import { runCgpSession } from '../../agents/cgp/cgp-session.js';
import { daemonSocketPath, installTempfailGuard } from './mda.js';

const HELP = `Usage: moat cgp [OPTIONS]

CommuniGate Pro external filter (Settings → General → Helpers, Program Path
"/usr/bin/moat cgp --base-dir /var/CommuniGate"). Reads INTF/FILE/QUIT requests on stdin,
answers on stdout (OK, ADDHEADER … OK, DISCARD, ERROR "…", REJECTED "…"), several requests
at once and out of order.

Options:
  --base-dir DIR        CGP base directory; FILE paths are relative to it (default /var/CommuniGate)
  --submitted-dir DIR   where cleaned copies are resubmitted (default <base-dir>/Submitted;
                        "none" = defer cleaned mail instead)
  --concurrency N       messages scanned at once (default 8; match CGP's enqueuer processors)
  --fail-open           answer FAILURE (CGP delivers unfiltered) instead of REJECTED on errors
  --socket PATH         daemon socket (default: [local] socket in state_dir)
  --timeout SECONDS     per-message deadline, below the helper Time-out in CGP (default 300)
`;

async function runCgp(ctx: CliContext, argv: string[]): Promise<number> {
  let baseDir = '/var/CommuniGate';
  let submitted: string | undefined;
  let concurrency = 8;
  let failOpen = false;
  let socket: string | undefined;
  let timeoutMs = 300_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--base-dir') baseDir = resolve(ctx.cwd, argv[++i] ?? baseDir);
    else if (a === '--submitted-dir') submitted = argv[++i];
    else if (a === '--concurrency') concurrency = Math.max(1, Number(argv[++i]) || concurrency);
    else if (a === '--fail-open') failOpen = true;
    else if (a === '--socket') socket = argv[++i];
    else if (a === '--timeout') timeoutMs = Number(argv[++i]) * 1000 || timeoutMs;
    else {
      ctx.stderr.write(`moat cgp: unknown option ${a}\n`);
      return 2;
    }
  }
  const submittedDir = submitted === 'none' ? undefined : resolve(ctx.cwd, submitted ?? resolve(baseDir, 'Submitted'));
  const socketPath = await daemonSocketPath(ctx, socket);
  const logger = ctx.createLogger();
  await runCgpSession({
    input: ctx.stdin,
    output: ctx.stdout,
    logger,
    baseDir,
    submittedDir,
    maxConcurrency: concurrency,
    failOpen,
    interfaceVersion: 3,
    process: async (envelope, client, message) => (await submitToDaemon({ socketPath, agent: 'cgp', envelope, client, message, timeoutMs })).groups,
  });
  return 0;
}

export const cgpCommand: CliCommand = {
  name: 'cgp',
  summary: 'CommuniGate Pro external filter helper',
  help: HELP,
  async run(ctx, argv) {
    const remove = installTempfailGuard(ctx, 0, 'moat cgp');
    try {
      return await runCgp(ctx, argv);
    } catch (err) {
      const e = toMoatError(err);
      ctx.stderr.write(`moat cgp: ${e.code}: ${e.message}\n`);
      return 2;
    } finally {
      remove();
    }
  },
};
