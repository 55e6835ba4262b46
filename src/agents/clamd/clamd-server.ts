import { createServer, type Server } from 'node:net';
import { chmod, mkdir, realpath, unlink } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ClamdConfig } from '../../core/config/sections/clamd.js';
import type { Logger } from '../../core/logger.js';
import type { ObjectState, Scanner } from '../../core/verdict.js';
import { runClamdSession, type ClamdSessionDeps } from './clamd-session.js';
import type { ClamdConn } from './conn.js';
import { listenFdPassing } from './fd-socket.js';
import { statsText } from './clamd-stats.js';
import { ScanGate } from './scan-gate.js';

export interface ClamdAgentDeps {
  config: ClamdConfig;
  /** global.state_dir, absolute: relative socket and temp paths resolve against it. */
  stateDir: string;
  scanner: Scanner;
  logger: Logger;
  /** Re-reads the signature databases (RELOAD); absent = RELOAD unavailable. */
  reload?(): Promise<void>;
  /** Stops the daemon (SHUTDOWN/QUIT when enabled). */
  shutdown?(): void;
  /** When the current database was loaded, for VERSION. */
  dbTime?(): Date | undefined;
}

export interface ClamdAgent {
  /** Bound addresses (the TCP port is the real one when configured as an ephemeral test port). */
  readonly unixPath: string | undefined;
  readonly tcp: { host: string; port: number } | undefined;
  close(): Promise<void>;
}

function listen(server: Server, target: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen('path' in target ? { path: target.path } : { host: target.host, port: target.port }, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
}

/** Starts the clamd-protocol listeners. `tcpPortOverride` lets tests bind port 0. */
export async function startClamdAgent(deps: ClamdAgentDeps, options: { tcpPortOverride?: number } = {}): Promise<ClamdAgent> {
  const { config, logger } = deps;
  const log = logger.child({ agent: 'clamd' });
  const abort = new AbortController();
  const gate = new ScanGate(config.max_threads);
  // Without a DB load time from the daemon, VERSION shows when this listener started (not 1970).
  const startedAt = new Date();
  const tempDir = resolve(deps.stateDir, config.temporary_directory || 'tmp/clamd');
  await mkdir(tempDir, { recursive: true, mode: 0o700 });
  const roots: string[] = [];
  for (const root of config.scan_roots) {
    try {
      roots.push(await realpath(resolve(deps.stateDir, root)));
    } catch {
      log.warn({ root }, 'clamd scan root does not exist; path commands under it will be refused');
    }
  }
  const sockets = new Set<ClamdConn>();
  const sessions = new Set<Promise<void>>();
  const sessionDeps = (): ClamdSessionDeps => ({
    scanner: deps.scanner,
    gate,
    logger: log,
    tempDir,
    roots,
    errorStates: new Set<ObjectState>(config.error_states),
    streamMaxLength: config.stream_max_length,
    commandReadTimeoutMs: config.command_read_timeout_ms,
    readTimeoutMs: config.read_timeout_ms,
    followFileSymlinks: config.follow_file_symlinks,
    followDirectorySymlinks: config.follow_directory_symlinks,
    versionString: config.version_string,
    enabled: {
      shutdown: config.enable_shutdown_command,
      reload: config.enable_reload_command,
      version: config.enable_version_command,
      stats: config.enable_stats_command,
      allmatch: config.enable_allmatch_command,
    },
    dbTime: () => deps.dbTime?.() ?? startedAt,
    statsText: () =>
      statsText({ live: gate.live, idle: Math.max(0, config.max_threads - gate.live), max: config.max_threads, queued: gate.queued, scanner: deps.scanner.stats(), heapUsed: process.memoryUsage().heapUsed }),
    reload: deps.reload,
    shutdown: deps.shutdown,
    signal: abort.signal,
  });
  const shared = sessionDeps();
  const onConnection = (socket: ClamdConn) => {
    if (sockets.size >= config.max_connections) {
      log.warn({ max: config.max_connections }, 'clamd connection limit reached; closing new connection');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('error', () => undefined);
    const session = runClamdSession(socket, shared).finally(() => {
      sockets.delete(socket);
      sessions.delete(session);
    });
    sessions.add(session);
  };

  const servers: Server[] = [];
  // The UNIX listener is usocket's (it receives SCM_RIGHTS for FILDES); TCP stays net.Server.
  let unixServer: { close(): void } | undefined;
  let unixPath: string | undefined;
  let tcp: { host: string; port: number } | undefined;
  try {
    if (config.local_socket) {
      unixPath = isAbsolute(config.local_socket) ? config.local_socket : resolve(deps.stateDir, config.local_socket);
      await unlink(unixPath).catch(() => undefined);
      unixServer = await listenFdPassing(unixPath, Math.min(config.max_connections, 4096), onConnection);
      await chmod(unixPath, parseInt(config.local_socket_mode, 8));
    }
    const port = options.tcpPortOverride ?? config.tcp_port;
    if (config.tcp_port !== 0 || options.tcpPortOverride !== undefined) {
      const server = createServer(onConnection);
      await listen(server, { host: config.tcp_addr, port });
      const address = server.address();
      tcp = { host: config.tcp_addr, port: typeof address === 'object' && address ? address.port : port };
      servers.push(server);
    }
  } catch (err) {
    for (const s of servers) s.close();
    unixServer?.close();
    throw err;
  }
  log.info({ unixPath, tcp }, 'clamd agent listening');

  return {
    unixPath,
    tcp,
    async close() {
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      unixServer?.close();
      abort.abort();
      for (const socket of sockets) socket.destroy();
      await Promise.allSettled([...sessions]);
      await closed;
      if (unixPath) await unlink(unixPath).catch(() => undefined);
    },
  };
}
