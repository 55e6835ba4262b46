import { createServer, type Server, type Socket } from 'node:net';
import { chmod, unlink } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { MilterConfig } from '../../core/config/sections/milter.js';
import type { Logger } from '../../core/logger.js';
import type { Pipeline } from '../../pipeline/types.js';
import { runMilterSession } from './milter-session.js';

export interface MilterAgentDeps {
  config: MilterConfig;
  stateDir: string;
  pipeline: Pipeline;
  logger: Logger;
}

export interface MilterAgent {
  readonly unixPath: string | undefined;
  readonly tcp: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

function listen(server: Server, target: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(target, () => {
      server.off('error', rej);
      res();
    });
  });
}

/** Starts the milter listeners. `tcpPortOverride` lets tests bind port 0. */
export async function startMilterAgent(deps: MilterAgentDeps, options: { tcpPortOverride?: number } = {}): Promise<MilterAgent> {
  const { config } = deps;
  const log = deps.logger.child({ agent: 'milter' });
  const stop = new AbortController();
  const sockets = new Set<Socket>();
  const sessions = new Set<Promise<void>>();
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const session = runMilterSession(socket, {
      pipeline: deps.pipeline,
      logger: log,
      maxMessageBytes: config.max_message_bytes,
      progressIntervalMs: config.progress_interval_ms,
      processTimeoutMs: config.process_timeout_ms,
      headerPosition: config.header_position,
      holdQuarantined: config.hold_quarantined_in_mta,
      signal: stop.signal,
    }).finally(() => {
      sockets.delete(socket);
      sessions.delete(session);
    });
    sessions.add(session);
  };
  const servers: Server[] = [];
  let unixPath: string | undefined;
  let tcp: { host: string; port: number } | undefined;
  try {
    if (config.unix_socket) {
      unixPath = isAbsolute(config.unix_socket) ? config.unix_socket : resolve(deps.stateDir, config.unix_socket);
      await unlink(unixPath).catch(() => undefined);
      const server = createServer(onConnection);
      await listen(server, { path: unixPath });
      await chmod(unixPath, parseInt(config.unix_socket_mode, 8));
      servers.push(server);
    }
    if (config.tcp_port !== 0 || options.tcpPortOverride !== undefined) {
      const server = createServer(onConnection);
      await listen(server, { host: config.tcp_addr, port: options.tcpPortOverride ?? config.tcp_port });
      const address = server.address();
      tcp = { host: config.tcp_addr, port: typeof address === 'object' && address ? address.port : config.tcp_port };
      servers.push(server);
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }
  log.info({ unixPath, tcp }, 'milter agent listening');
  return {
    unixPath,
    tcp,
    async close() {
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      stop.abort();
      await Promise.allSettled([...sessions].map((s) => Promise.race([s, new Promise((r) => setTimeout(r, 2000))])));
      for (const s of sockets) s.destroy();
      await closed;
      if (unixPath) await unlink(unixPath).catch(() => undefined);
    },
  };
}
