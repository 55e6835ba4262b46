import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../core/config/load.js';
import type { MoatConfig } from '../core/config/schema.js';
import { toMoatError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildSnapshot, loadEngine, type EngineScanner } from '../engine/scanner.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import { cleanByMimePart } from '../pipeline/mime-cleaner.js';
import { maildirNextHop, smtpNextHop } from '../agents/smtp/next-hop.js';
import { openSqliteStore, type SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { AGENTS, type RunningAgent } from './agents.js';
import { engineOptions } from './engine-options.js';
import { SwappablePipeline } from './metered-pipeline.js';
import { openSpamScorer } from './spam-scorer-factory.js';
import { startModelRefits } from '../antispam/model/model-refit.js';
import type { SpamScorer } from '../antispam/types.js';
import { DaemonMetrics, startMetricsServer } from './metrics.js';

export interface DaemonOptions {
  loadConfig: () => Promise<LoadedConfig>;
  cwd: string;
  /** Main config file, for resolving relative paths in it; undefined = embedded defaults. */
  configPath?: string;
  logger: Logger;
  /** Tests: bind port 0 for every listener. */
  ephemeralPorts?: boolean;
  /** Called when an agent asks the daemon to stop (clamd SHUTDOWN). */
  onShutdownRequest?: () => void;
}

export interface Daemon {
  readonly config: MoatConfig;
  readonly stateDir: string;
  readonly agents: ReadonlyMap<string, RunningAgent>;
  readonly metricsPort: number | undefined;
  readonly metrics: DaemonMetrics;
  /** SIGHUP: re-read config and signatures; in-flight messages finish on the old ones. Resolves false (old kept) on error. */
  reload(): Promise<boolean>;
  /** SIGTERM: stop accepting, finish in-flight within daemon.shutdown_grace_ms, release everything. */
  stop(): Promise<void>;
}

/** Builds and starts everything `moat daemon` runs. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.logger;
  let loaded = await options.loadConfig();
  const stateDir = resolve(options.cwd, loaded.config.global.state_dir);
  await mkdir(stateDir, { recursive: true, mode: 0o750 });
  const configDir = options.configPath ? dirname(resolve(options.cwd, options.configPath)) : options.cwd;

  const started = performance.now();
  const { scanner, report } = await loadEngine({ ...engineOptions(loaded.config), logger: log.child({ part: 'engine' }) });
  log.info({ step: 'engine', signatures: report.signatureCount, dbVersion: report.version, skipped: report.skipped.length, ms: Math.round(performance.now() - started) }, 'signatures loaded');
  const store: SqliteStore = openSqliteStore(stateDir, { onEventLogError: (err, rows) => log.warn({ err: err.message, rows }, 'event log write failed') });
  const metrics = new DaemonMetrics();
  // Anti-spam ([antispam] enabled): rules and Bayes store are reopened on SIGHUP; stores of
  // earlier generations are closed at stop (in-flight messages may still be using them).
  const spamStores: Array<{ close(): Promise<void> }> = [];
  // One model refit loop, on the newest store: a reload stops the previous one.
  let stopRefits = () => {};
  const openScorer = async (config: MoatConfig): Promise<SpamScorer | undefined> => {
    stopRefits();
    stopRefits = () => {};
    if (!config.antispam.enabled) return undefined;
    const { scorer, store: tokens } = await openSpamScorer({ ...config, global: { ...config.global, state_dir: stateDir } }, log.child({ part: 'antispam' }));
    spamStores.push(tokens);
    const m = config.antispam.model;
    if (m.enabled) stopRefits = startModelRefits(tokens, { intervalMs: m.refit_minutes * 60_000, maxExamples: m.max_examples, minLearned: config.antispam.bayes.min_learned, logger: log.child({ part: 'antispam' }) });
    return scorer;
  };
  const makePipeline = (config: MoatConfig, s: EngineScanner, spamScorer: SpamScorer | undefined) =>
    createPipeline({
      scanner: s,
      spamScorer,
      config: () => config,
      quarantine: store.quarantine,
      events: store.events,
      logger: log.child({ part: 'pipeline' }),
      cleaner: cleanByMimePart,
      // Notices travel the same way as accepted mail: the MTA's re-injection listener, or the local Maildirs.
      notify: async (envelope, message) => {
        const c = config.smtp;
        const hop = c.next_hop ? smtpNextHop(c.next_hop, { heloName: c.hostname, timeoutMs: c.next_hop_timeout_ms }) : maildirNextHop(resolve(stateDir, c.maildir));
        const reply = await hop.deliver({ mailFrom: envelope.mailFrom, rcptTo: envelope.rcptTo, data: message });
        if (reply.code >= 400) throw new Error(`${hop.description} refused the notification: ${reply.code} ${reply.text ?? ''}`);
      },
    });
  const pipeline = new SwappablePipeline(makePipeline(loaded.config, scanner, await openScorer(loaded.config)), metrics);

  let reloading: Promise<boolean> = Promise.resolve(true);
  const reloadOnce = async (): Promise<boolean> => {
    try {
      const next = await options.loadConfig();
      const opts = engineOptions(next.config);
      const { snapshot, report: r } = await buildSnapshot({ paths: opts.databases, strict: opts.strict, pua: opts.pua, nowSeconds: Math.floor(Date.now() / 1000) });
      const nextPipeline = makePipeline(next.config, scanner, await openScorer(next.config));
      scanner.reload(snapshot);
      pipeline.swap(nextPipeline);
      loaded = next;
      metrics.reloads++;
      log.info({ step: 'reload', signatures: r.signatureCount, dbVersion: r.version, files: next.files }, 'configuration and signatures reloaded');
      return true;
    } catch (err) {
      metrics.reloadFailures++;
      const e = toMoatError(err);
      log.error({ step: 'reload', code: e.code, err: e.message }, 'reload failed; keeping the running configuration and signatures');
      return false;
    }
  };
  const reload = () => (reloading = reloading.then(reloadOnce));

  const agents = new Map<string, RunningAgent>();
  const stopAgents = async (graceMs: number) => {
    await Promise.allSettled([...agents.values()].map((a) => a.close(graceMs)));
    agents.clear();
  };
  try {
    for (const reg of AGENTS) {
      if (!reg.enabled(loaded.config)) continue;
      const agent = await reg.start({
        config: loaded.config,
        stateDir,
        configDir,
        pipeline,
        scanner,
        logger: log,
        reload: async () => {
          if (!(await reload())) throw new Error('reload failed (see the daemon log)');
        },
        shutdown: () => options.onShutdownRequest?.(),
        ephemeralPorts: options.ephemeralPorts ?? false,
      });
      agents.set(reg.name, agent);
      log.info({ step: 'agent', agent: reg.name, ...agent.listening }, 'agent started');
    }
  } catch (err) {
    await stopAgents(1_000);
    await scanner.close();
    store.close();
    throw err;
  }

  const metricsServer = loaded.config.daemon.metrics_listen
    ? await startMetricsServer(options.ephemeralPorts ? loaded.config.daemon.metrics_listen.replace(/:\d+$/, ':0') : loaded.config.daemon.metrics_listen, () =>
        metrics.render({ ...scanner.stats(), dbVersion: scanner.dbVersion }, pipeline.inFlight()),
      )
    : undefined;
  if (metricsServer) log.info({ step: 'metrics', port: metricsServer.port }, 'metrics listening');

  let stopping: Promise<void> | undefined;
  return {
    get config() {
      return loaded.config;
    },
    stateDir,
    agents,
    metricsPort: metricsServer?.port,
    metrics,
    reload,
    stop() {
      stopping ??= (async () => {
        log.info({ step: 'stop', inFlight: pipeline.inFlight() }, 'stopping: no new connections, finishing in-flight messages');
        await stopAgents(loaded.config.daemon.shutdown_grace_ms);
        await metricsServer?.close();
        await reloading.catch(() => undefined);
        await scanner.close();
        stopRefits();
        await Promise.allSettled(spamStores.map((t) => t.close()));
        store.close();
        log.info({ step: 'stop' }, 'stopped');
      })();
      return stopping;
    },
  };
}
