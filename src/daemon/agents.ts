import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { MoatConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import type { Scanner } from '../core/verdict.js';
import type { Pipeline } from '../pipeline/types.js';
import { startSmtpAgent } from '../agents/smtp/smtp-agent.js';
import { maildirNextHop, smtpNextHop } from '../agents/smtp/next-hop.js';
import { startLocalAgent } from '../agents/local/local-server.js';
import { startMilterAgent } from '../agents/milter/milter-server.js';
import { startClamdAgent } from '../agents/clamd/clamd-server.js';

/** What every agent gets from the daemon. */
export interface AgentContext {
  config: MoatConfig;
  /** Absolute global.state_dir. */
  stateDir: string;
  /** Directory of the main config file (relative cert paths resolve against it); cwd without one. */
  configDir: string;
  pipeline: Pipeline;
  scanner: Scanner;
  logger: Logger;
  /** Re-reads config and signatures (clamd RELOAD). */
  reload(): Promise<void>;
  /** Stops the daemon (clamd SHUTDOWN). */
  shutdown(): void;
  /** Test hook: bind ephemeral ports instead of the configured ones. */
  ephemeralPorts: boolean;
}

export interface RunningAgent {
  /** Where it listens, for logs and tests (`smtp` → `127.0.0.1:10024`). */
  readonly listening: Record<string, string | number>;
  /** Stop accepting, finish in-flight work within graceMs, close. */
  close(graceMs: number): Promise<void>;
}

export interface AgentRegistration {
  name: string;
  enabled(config: MoatConfig): boolean;
  start(ctx: AgentContext): Promise<RunningAgent>;
}

const rel = (base: string, p: string) => (isAbsolute(p) ? p : resolve(base, p));

/** The agents of `moat daemon`. To add one: one entry here. */
export const AGENTS: AgentRegistration[] = [
  {
    name: 'smtp',
    enabled: (c) => c.smtp.enabled,
    async start(ctx) {
      const c = ctx.config.smtp;
      const nextHop = c.next_hop ? smtpNextHop(c.next_hop, { heloName: c.hostname, timeoutMs: c.next_hop_timeout_ms, cacheConnections: c.next_hop_cached_connections, cacheIdleMs: c.next_hop_cache_idle_ms }) : maildirNextHop(rel(ctx.stateDir, c.maildir));
      const tls = c.tls_cert && c.tls_key ? { cert: await readFile(rel(ctx.configDir, c.tls_cert)), key: await readFile(rel(ctx.configDir, c.tls_key)) } : undefined;
      const agent = await startSmtpAgent({ config: c, pipeline: ctx.pipeline, nextHop, logger: ctx.logger, tls }, { portOverride: ctx.ephemeralPorts ? 0 : undefined });
      return { listening: { host: agent.address.host, port: agent.address.port }, close: (g) => agent.close(g) };
    },
  },
  {
    name: 'local',
    enabled: (c) => c.local.enabled,
    async start(ctx) {
      const agent = await startLocalAgent({ config: ctx.config.local, stateDir: ctx.stateDir, pipeline: ctx.pipeline, logger: ctx.logger });
      return { listening: { socket: agent.socketPath }, close: () => agent.close() };
    },
  },
  {
    name: 'milter',
    enabled: (c) => c.milter.enabled,
    async start(ctx) {
      const agent = await startMilterAgent({ config: ctx.config.milter, stateDir: ctx.stateDir, pipeline: ctx.pipeline, logger: ctx.logger }, { tcpPortOverride: ctx.ephemeralPorts ? 0 : undefined });
      return { listening: { socket: agent.unixPath ?? '', port: agent.tcp?.port ?? 0 }, close: () => agent.close() };
    },
  },
  {
    name: 'clamd',
    enabled: (c) => c.clamd.enabled,
    async start(ctx) {
      const agent = await startClamdAgent(
        { config: ctx.config.clamd, stateDir: ctx.stateDir, scanner: ctx.scanner, logger: ctx.logger, reload: ctx.reload, shutdown: ctx.shutdown },
        { tcpPortOverride: ctx.ephemeralPorts ? 0 : undefined },
      );
      return { listening: { socket: agent.unixPath ?? '', port: agent.tcp?.port ?? 0 }, close: () => agent.close() };
    },
  },
];
