import { spawn, type StdioOptions } from 'node:child_process';
import { fstatSync, writeSync } from 'node:fs';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliCommand, CliContext } from '../context.js';
import { isMoatError, toMoatError } from '../../core/errors.js';
import { submitToDaemon } from '../../agents/local/client.js';
import { readAllLimited, readFdLimited } from '../../agents/local/read-input.js';
import { parseQmailEnvelope, encodeQmailEnvelope } from '../../agents/qmail/qmail-envelope.js';
import { QMAIL_EXIT, decideQmail, qmailExitOfChild } from '../../agents/qmail/qmail-outcome.js';
import { daemonSocketPath, installTempfailGuard } from './mda.js';

const HELP = `Usage: moat qmail-queue [OPTIONS]

Drop-in for qmail-queue, run through QMAILQUEUE: reads the message on fd 0 and the
envelope (F<sender>\\0 T<rcpt>\\0 ... \\0) on fd 1, has the Moat daemon scan it, then hands
message and envelope to the real qmail-queue and exits with its status.

Exit codes: the real qmail-queue's status when accepted; 0 when discarded; 31 rejected
(permanent); 71 deferred or any failure (temporary); 91 malformed envelope; 54 unreadable
input. With --custom-error, rejections and deferrals exit 82 and write D<text> / Z<text> on
fd 6 (notqmail/netqmail custom error patch: qmail-smtpd relays the text).

Options:
  --qmail-queue PATH   the real qmail-queue (default /var/qmail/bin/qmail-queue.orig
                       when QMAILQUEUE points here, see docs/qmail.md)
  --custom-error       use exit 82 + fd 6 text for rejections and deferrals
  --socket PATH        daemon socket (default: [local] socket in state_dir)
  --timeout SECONDS    give up with a temporary failure after this long (default 300)
`;

// qmail-smtpd's databytes is unlimited by default; the daemon's [local] max_message_bytes bounds it.
const MAX_INPUT_BYTES = 100 * 1024 * 1024;
// An envelope is addresses only; 1 MiB is thousands of recipients.
const MAX_ENVELOPE_BYTES = 1024 * 1024;

function fdOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** Runs the real qmail-queue with message and envelope from unlinked temp files on fds 0 and 1. */
async function queue(real: string, message: Buffer, envelope: Buffer, env: NodeJS.ProcessEnv): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-qq-'));
  const msgPath = join(dir, 'message');
  const envPath = join(dir, 'envelope');
  const msg = await open(msgPath, 'w+', 0o600);
  const envFile = await open(envPath, 'w+', 0o600);
  try {
    await msg.write(message, 0, message.length, 0);
    await envFile.write(envelope, 0, envelope.length, 0);
    await rm(dir, { recursive: true, force: true });
    const stdio: StdioOptions = [msg.fd, envFile.fd, 'inherit'];
    // Pass fd 6 through so the real qmail-queue's own custom error (exit 82) still reaches qmail-smtpd.
    if (fdOpen(6)) stdio.push('ignore', 'ignore', 'ignore', 6);
    const childEnv = { ...env };
    delete childEnv.QMAILQUEUE;
    return await new Promise<number>((resolve) => {
      const child = spawn(real, [], { stdio, env: childEnv });
      child.on('error', () => resolve(QMAIL_EXIT.temporary));
      child.on('close', (code, signal) => resolve(qmailExitOfChild(code, signal)));
    });
  } finally {
    await msg.close();
    await envFile.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function runQmailQueue(ctx: CliContext, argv: string[]): Promise<number> {
  let real = '/var/qmail/bin/qmail-queue.orig';
  let customErrors = false;
  let socket: string | undefined;
  let timeoutMs = 300_000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--qmail-queue') real = argv[++i] ?? real;
    else if (a === '--custom-error') customErrors = true;
    else if (a === '--socket') socket = argv[++i];
    else if (a === '--timeout') timeoutMs = Number(argv[++i]) * 1000 || timeoutMs;
    else {
      ctx.stderr.write(`moat qmail-queue: unknown option ${a}\n`);
      return QMAIL_EXIT.temporary;
    }
  }
  let message: Buffer;
  let envelopeBytes: Buffer;
  try {
    message = await readAllLimited(ctx.stdin, MAX_INPUT_BYTES);
    envelopeBytes = await readFdLimited(1, MAX_ENVELOPE_BYTES);
  } catch (err) {
    ctx.stderr.write(`moat qmail-queue: cannot read message or envelope: ${toMoatError(err).message}\n`);
    return QMAIL_EXIT.readError;
  }
  let envelope;
  try {
    envelope = parseQmailEnvelope(envelopeBytes);
  } catch (err) {
    ctx.stderr.write(`moat qmail-queue: ${toMoatError(err).message}\n`);
    return QMAIL_EXIT.envelopeFormat;
  }
  const result = await submitToDaemon({
    socketPath: await daemonSocketPath(ctx, socket),
    agent: 'qmail',
    envelope: { mailFrom: envelope.sender, rcptTo: envelope.recipients },
    client: { address: ctx.env.TCPREMOTEIP, hostname: ctx.env.TCPREMOTEHOST, protocol: 'qmail' },
    message,
    timeoutMs,
  });
  const decision = decideQmail(result.groups, message, customErrors);
  if (decision.kind === 'queue') return queue(real, decision.message, encodeQmailEnvelope(decision.recipients ? { ...envelope, recipients: decision.recipients } : envelope), ctx.env);
  if (decision.customError && fdOpen(6)) writeSync(6, decision.customError);
  else if (decision.customError) return decision.code === QMAIL_EXIT.custom && decision.customError.startsWith('D') ? QMAIL_EXIT.permanent : QMAIL_EXIT.temporary;
  ctx.stderr.write(`moat qmail-queue: ${decision.text}\n`);
  return decision.code;
}

export const qmailQueueCommand: CliCommand = {
  name: 'qmail-queue',
  summary: 'drop-in qmail-queue wrapper',
  help: HELP,
  async run(ctx, argv) {
    const remove = installTempfailGuard(ctx, QMAIL_EXIT.temporary, 'moat qmail-queue');
    try {
      return await runQmailQueue(ctx, argv);
    } catch (err) {
      const e = toMoatError(err);
      ctx.stderr.write(`moat qmail-queue: ${e.code}: ${e.message}\n`);
      return isMoatError(err, 'PROTOCOL') ? QMAIL_EXIT.internal : QMAIL_EXIT.temporary;
    } finally {
      remove();
    }
  },
};
