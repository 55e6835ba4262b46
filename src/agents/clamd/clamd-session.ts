import { unlink } from 'node:fs/promises';
import type { Logger } from '../../core/logger.js';
import { isMoatError } from '../../core/errors.js';
import type { ObjectState, Scanner } from '../../core/verdict.js';
import { COMMANDS_LIST, REPLIES, SESSION_COMMANDS, chomp, formatReply, parseCommandLine, versionReply, type Framing, type ParsedCommand } from './clamd-codec.js';
import { replyForError, replyForReport } from './clamd-outcome.js';
import type { ClamdConn } from './conn.js';
import { spoolDescriptor } from './fildes.js';
import { receiveInstream } from './instream.js';
import { scanPath, type PathMode } from './path-scan.js';
import type { ScanGate } from './scan-gate.js';
import { SocketReader } from './socket-reader.js';

/** Everything one connection needs; built once by the server. */
export interface ClamdSessionDeps {
  scanner: Scanner;
  gate: ScanGate;
  logger: Logger;
  tempDir: string;
  roots: readonly string[];
  errorStates: ReadonlySet<ObjectState>;
  streamMaxLength: number;
  commandReadTimeoutMs: number;
  readTimeoutMs: number;
  followFileSymlinks: boolean;
  followDirectorySymlinks: boolean;
  versionString: string;
  enabled: { shutdown: boolean; reload: boolean; version: boolean; stats: boolean; allmatch: boolean };
  dbTime(): Date | undefined;
  statsText(): string;
  reload?(): Promise<void>;
  shutdown?(): void;
  signal: AbortSignal;
}

// clamd reads commands into a buffer of about this size; longer lines are not commands.
const MAX_COMMAND_BYTES = 8192;
// IDSESSION requests in flight per connection before we stop reading (clamd bounds this by MaxQueue).
const MAX_SESSION_INFLIGHT = 32;

// An old-style command without newline ends when the client stops sending for this long.
const OLD_STYLE_SETTLE_MS = 250;

type Step = 'continue' | 'close';

/** Runs one clamd connection to its end. Never throws. */
export async function runClamdSession(socket: ClamdConn, deps: ClamdSessionDeps): Promise<void> {
  const reader = new SocketReader(socket);
  const inflight = new Set<Promise<void>>();
  let inSession = false;
  let nextId = 1;
  let first = true;
  const write = (body: string, framing: Framing, id?: number) => {
    if (!socket.destroyed && socket.writable) socket.write(formatReply(body, framing, id));
  };
  try {
    for (;;) {
      let cmd: ParsedCommand;
      const timeout = first ? deps.commandReadTimeoutMs : deps.readTimeoutMs;
      try {
        const head = await reader.readExact(1, timeout);
        if (!head) break;
        const byte = head[0]!;
        if (byte === 0x7a /* z */) {
          const { data } = await reader.readUntil([0], MAX_COMMAND_BYTES, timeout);
          cmd = parseCommandLine(data.toString('latin1'), 'z');
        } else if (byte === 0x6e /* n */) {
          const { data } = await reader.readUntil([0x0a], MAX_COMMAND_BYTES, timeout);
          cmd = parseCommandLine(chomp(data.toString('latin1')), 'n');
        } else {
          // Old style: one read is one command; wait briefly for a newline to tolerate segmentation.
          let data: Buffer;
          try {
            data = (await reader.readUntil([0x0a], MAX_COMMAND_BYTES, OLD_STYLE_SETTLE_MS)).data;
          } catch (err) {
            if (!isMoatError(err, 'TIMEOUT')) throw err;
            data = reader.takeAll();
          }
          cmd = parseCommandLine(chomp(Buffer.concat([head, data]).toString('latin1')), 'old');
        }
      } catch (err) {
        if (isMoatError(err, 'TIMEOUT')) write(REPLIES.readTimeout, 'n');
        else if (isMoatError(err, 'PROTOCOL')) write(REPLIES.unknown, 'n');
        break;
      }
      first = false;
      if (inSession && cmd.framing === 'old') {
        write(REPLIES.onlyPrefixedInSession, 'n');
        break;
      }
      const id = inSession ? nextId : undefined;
      if (cmd.kind === 'unknown') {
        write(REPLIES.unknown, cmd.framing, id);
        break;
      }
      if (inSession && !SESSION_COMMANDS.has(cmd.name)) {
        write(REPLIES.invalidInSession, cmd.framing, id);
        break;
      }
      if (cmd.name === 'END') {
        if (!inSession) {
          write(REPLIES.unknown, cmd.framing);
          break;
        }
        break;
      }
      if (cmd.name === 'IDSESSION') {
        inSession = true;
        continue;
      }
      if (inSession) nextId++;
      const step = await handleCommand(cmd.name, cmd.arg, cmd.framing, id, { socket, reader, deps, write, inflight, inSession });
      if (step === 'close' || !inSession) break;
      while (inflight.size >= MAX_SESSION_INFLIGHT) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } catch (err) {
    deps.logger.warn({ err }, 'clamd session failed');
  } finally {
    if (!socket.destroyed) socket.end();
  }
}

interface SessionCtx {
  socket: ClamdConn;
  reader: SocketReader;
  deps: ClamdSessionDeps;
  write(body: string, framing: Framing, id?: number): void;
  inflight: Set<Promise<void>>;
  inSession: boolean;
}

/** In a session work runs concurrently and replies come when ready; otherwise it runs before the connection closes. */
async function dispatch(ctx: SessionCtx, work: () => Promise<void>): Promise<void> {
  if (!ctx.inSession) return work();
  const p = work().finally(() => ctx.inflight.delete(p));
  ctx.inflight.add(p);
}

async function handleCommand(name: string, arg: string | undefined, framing: Framing, id: number | undefined, ctx: SessionCtx): Promise<Step> {
  const { deps, write } = ctx;
  const reply = (body: string) => write(body, framing, id);
  switch (name) {
    case 'PING':
      reply(REPLIES.pong);
      return 'continue';
    case 'VERSION':
      if (!deps.enabled.version) reply(REPLIES.unavailable);
      else reply(versionReply(deps.versionString, deps.scanner.dbVersion, deps.dbTime()));
      return 'continue';
    case 'VERSIONCOMMANDS':
      if (!deps.enabled.version) reply(REPLIES.unavailable);
      else reply(`${versionReply(deps.versionString, deps.scanner.dbVersion, deps.dbTime())}| COMMANDS: ${COMMANDS_LIST}`);
      return 'continue';
    case 'STATS':
      if (!deps.enabled.stats) reply(REPLIES.unavailable);
      else reply(deps.statsText());
      return 'continue';
    case 'RELOAD':
      if (!deps.enabled.reload || !deps.reload) {
        reply(REPLIES.unavailable);
        return 'close';
      }
      reply(REPLIES.reloading);
      deps.reload().catch((err: unknown) => deps.logger.error({ err }, 'clamd RELOAD failed'));
      return 'close';
    case 'QUIT':
    case 'SHUTDOWN':
      if (!deps.enabled.shutdown || !deps.shutdown) {
        reply(REPLIES.unavailable);
        return 'close';
      }
      deps.logger.info('clamd SHUTDOWN received');
      deps.shutdown();
      return 'close';
    case 'DETSTATS':
    case 'DETSTATSCLEAR':
      // Removed from clamd: no reply, connection closed.
      return 'close';
    case 'FILDES':
      // TCP (net.Socket) cannot carry SCM_RIGHTS: answer as clamd builds without fd passing do.
      if (!ctx.socket.takeFd) {
        reply(REPLIES.fildesUnsupported);
        return 'close';
      }
      return handleFildes(framing, id, ctx);
    case 'INSTREAM':
      return handleInstream(framing, id, ctx);
    case 'SCAN':
    case 'CONTSCAN':
    case 'MULTISCAN':
    case 'ALLMATCHSCAN': {
      if (name === 'ALLMATCHSCAN' && !deps.enabled.allmatch) {
        reply(`${arg}: ALLMATCHSCAN command disabled by clamd configuration. ERROR`);
        return 'continue';
      }
      const mode: PathMode = name === 'SCAN' ? 'scan' : name === 'CONTSCAN' ? 'contscan' : name === 'MULTISCAN' ? 'multiscan' : 'allmatch';
      await dispatch(ctx, () =>
        scanPath(
          arg!,
          mode,
          {
            scanner: deps.scanner,
            gate: deps.gate,
            roots: deps.roots,
            followFileSymlinks: deps.followFileSymlinks,
            followDirectorySymlinks: deps.followDirectorySymlinks,
            errorStates: deps.errorStates,
            signal: deps.signal,
          },
          reply,
        ).catch((err: unknown) => {
          for (const line of replyForError(arg!, err).lines) reply(line);
        }),
      );
      return 'continue';
    }
    default:
      reply(REPLIES.unknown);
      return 'close';
  }
}

async function handleInstream(framing: Framing, id: number | undefined, ctx: SessionCtx): Promise<Step> {
  const { deps, write } = ctx;
  const reply = (body: string) => write(body, framing, id);
  let received;
  try {
    received = await receiveInstream(ctx.reader, deps.tempDir, deps.streamMaxLength, deps.readTimeoutMs);
  } catch (err) {
    if (isMoatError(err, 'TIMEOUT')) return 'close';
    deps.logger.error({ err }, 'clamd INSTREAM spool failed');
    reply(REPLIES.tempWriteError);
    return 'close';
  }
  if (received.kind === 'too-big') {
    reply(REPLIES.sizeLimit);
    return 'close';
  }
  if (received.kind === 'write-error') {
    reply(REPLIES.tempWriteError);
    return 'close';
  }
  if (received.kind === 'eof') return 'close';
  const path = received.path;
  await dispatch(ctx, async () => {
    try {
      const report = await deps.gate.run(() => deps.scanner.scan({ kind: 'file', path, name: 'stream' }, { signal: deps.signal }));
      for (const line of replyForReport('stream', report, false, deps.errorStates).lines) reply(line);
    } catch (err) {
      deps.logger.warn({ err }, 'clamd INSTREAM scan failed');
      for (const line of replyForError('stream', err).lines) reply(line);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  });
  return 'continue';
}

/** FILDES: one dummy byte carries the descriptor (SCM_RIGHTS); its contents are scanned like INSTREAM. */
async function handleFildes(framing: Framing, id: number | undefined, ctx: SessionCtx): Promise<Step> {
  const { deps, write } = ctx;
  const reply = (body: string) => write(body, framing, id);
  let dummy: Buffer | null;
  try {
    dummy = await ctx.reader.readExact(1, deps.readTimeoutMs);
  } catch {
    dummy = null;
  }
  const fd = dummy ? ctx.socket.takeFd?.() : undefined;
  if (fd === undefined) {
    reply(REPLIES.noFd);
    return 'close';
  }
  const label = `fd[${fd}]`;
  await dispatch(ctx, async () => {
    const spooled = await spoolDescriptor(fd, deps.tempDir, deps.streamMaxLength);
    if (spooled.kind !== 'file') {
      reply(`${label}: ${spooled.kind === 'not-regular' ? 'Not a regular file' : spooled.kind === 'too-big' ? 'Exceeded max scan size' : "Can't read file"} ERROR`);
      return;
    }
    try {
      const report = await deps.gate.run(() => deps.scanner.scan({ kind: 'file', path: spooled.path, name: label }, { signal: deps.signal }));
      for (const line of replyForReport(label, report, false, deps.errorStates).lines) reply(line);
    } catch (err) {
      deps.logger.warn({ err }, 'clamd FILDES scan failed');
      for (const line of replyForError(label, err).lines) reply(line);
    } finally {
      await unlink(spooled.path).catch(() => undefined);
    }
  });
  return 'continue';
}
