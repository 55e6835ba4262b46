import { randomUUID } from 'node:crypto';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { PromptSmtpServer } from './prompt-smtp-server.js';
import type { SmtpConfig } from '../../core/config/sections/smtp.js';
import { MoatError, toMoatError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Pipeline, Transaction } from '../../pipeline/types.js';
import { formatReply, replyForError, replyText, type SmtpReply } from '../common/smtp-reply.js';
import type { NextHop } from './next-hop.js';
import { applyOutcome } from './smtp-outcome.js';
import { hasBareNewline, normalizeNewlines } from './wire-data.js';
import { deadline } from '../../core/deadline.js';

export interface SmtpAgentDeps {
  config: SmtpConfig;
  pipeline: Pipeline;
  nextHop: NextHop;
  logger: Logger;
  /** PEM cert and key for STARTTLS (read by the composition root). */
  tls?: { cert: Buffer; key: Buffer };
  now?: () => Date;
}

export interface SmtpAgent {
  readonly address: { host: string; port: number };
  /** Messages being processed right now. */
  inFlight(): number;
  /** Stops accepting, answers new transactions 421, waits for in-flight messages (≤ graceMs), then closes. */
  close(graceMs?: number): Promise<void>;
}

/** A reply as an Error smtp-server sends verbatim (we add enhanced codes ourselves). */
function replyError(reply: SmtpReply): Error {
  return Object.assign(new Error(replyText(reply)), { responseCode: reply.code });
}

/**
 * Reads DATA into one buffer (the engine copies what it scans; the message stays ours for
 * re-injection). Not in a SharedArrayBuffer, though that would spare the copy for the
 * scan worker: allocating and freeing shared memory per message cost more than the copy
 * (bench/smtp/cpu-per-message.ts, 500 KB: 6.3 ms CPU per message with a copy, 8.4–10.6 shared).
 */
async function collect(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    total += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks, total);
}

/** Attributes Postfix defines for XFORWARD (smtp-server also keeps internal keys like ADDR:DEFAULT). */
const XFORWARD_KEYS = new Set(['NAME', 'ADDR', 'PORT', 'PROTO', 'HELO', 'IDENT', 'SOURCE']);

function xforwardOf(session: SMTPServerSession, trusted: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (trusted) for (const [k, v] of session.xForward) if (XFORWARD_KEYS.has(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = String(v);
  // Mail straight from a client (before-queue, outbound): describe that client ourselves.
  if (!trusted || !out.ADDR) {
    out.ADDR = session.remoteAddress;
    out.NAME = session.clientHostname.replace(/^\[|\]$/g, '') || '[UNAVAILABLE]';
    if (session.hostNameAppearsAs) out.HELO = session.hostNameAppearsAs;
    out.PROTO = session.openingCommand === 'EHLO' ? 'ESMTP' : 'SMTP';
  }
  return out;
}

/** The SMTP agent: content filter (after-queue), proxy filter (before-queue) or outbound proxy. */
export async function startSmtpAgent(deps: SmtpAgentDeps, options: { portOverride?: number } = {}): Promise<SmtpAgent> {
  const { config } = deps;
  const log = deps.logger.child({ agent: 'smtp', mode: config.mode });
  const inFlight = new Set<Promise<unknown>>();
  /** Sessions between an accepted MAIL FROM and the answer to their DATA: close() waits for them too. */
  const openTransactions = new Set<string>();
  let closing = false;
  const stop = new AbortController();

  async function handle(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<SmtpReply> {
    const raw = await collect(stream);
    const trusted = session.xForward.size > 0;
    const xforward = xforwardOf(session, trusted);
    const tx: Transaction = {
      id: randomUUID(),
      agent: config.mode === 'after-queue' ? 'smtp' : 'smtp-proxy',
      envelope: {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        params: paramsOf(session),
      },
      client: { address: xforward.ADDR, hostname: xforward.NAME, helo: xforward.HELO, queueId: trusted ? xforward.IDENT : undefined, protocol: xforward.PROTO },
      message: { kind: 'buffer', data: raw },
      receivedAt: deps.now?.() ?? new Date(),
    };
    const txLog = log.child({ tx: tx.id, queueId: tx.client.queueId, client: tx.client.address });
    txLog.info({ step: 'received', from: tx.envelope.mailFrom, rcpt: tx.envelope.rcptTo, bytes: raw.length }, 'message received');
    if (stream.sizeExceeded) return { code: 552, enhanced: '5.3.4', text: `Message exceeds the size limit of ${config.max_message_bytes} bytes` };
    const bare = hasBareNewline(raw);
    if (bare) {
      if (config.bare_newline === 'reject') return { code: 550, enhanced: '5.5.2', text: 'Bare <LF> or <CR> in message text is not allowed (RFC 5321 2.3.8)' };
      txLog.info({ step: 'normalized' }, 'bare newlines normalised to CRLF');
    }
    const original = normalizeNewlines(raw, bare);
    tx.message = { kind: 'buffer', data: original };
    const { signal, dispose } = deadline(stop.signal, config.process_timeout_ms);
    try {
      const outcome = await deps.pipeline.process(tx, signal);
      txLog.info({ step: 'decided', summary: outcome.summary, groups: outcome.groups.map((g) => ({ action: g.action, recipients: g.recipients, quarantineId: g.quarantineId })) }, 'policy decided');
      const reply = await applyOutcome(outcome, {
        tx,
        original,
        nextHop: deps.nextHop,
        xforward,
        hostname: config.hostname,
        bouncePartialRejects: config.bounce_partial_rejects,
        logger: txLog,
        signal,
        now: deps.now ?? (() => new Date()),
      });
      txLog.info({ step: 'replied', reply: formatReply(reply) }, 'end of DATA answered');
      return reply;
    } catch (err) {
      const e = signal.aborted && !(err instanceof MoatError && err.temporary) ? new MoatError('TIMEOUT', 'message processing timed out') : toMoatError(err);
      const reply = replyForError(e);
      txLog.warn({ step: 'failed', code: e.code, err: e.message, reply: formatReply(reply) }, 'message tempfailed');
      return reply;
    } finally {
      dispose();
    }
  }

  const server = new PromptSmtpServer({
    name: config.hostname,
    banner: 'Moat ESMTP content filter',
    size: config.max_message_bytes,
    authOptional: true,
    disabledCommands: deps.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    key: deps.tls?.key,
    cert: deps.tls?.cert,
    // Only these peers may send XFORWARD (smtp-server refuses it from others), so any values present are trusted.
    useXForward: config.xforward_hosts,
    // The MTA already resolved the client (XFORWARD NAME); a PTR lookup per connection only adds latency.
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: true,
    maxClients: config.max_connections,
    socketTimeout: config.socket_timeout_ms,
    // After the in-flight wait in close(), idle cached connections get a 421 this soon.
    closeTimeout: 1_000,
    logger: false,
    onMailFrom(_address, session, callback) {
      if (closing) return callback(replyError({ code: 421, enhanced: '4.3.2', text: 'Moat is shutting down, try again later' }));
      openTransactions.add(session.id);
      callback();
    },
    onData(stream, session, callback) {
      const work = handle(stream, session).then(
        (reply) => (reply.code < 400 ? callback(null, replyText(reply)) : callback(replyError(reply))),
        (err: unknown) => callback(replyError(replyForError(err))),
      );
      inFlight.add(work);
      void work.finally(() => {
        inFlight.delete(work);
        openTransactions.delete(session.id);
      });
    },
    onClose(session) {
      openTransactions.delete(session.id);
    },
  });
  // Replies go out without Nagle delay (lock-step protocol; see smtp-client).
  server.server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  server.on('error', (err) => log.warn({ err: err.message }, 'smtp server error'));
  const port = options.portOverride ?? config.listen_port;
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, config.listen_addr, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const addr = server.server.address();
  const address = { host: config.listen_addr, port: typeof addr === 'object' && addr ? addr.port : port };
  log.info({ address, nextHop: deps.nextHop.description, starttls: Boolean(deps.tls) }, 'smtp agent listening');
  return {
    address,
    inFlight: () => inFlight.size,
    async close(graceMs = 60_000) {
      // No new connections, no new transactions (421); transactions already past MAIL FROM may
      // still send their DATA, and every message being processed finishes, within the grace time.
      closing = true;
      server.server.close();
      const graceEnds = Date.now() + graceMs;
      // A client between MAIL FROM and DATA on a working link needs milliseconds; one that said
      // RSET and idles would hold the stop for nothing, so those get two seconds at most.
      const transactionsEnd = Math.min(graceEnds, Date.now() + 2_000);
      while (Date.now() < graceEnds && (inFlight.size > 0 || (openTransactions.size > 0 && Date.now() < transactionsEnd))) {
        // A timer turn every time: with nothing in flight, the race alone would spin on microtasks.
        const tick = new Promise<void>((resolve) => setTimeout(resolve, 25).unref());
        await (inFlight.size > 0 ? Promise.race([Promise.allSettled([...inFlight]), tick]) : tick);
      }
      stop.abort();
      deps.nextHop.close?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function paramsOf(session: SMTPServerSession): Record<string, string> {
  const args = session.envelope.mailFrom ? (session.envelope.mailFrom.args as Record<string, string> | false) : false;
  const out: Record<string, string> = {};
  if (args && typeof args === 'object') {
    if (args.BODY) out.BODY = String(args.BODY);
    if (args.SMTPUTF8) out.SMTPUTF8 = '';
  }
  return out;
}
