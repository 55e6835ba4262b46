import { createLogger, type LogLevel } from '../core/logger.js';
import type { LoadedConfig } from '../core/config/load.js';
import { toMoatError } from '../core/errors.js';
import { startDaemon } from './daemon.js';
import { logDestination } from './log-destination.js';

/**
 * `moat daemon` in the foreground: starts everything, then SIGHUP reloads, SIGTERM/SIGINT stop
 * gracefully. Resolves with the exit status.
 */
export async function runDaemonProcess(options: { loadConfig: () => Promise<LoadedConfig>; cwd: string; configPath?: string; logLevel?: string; stderr: NodeJS.WritableStream }): Promise<number> {
  let first: LoadedConfig;
  try {
    first = await options.loadConfig();
  } catch (err) {
    options.stderr.write(`moat daemon: ${toMoatError(err).message}\n`);
    return 78; // EX_CONFIG: systemd's RestartPreventExitStatus keeps it from looping on a bad file
  }
  const dest = logDestination(first.config.global.log_target);
  const logger = createLogger({ level: (options.logLevel ?? first.config.global.log_level) as LogLevel, destination: dest.stream });
  let stopRequested: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (stopRequested = resolve));
  let daemon;
  try {
    daemon = await startDaemon({ loadConfig: options.loadConfig, cwd: options.cwd, configPath: options.configPath, logger, onShutdownRequest: () => stopRequested() });
  } catch (err) {
    const e = toMoatError(err);
    logger.error({ step: 'start', code: e.code, err: e.message }, 'daemon failed to start');
    options.stderr.write(`moat daemon: ${e.code}: ${e.message}\n`);
    dest.close();
    return e.code.startsWith('CONFIG') ? 78 : 1;
  }
  const onHup = () => void daemon.reload();
  const onTerm = () => stopRequested();
  process.on('SIGHUP', onHup);
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  logger.info({ step: 'ready', pid: process.pid, stateDir: daemon.stateDir, agents: [...daemon.agents.keys()], metricsPort: daemon.metricsPort }, 'moat daemon ready');
  await stopSignal;
  process.off('SIGTERM', onTerm);
  process.off('SIGINT', onTerm);
  await daemon.stop();
  process.off('SIGHUP', onHup);
  dest.close();
  return 0;
}
