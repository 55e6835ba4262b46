import { connect, type Socket } from 'node:net';
import { MoatError } from '../../core/errors.js';
import type { SmtpReply } from '../common/smtp-reply.js';
import { toWireChunks } from './wire-data.js';

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

/** Where the next hop is and how to talk to it. */
export interface NextHopAddress {
  host: string;
  port: number;
  heloName: string;
  /** Deadline per command (and for connecting). */
  timeoutMs: number;
}

export interface SmtpClientOptions extends NextHopAddress {
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

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.feed(chunk.toString('latin1')));
    socket.on('error', (err) => this.fail(new MoatError('NEXT_HOP_UNREACHABLE', `next hop: ${err.message}`, {}, { cause: err })));
    socket.on('close', () => this.fail(new MoatError('NEXT_HOP_UNREACHABLE', 'next hop closed the connection')));
  }

  /** Nothing unread and no failure: the connection is in a known state between transactions. */
  get quiet(): boolean {
    return this.replies.length === 0 && this.pending === undefined && this.buffer === '' && this.failure === undefined;
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

function openSocket(options: NextHopAddress): Promise<Socket> {
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

/** What one transaction on a connection ended with. */
interface TransactionResult {
  reply: SmtpReply;
  /** The session is back between transactions (the final reply was read): it may carry another message. */
  reusable: boolean;
}

/** One SMTP session with the next hop, greeted and EHLO'd, able to carry several transactions (RFC 5321 §3.3). */
export class NextHopConnection {
  /** Whether the current (last) transaction got any reply; false after a failure means the session died before MAIL was answered. */
  answered = false;

  private constructor(
    private readonly socket: Socket,
    private readonly reader: ReplyReader,
    private readonly caps: ReadonlySet<string>,
    readonly openedAt: number,
  ) {}

  /** Connects, reads the greeting, sends EHLO; a refusal there is returned as the reply. */
  static async open(options: NextHopAddress): Promise<NextHopConnection | SmtpReply> {
    const socket = await openSocket(options);
    const reader = new ReplyReader(socket);
    try {
      const greeting = await reader.read(options.timeoutMs, 'the greeting');
      if (greeting.code !== 220) {
        socket.destroy();
        return toReply(greeting);
      }
      socket.write(`EHLO ${options.heloName}\r\n`);
      const ehlo = await reader.read(options.timeoutMs, 'EHLO');
      if (ehlo.code !== 250) {
        socket.end('QUIT\r\n');
        return toReply(ehlo);
      }
      const caps = new Set(ehlo.lines.slice(1).map((l) => l.split(/\s+/)[0]!.toUpperCase()));
      return new NextHopConnection(socket, reader, caps, Date.now());
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  get alive(): boolean {
    return !this.socket.destroyed && this.reader.quiet;
  }

  /** Keeps an idle connection from holding the process open. */
  idle(on: boolean): void {
    if (on) this.socket.unref();
    else this.socket.ref();
  }

  /**
   * One mail transaction. Returns the next hop's reply to end-of-DATA exactly, or the first
   * refusal (MAIL, any RCPT, DATA) — then nothing was delivered: if a pipelined DATA was
   * already accepted, the connection is dropped before the final dot, which aborts it.
   */
  async transaction(message: OutgoingMessage, timeoutMs: number, signal?: AbortSignal): Promise<TransactionResult> {
    const { socket, reader, caps } = this;
    this.answered = false;
    const read = async (what: string) => {
      const r = await reader.read(timeoutMs, what);
      this.answered = true;
      return r;
    };
    const onAbort = () => socket.destroy(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const commands: Array<{ line: string; what: 'XFORWARD' | 'MAIL FROM' | 'RCPT TO' | 'DATA' }> = [];
      if (caps.has('XFORWARD') && message.xforward && Object.keys(message.xforward).length) for (const xf of xforwardCommands(message.xforward)) commands.push({ line: xf, what: 'XFORWARD' });
      let mail = `MAIL FROM:<${message.mailFrom}>`;
      const params = message.params ?? {};
      if (caps.has('8BITMIME') && params.BODY) mail += ` BODY=${params.BODY}`;
      if (caps.has('SMTPUTF8') && 'SMTPUTF8' in params) mail += ' SMTPUTF8';
      if (caps.has('SIZE')) mail += ` SIZE=${message.data.length}`;
      commands.push({ line: mail, what: 'MAIL FROM' });
      for (const rcpt of message.rcptTo) commands.push({ line: `RCPT TO:<${rcpt}>`, what: 'RCPT TO' });
      commands.push({ line: 'DATA', what: 'DATA' });

      // RFC 2920: with PIPELINING the whole envelope goes in one write (DATA last) and every
      // command gets its reply in order; without it, lock-step, stopping at the first refusal.
      const pipelining = caps.has('PIPELINING');
      if (pipelining) socket.write(commands.map((c) => `${c.line}\r\n`).join(''));
      let refusal: SmtpReply | undefined;
      let dataAccepted = false;
      for (const c of commands) {
        if (!pipelining) socket.write(`${c.line}\r\n`);
        const r = await read(c.what);
        // A refused XFORWARD only loses log detail at the next hop: carry on without it.
        if (c.what === 'XFORWARD') continue;
        if (c.what === 'DATA') dataAccepted = r.code === 354;
        const ok = c.what === 'DATA' ? r.code === 354 : c.what === 'RCPT TO' ? r.code === 250 || r.code === 251 : r.code === 250;
        if (!ok && !refusal) refusal = toReply(r);
        if (refusal && !pipelining) break;
      }
      if (refusal) {
        // DATA accepted after a refused recipient: only dropping the connection before the dot aborts it.
        if (dataAccepted) {
          socket.destroy();
          return { reply: refusal, reusable: false };
        }
        try {
          socket.write('RSET\r\n');
          const rset = await read('RSET');
          return { reply: refusal, reusable: rset.code === 250 };
        } catch {
          return { reply: refusal, reusable: false };
        }
      }
      // The body goes out as slices of the message in one writev.
      socket.cork();
      for (const chunk of toWireChunks(message.data)) socket.write(chunk);
      socket.uncork();
      const final = await read('end of DATA');
      return { reply: toReply(final), reusable: true };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** QUIT is a courtesy: never wait long for the next hop to close. */
  close(): void {
    if (this.socket.destroyed) return;
    this.socket.end('QUIT\r\n');
    setTimeout(() => this.socket.destroy(), 1_000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface ConnectionCacheOptions {
  /** Idle connections kept for the next message (0 = a new connection per message). */
  maxIdle: number;
  /** An idle connection is closed after this long (Postfix smtp_connection_cache_time_limit is 2 s). */
  idleMs: number;
  /** A connection is not reused once this old (Postfix smtp_connection_reuse_time_limit is 300 s). */
  maxAgeMs: number;
}

/**
 * Sends messages to one next hop, reusing idle sessions like Postfix's connection cache. A
 * cached session that turns out dead before it answered anything is replaced by a fresh one and
 * the message sent again (nothing can have been delivered: the server never answered MAIL).
 */
export class NextHopClient {
  private readonly idleConnections: Array<{ conn: NextHopConnection; timer: NodeJS.Timeout }> = [];
  private closed = false;

  constructor(
    private readonly options: NextHopAddress,
    private readonly cache: ConnectionCacheOptions,
  ) {}

  async send(message: OutgoingMessage, signal?: AbortSignal): Promise<SmtpReply> {
    const cached = this.takeIdle();
    if (cached) {
      const outcome = await cached.transaction(message, this.options.timeoutMs, signal).then(
        (r) => r,
        (err: unknown) => err as Error,
      );
      if (!(outcome instanceof Error)) return this.finish(cached, outcome);
      cached.destroy();
      // Retry only a cached session that died before answering anything: then nothing was delivered.
      if (!(outcome instanceof MoatError && outcome.code === 'NEXT_HOP_UNREACHABLE') || signal?.aborted || cached.answered) throw outcome;
    }
    const opened = await NextHopConnection.open(this.options);
    if (!(opened instanceof NextHopConnection)) return opened;
    try {
      return this.finish(opened, await opened.transaction(message, this.options.timeoutMs, signal));
    } catch (err) {
      opened.destroy();
      throw err;
    }
  }

  private finish(conn: NextHopConnection, result: TransactionResult): SmtpReply {
    if (result.reusable) this.putIdle(conn);
    else conn.close();
    return result.reply;
  }

  /** Alive, nothing unread, and younger than the reuse limit. */
  private reusable(conn: NextHopConnection): boolean {
    return conn.alive && Date.now() - conn.openedAt < this.cache.maxAgeMs;
  }

  private takeIdle(): NextHopConnection | undefined {
    while (this.idleConnections.length) {
      const { conn, timer } = this.idleConnections.pop()!;
      clearTimeout(timer);
      if (this.reusable(conn)) {
        conn.idle(false);
        return conn;
      }
      // Too old to reuse: say QUIT like Postfix does; a dead one is just dropped.
      if (conn.alive) conn.close();
      else conn.destroy();
    }
    return undefined;
  }

  private putIdle(conn: NextHopConnection): void {
    if (this.closed || this.idleConnections.length >= this.cache.maxIdle || !this.reusable(conn)) {
      conn.close();
      return;
    }
    conn.idle(true);
    const entry = {
      conn,
      timer: setTimeout(() => {
        const i = this.idleConnections.indexOf(entry);
        if (i >= 0) this.idleConnections.splice(i, 1);
        conn.close();
      }, this.cache.idleMs),
    };
    entry.timer.unref();
    this.idleConnections.push(entry);
  }

  /** QUITs idle sessions; transactions in progress finish and then close. */
  close(): void {
    this.closed = true;
    for (const { conn, timer } of this.idleConnections.splice(0)) {
      clearTimeout(timer);
      conn.close();
    }
  }
}

/** Sends one message on a new connection and closes it (tools, tests, benchmarks). */
export function sendMessage(options: SmtpClientOptions, message: OutgoingMessage): Promise<SmtpReply> {
  return new NextHopClient(options, { maxIdle: 0, idleMs: 0, maxAgeMs: 0 }).send(message, options.signal);
}
