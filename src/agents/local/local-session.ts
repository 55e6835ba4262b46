import type { Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import { toMoatError } from '../../core/errors.js';
import type { MessageSource, Outcome, Pipeline, Transaction } from '../../pipeline/types.js';
import { FrameDecoder, encodeFrame, encodeMessage, type Frame } from './local-codec.js';
import { parseLocalRequest, type LocalGroup, type LocalRequest, type LocalResponse } from './local-messages.js';

export interface LocalSessionDeps {
  pipeline: Pipeline;
  logger: Logger;
  spoolDir: string;
  maxMessageBytes: number;
  memorySpoolBytes: number;
  processTimeoutMs: number;
  readTimeoutMs: number;
  /** Aborted when the daemon stops: in-flight messages then tempfail (the MTA keeps them). */
  signal: AbortSignal;
}

type Received = { request: LocalRequest; data: Buffer } | { error: LocalResponse };

/** Reads H, D*, E from the socket. Resolves undefined when the peer goes away first. */
function receive(socket: Socket, deps: LocalSessionDeps): Promise<Received | undefined> {
  return new Promise((resolve) => {
    const decoder = new FrameDecoder();
    let request: LocalRequest | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Received | undefined) => {
      if (done) return;
      done = true;
      socket.off('data', onData);
      socket.pause();
      resolve(value);
    };
    const fail = (code: string, message: string, temporary: boolean) => finish({ error: { ok: false, code, message, temporary } });
    const onFrame = (frame: Frame): boolean => {
      if (!request) {
        if (frame.type !== 'H') {
          fail('PROTOCOL', 'expected a request header', false);
          return false;
        }
        request = parseLocalRequest(frame.payload);
        if (!request) {
          fail('PROTOCOL', 'malformed request header', false);
          return false;
        }
        return true;
      }
      if (frame.type === 'D') {
        size += frame.payload.length;
        if (size > deps.maxMessageBytes) {
          // Temporary on purpose: an oversized message stays queued at the MTA instead of bouncing.
          fail('MESSAGE_TOO_BIG', `message exceeds ${deps.maxMessageBytes} bytes`, true);
          return false;
        }
        chunks.push(frame.payload);
        return true;
      }
      if (frame.type === 'E') {
        finish({ request, data: Buffer.concat(chunks) });
        return false;
      }
      finish(undefined);
      return false;
    };
    const onData = (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        fail('PROTOCOL', (err as Error).message, false);
        return;
      }
      for (const frame of frames) if (!onFrame(frame)) return;
    };
    socket.on('data', onData);
    socket.once('close', () => finish(undefined));
    socket.once('end', () => finish(undefined));
  });
}

async function bytesOf(source: MessageSource): Promise<Buffer> {
  return source.kind === 'buffer' ? source.data : readFile(source.path);
}

function write(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

/** Serves one request on one connection; never throws. */
export async function runLocalSession(socket: Socket, deps: LocalSessionDeps): Promise<void> {
  socket.setTimeout(deps.readTimeoutMs, () => socket.destroy());
  let spoolPath: string | undefined;
  const abort = new AbortController();
  const onClose = () => abort.abort();
  socket.once('close', onClose);
  const onStop = () => abort.abort();
  deps.signal.addEventListener('abort', onStop);
  try {
    const received = await receive(socket, deps);
    if (!received) return;
    if ('error' in received) {
      await write(socket, encodeFrame('R', JSON.stringify(received.error)));
      return;
    }
    socket.setTimeout(0);
    const id = randomUUID();
    let message: MessageSource = { kind: 'buffer', data: received.data };
    if (received.data.length > deps.memorySpoolBytes) {
      spoolPath = join(deps.spoolDir, `${id}.eml`);
      await writeFile(spoolPath, received.data, { mode: 0o600 });
      message = { kind: 'file', path: spoolPath, size: received.data.length };
    }
    const tx: Transaction = {
      id,
      agent: received.request.agent,
      envelope: received.request.envelope,
      client: received.request.client,
      message,
      receivedAt: new Date(),
    };
    const timer = setTimeout(() => abort.abort(), deps.processTimeoutMs);
    let response: LocalResponse;
    const bodies: Buffer[] = [];
    try {
      const outcome: Outcome = await deps.pipeline.process(tx, abort.signal);
      const groups: LocalGroup[] = [];
      for (const g of outcome.groups) {
        const group: LocalGroup = {
          recipients: g.recipients,
          action: g.action,
          reply: g.reply,
          addHeaders: g.addHeaders,
          subject: g.subject,
          bodyReplaced: g.bodyReplaced,
          quarantineId: g.quarantineId,
        };
        if (g.message) {
          group.message = bodies.length;
          bodies.push(await bytesOf(g.message));
        }
        groups.push(group);
      }
      response = { ok: true, transactionId: outcome.transactionId, summary: outcome.summary, groups };
    } catch (err) {
      const e = toMoatError(err);
      deps.logger.warn({ err: e, code: e.code, tx: id }, 'local submission could not be processed; client will tempfail');
      response = { ok: false, code: e.code, temporary: true, message: e.message };
    } finally {
      clearTimeout(timer);
    }
    if (socket.destroyed) return;
    await write(socket, encodeFrame('R', JSON.stringify(response)));
    for (const body of bodies) for (const frame of encodeMessage(body)) await write(socket, frame);
  } catch (err) {
    deps.logger.warn({ err }, 'local session failed');
  } finally {
    deps.signal.removeEventListener('abort', onStop);
    socket.off('close', onClose);
    if (spoolPath) await unlink(spoolPath).catch(() => undefined);
    if (!socket.destroyed) {
      // Drain whatever the peer still sends so its FIN is seen and the socket closes.
      socket.resume();
      socket.end();
    }
  }
}
