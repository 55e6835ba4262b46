import type { CliCommand, CliContext } from '../context.js';
import { toMoatError } from '../../core/errors.js';
import { submitToDaemon } from '../../agents/local/client.js';
import { readAllLimited } from '../../agents/local/read-input.js';
import { PIPE_EXIT, decidePipe } from '../../agents/pipe/pipe-outcome.js';
import { daemonSocketPath, installTempfailGuard, parseOutOfProcessOptions } from './mda.js';

const HELP = `Usage: moat pipe [OPTIONS]

Reads one message on stdin, has the Moat daemon scan it and apply policy, and writes the
(possibly rewritten) message to stdout when it is accepted.

Exit codes:
  0   accepted: the message is on stdout
  75  deferred by policy, or any failure (daemon unreachable, timeout, crash): retry later
  77  rejected by policy: the reason ("5.7.1 ...") is on stderr, nothing on stdout
  99  discarded by policy: nothing on stdout

Options: -f/--sender, -r/--recipient (repeatable), --client-address, --helo, --queue-id,
--socket PATH, --timeout SECONDS (default 300) — as for moat mda.
`;

// Largest message read from stdin: the daemon's default [local] max_message_bytes.
const MAX_INPUT_BYTES = 100 * 1024 * 1024;

function writeAll(ctx: CliContext, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => ctx.stdout.write(data, (err) => (err ? reject(err) : resolve())));
}

async function runPipe(ctx: CliContext, argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseOutOfProcessOptions(argv, ctx.env);
  } catch (err) {
    ctx.stderr.write(`4.3.0 moat pipe: ${(err as Error).message} (see moat pipe --help)\n`);
    return PIPE_EXIT.deferred;
  }
  const message = await readAllLimited(ctx.stdin, MAX_INPUT_BYTES);
  const result = await submitToDaemon({
    socketPath: await daemonSocketPath(ctx, opts.socket),
    agent: 'pipe',
    envelope: { mailFrom: opts.sender ?? '', rcptTo: opts.recipients },
    client: { address: opts.clientAddress, helo: opts.helo, queueId: opts.queueId, protocol: 'pipe' },
    message,
    timeoutMs: opts.timeoutMs,
  });
  const decision = decidePipe(result.groups, message);
  if (decision.kind === 'output') {
    await writeAll(ctx, decision.message);
    return PIPE_EXIT.accepted;
  }
  ctx.stderr.write(`${decision.text}\n`);
  return decision.code;
}

export const pipeCommand: CliCommand = {
  name: 'pipe',
  summary: 'stdin → scan → stdout when accepted',
  help: HELP,
  async run(ctx, argv) {
    const remove = installTempfailGuard(ctx, PIPE_EXIT.deferred, 'moat pipe');
    try {
      return await runPipe(ctx, argv);
    } catch (err) {
      const e = toMoatError(err);
      ctx.stderr.write(`4.3.0 moat pipe: ${e.code}: ${e.message}\n`);
      return PIPE_EXIT.deferred;
    } finally {
      remove();
    }
  },
};
