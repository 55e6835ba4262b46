import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { CliCommand, CliContext } from '../context.js';
import { toMoatError } from '../../core/errors.js';
import { submitToDaemon } from '../../agents/local/client.js';
import { readAllLimited } from '../../agents/local/read-input.js';
import { EX_TEMPFAIL, decideMda, exitCodeOfChild } from '../../agents/mda/mda-outcome.js';

const HELP = `Usage: moat mda [OPTIONS] -- DELIVERY_PROGRAM [ARGS...]

Reads one message on stdin, has the Moat daemon scan it and apply policy, then pipes the
(possibly rewritten) message to DELIVERY_PROGRAM and exits with its status.

Exit codes: the delivery program's status when accepted; 0 when discarded by policy;
77 (EX_NOPERM, "5.7.1 ..." on stderr) when rejected; 75 (EX_TEMPFAIL) when deferred and on
ANY internal failure (daemon unreachable, timeout, bad usage, crash) so the MTA keeps the mail.

Options:
  -f, --sender ADDR        envelope sender (default: $SENDER)
  -r, --recipient ADDR     envelope recipient, repeatable (default: $RECIPIENT)
  --client-address IP      client address for policy and logs (default: $CLIENT_ADDRESS)
  --helo NAME              client HELO (default: $CLIENT_HELO)
  --queue-id ID            MTA queue id for logs (default: $QUEUE_ID)
  --socket PATH            daemon socket (default: [local] socket in state_dir)
  --timeout SECONDS        give up and exit 75 after this long (default 300, below
                           Postfix's 1000 s command_time_limit)
  --reject-exit N          exit code for rejected mail (default 77)
  --discard-exit N         exit code for discarded mail (default 0)
`;

// Largest message read from stdin: the daemon's default [local] max_message_bytes.
const MAX_INPUT_BYTES = 100 * 1024 * 1024;

export interface OutOfProcessOptions {
  sender?: string;
  recipients: string[];
  clientAddress?: string;
  helo?: string;
  queueId?: string;
  socket?: string;
  timeoutMs: number;
  extra: Map<string, string>;
  rest: string[];
}

/** Parses the options shared by mda/pipe (own options before `--`, program after). */
export function parseOutOfProcessOptions(argv: string[], env: NodeJS.ProcessEnv, extraNames: string[] = []): OutOfProcessOptions {
  const out: OutOfProcessOptions = { recipients: [], timeoutMs: 300_000, extra: new Map(), rest: [] };
  let i = 0;
  const value = (name: string) => {
    const v = argv[++i];
    if (v === undefined) throw new Error(`${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (a === '-f' || a === '--sender') out.sender = value(a);
    else if (a === '-r' || a === '--recipient') out.recipients.push(value(a));
    else if (a === '--client-address') out.clientAddress = value(a);
    else if (a === '--helo') out.helo = value(a);
    else if (a === '--queue-id') out.queueId = value(a);
    else if (a === '--socket') out.socket = value(a);
    else if (a === '--timeout') {
      const s = Number(value(a));
      if (!Number.isFinite(s) || s <= 0) throw new Error('--timeout needs a positive number of seconds');
      out.timeoutMs = s * 1000;
    } else if (extraNames.includes(a)) out.extra.set(a, value(a));
    else throw new Error(`unknown option ${a}`);
  }
  out.sender ??= env.SENDER ?? '';
  if (out.recipients.length === 0 && env.RECIPIENT) out.recipients.push(env.RECIPIENT);
  out.clientAddress ??= env.CLIENT_ADDRESS;
  out.helo ??= env.CLIENT_HELO;
  out.queueId ??= env.QUEUE_ID;
  return out;
}

/** Daemon socket: --socket, else [local] socket resolved against state_dir. */
export async function daemonSocketPath(ctx: CliContext, explicit: string | undefined): Promise<string> {
  if (explicit) return resolve(ctx.cwd, explicit);
  const { config } = await ctx.loadConfig();
  const stateDir = resolve(ctx.cwd, config.global.state_dir);
  return resolve(stateDir, config.local.socket);
}

/**
 * While a mail-handling command runs, an uncaught exception must exit with the temporary
 * code (Node's default 1 would bounce the mail under Postfix).
 */
export function installTempfailGuard(ctx: CliContext, code: number, label: string): () => void {
  const onError = (err: unknown) => {
    ctx.stderr.write(`4.3.0 ${label}: internal error: ${toMoatError(err).message}\n`);
    process.exit(code);
  };
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return () => {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  };
}

async function deliver(ctx: CliContext, program: string[], message: Buffer): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(program[0]!, program.slice(1), { stdio: ['pipe', 'inherit', 'inherit'], env: ctx.env });
    child.on('error', (err) => {
      ctx.stderr.write(`4.3.0 moat mda: cannot run ${program[0]}: ${err.message}\n`);
      resolvePromise(EX_TEMPFAIL);
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(message);
    child.on('close', (code, signal) => resolvePromise(exitCodeOfChild(code, signal)));
  });
}

async function runMda(ctx: CliContext, argv: string[]): Promise<number> {
  let opts: OutOfProcessOptions;
  try {
    opts = parseOutOfProcessOptions(argv, ctx.env, ['--reject-exit', '--discard-exit']);
  } catch (err) {
    ctx.stderr.write(`4.3.0 moat mda: ${(err as Error).message} (see moat mda --help)\n`);
    return EX_TEMPFAIL;
  }
  if (opts.rest.length === 0) {
    ctx.stderr.write('4.3.0 moat mda: no delivery program after "--" (see moat mda --help)\n');
    return EX_TEMPFAIL;
  }
  const codes = { reject: Number(opts.extra.get('--reject-exit') ?? 77), discard: Number(opts.extra.get('--discard-exit') ?? 0) };
  const message = await readAllLimited(ctx.stdin, MAX_INPUT_BYTES);
  const socketPath = await daemonSocketPath(ctx, opts.socket);
  const result = await submitToDaemon({
    socketPath,
    agent: 'mda',
    envelope: { mailFrom: opts.sender ?? '', rcptTo: opts.recipients },
    client: { address: opts.clientAddress, helo: opts.helo, queueId: opts.queueId, protocol: 'mda' },
    message,
    timeoutMs: opts.timeoutMs,
  });
  const decision = decideMda(result.groups, message, codes);
  if (decision.kind === 'deliver') return deliver(ctx, opts.rest, decision.message);
  if (decision.text) ctx.stderr.write(`${decision.text}\n`);
  return decision.code;
}

export const mdaCommand: CliCommand = {
  name: 'mda',
  summary: 'scan, then hand the message to the real delivery program',
  help: HELP,
  async run(ctx, argv) {
    const remove = installTempfailGuard(ctx, EX_TEMPFAIL, 'moat mda');
    try {
      return await runMda(ctx, argv);
    } catch (err) {
      const e = toMoatError(err);
      ctx.stderr.write(`4.3.0 moat mda: ${e.code}: ${e.message}\n`);
      return EX_TEMPFAIL;
    } finally {
      remove();
    }
  },
};
