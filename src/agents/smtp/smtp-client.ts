import { connect, type Socket } from 'node:net';
import { MoatError } from '../../core/errors.js';
import type { SmtpReply } from '../common/smtp-reply.js';
import { toWireData } from './wire-data.js';

/** One message for the next hop: its own envelope, so recipient groups travel separately. */
export interface OutgoingMessage {
  mailFrom: string;
  rcptTo: string[];
  /** BODY=8BITMIME / SMTPUTF8 / SIZE are passed on when the next hop advertises them. */
  params?: Record<string, string>;
  /** XFORWARD attributes (NAME, ADDR, PORT, PROTO, HELO, IDENT, SOURCE), sent when advertised. */
  xforward?: Record<string, string>;
  data: Buffer;
}

export interface SmtpClientOptions {
  host: string;
  port: number;
  heloName: string;
  /** Deadline per command (and for connecting). */
  timeoutMs: number;
  signal?: AbortSignal;
}

interface RawReply {
  code: number;
  lines: string[];
}

/** Postfix limits XFORWARD lines to 512 bytes (line_length_limit); attribute values are xtext-free but may need splitting. */
const XFORWARD_LINE_MAX = 500;

function toReply(raw: RawReply): SmtpReply {
  const text = raw.lines.join(' ').trim();
  const m = /^([245]\.\d{1,3}\.\d{1,3})\s+(.*)$/.exec(text);
  return m ? { code: raw.code, enhanced: m[1], text: m[2]! } : { code: raw.code, text };
}

/** Reads multi-line SMTP replies from a socket. */
class ReplyReader {
  private buffer = '';
  private readonly replies: RawReply[] = [];
  private pending: RawReply | undefined;
  private waiter: ((r: RawReply | Error) => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.feed(chunk.toString('latin1')));
    socket.on('error', (err) => this.fail(new MoatError('NEXT_HOP_UNREACHABLE', `next hop: ${err.message}`, {}, { cause: err })));
    socket.on('close', () => this.fail(new MoatError('NEXT_HOP_UNREACHABLE', 'next hop closed the connection')));
  }

  private feed(text: string): void {
    this.buffer += text;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      const m = /^(\d{3})([ -]?)(.*)$/.exec(line);
      if (!m) {
        this.fail(new MoatError('NEXT_HOP_TEMPFAIL', `next hop sent a malformed reply: ${line.slice(0, 100)}`));
        return;
      }
      this.pending ??= { code: Number(m[1]), lines: [] };
      this.pending.lines.push(m[3]!);
      if (m[2] !== '-') {
        this.replies.push(this.pending);
        this.pending = undefined;
      }
    }
    this.deliver();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.deliver();
  }

  private deliver(): void {
    if (!this.waiter) return;
    const next = this.replies.shift() ?? this.failure;
    if (!next) return;
    const w = this.waiter;
    this.waiter = undefined;
    w(next);
  }

  read(timeoutMs: number, what: string): Promise<RawReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new MoatError('TIMEOUT', `next hop did not answer ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      this.deliver();
    });
  }
}

function openSocket(options: SmtpClientOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // No Nagle: SMTP is lock-step request/reply, and delayed ACKs would add ~40-100 ms per command.
    const socket = connect({ host: options.host, port: options.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new MoatError('NEXT_HOP_UNREACHABLE', `next hop ${options.host}:${options.port}: connect timed out`));
    }, options.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new MoatError('NEXT_HOP_UNREACHABLE', `next hop ${options.host}:${options.port}: ${err.message}`, {}, { cause: err }));
    });
  });
}

function xforwardCommands(attrs: Record<string, string>): string[] {
  const commands: string[] = [];
  let current = 'XFORWARD';
  for (const [key, raw] of Object.entries(attrs)) {
    // XFORWARD values are xtext: no spaces or control characters; unknown values are [UNAVAILABLE].
    const value = raw.replace(/[^\x21-\x7e]/g, '?').replace(/[+=]/g, (c) => `+${c.charCodeAt(0).toString(16).toUpperCase()}`) || '[UNAVAILABLE]';
    const item = ` ${key}=${value}`;
    if (current.length + item.length > XFORWARD_LINE_MAX && current !== 'XFORWARD') {
      commands.push(current);
      current = 'XFORWARD';
    }
    current += item;
  }
  if (current !== 'XFORWARD') commands.push(current);
  return commands;
}

/**
 * Sends one message and returns the next hop's reply to end-of-DATA exactly, or the first
 * refusal (greeting, MAIL, any RCPT, DATA) — then nothing was delivered. Network failures and
 * timeouts throw temporary MoatErrors (the caller answers 4xx, so the MTA keeps the mail).
 */
export async function sendMessage(options: SmtpClientOptions, message: OutgoingMessage): Promise<SmtpReply> {
  const socket = await openSocket(options);
  const reader = new ReplyReader(socket);
  const onAbort = () => socket.destroy(new Error('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const command = async (line: string | Buffer, what: string): Promise<RawReply> => {
    socket.write(typeof line === 'string' ? `${line}\r\n` : line);
    return reader.read(options.timeoutMs, what);
  };
  try {
    const greeting = await reader.read(options.timeoutMs, 'the greeting');
    if (greeting.code !== 220) return toReply(greeting);
    const ehlo = await command(`EHLO ${options.heloName}`, 'EHLO');
    if (ehlo.code !== 250) return toReply(ehlo);
    const caps = new Set(ehlo.lines.slice(1).map((l) => l.split(/\s+/)[0]!.toUpperCase()));
    if (caps.has('XFORWARD') && message.xforward && Object.keys(message.xforward).length) {
      for (const xf of xforwardCommands(message.xforward)) {
        // A refused XFORWARD only loses log detail at the next hop: carry on without it.
        const r = await command(xf, 'XFORWARD');
        if (r.code !== 250) break;
      }
    }
    let mail = `MAIL FROM:<${message.mailFrom}>`;
    const params = message.params ?? {};
    if (caps.has('8BITMIME') && params.BODY) mail += ` BODY=${params.BODY}`;
    if (caps.has('SMTPUTF8') && 'SMTPUTF8' in params) mail += ' SMTPUTF8';
    if (caps.has('SIZE')) mail += ` SIZE=${message.data.length}`;
    const mailReply = await command(mail, 'MAIL FROM');
    if (mailReply.code !== 250) return toReply(mailReply);
    for (const rcpt of message.rcptTo) {
      const r = await command(`RCPT TO:<${rcpt}>`, 'RCPT TO');
      if (r.code !== 250 && r.code !== 251) return toReply(r);
    }
    const data = await command('DATA', 'DATA');
    if (data.code !== 354) return toReply(data);
    const final = await command(toWireData(message.data), 'end of DATA');
    socket.write('QUIT\r\n');
    return toReply(final);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    socket.end();
    // QUIT is a courtesy: never wait long for the next hop to close.
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
}
