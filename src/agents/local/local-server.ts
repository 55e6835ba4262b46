import { createServer, type Socket } from 'node:net';
import { chmod, mkdir, unlink } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { LocalConfig } from '../../core/config/sections/local.js';
import type { Logger } from '../../core/logger.js';
import type { Pipeline } from '../../pipeline/types.js';
import { runLocalSession } from './local-session.js';

export interface LocalAgentDeps {
  config: LocalConfig;
  stateDir: string;
  pipeline: Pipeline;
  logger: Logger;
}

export interface LocalAgent {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** The daemon side of the local socket: one request per connection, answered with the Outcome. */
export async function startLocalAgent(deps: LocalAgentDeps): Promise<LocalAgent> {
  const { config } = deps;
  const log = deps.logger.child({ agent: 'local' });
  const socketPath = isAbsolute(config.socket) ? config.socket : resolve(deps.stateDir, config.socket);
  const spoolDir = resolve(deps.stateDir, 'spool', 'local');
  await mkdir(spoolDir, { recursive: true, mode: 0o700 });
  const stop = new AbortController();
  const sockets = new Set<Socket>();
  const sessions = new Set<Promise<void>>();
  const server = createServer((socket) => {
    if (sockets.size >= config.max_connections) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('error', () => undefined);
    const session = runLocalSession(socket, {
      pipeline: deps.pipeline,
      logger: log,
      spoolDir,
      maxMessageBytes: config.max_message_bytes,
      memorySpoolBytes: config.memory_spool_bytes,
      processTimeoutMs: config.process_timeout_ms,
      readTimeoutMs: config.read_timeout_ms,
      signal: stop.signal,
    }).finally(() => {
      sockets.delete(socket);
      sessions.delete(session);
    });
    sessions.add(session);
  });
  await unlink(socketPath).catch(() => undefined);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  await chmod(socketPath, parseInt(config.socket_mode, 8));
  log.info({ socketPath }, 'local agent listening');
  return {
    socketPath,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      stop.abort();
      await Promise.allSettled([...sessions]);
      for (const s of sockets) s.destroy();
      await closed;
      await unlink(socketPath).catch(() => undefined);
    },
  };
}
