import type { Readable, Writable } from 'node:stream';
import type { LoadedConfig } from '../core/config/load.js';
import type { Logger } from '../core/logger.js';

/** What every command receives: streams, environment and the global options, resolved once. */
export interface CliContext {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --config FILE / MOAT_CONFIG; undefined = /etc/moat/moat.toml if present, else embedded defaults. */
  configPath: string | undefined;
  /** --state-dir DIR / MOAT_STATE_DIR; overrides global.state_dir. */
  stateDirOverride: string | undefined;
  /** Reads and validates the configuration (main file + conf.d), applying the state-dir override. */
  loadConfig(): Promise<LoadedConfig>;
  /** A logger writing to stderr at the configured level (commands' stdout stays clean for results). */
  createLogger(level?: string): Logger;
}

/** One `moat` sub-command. `help` is printed for `moat CMD --help`. */
export interface CliCommand {
  name: string;
  summary: string;
  help: string;
  run(ctx: CliContext, argv: string[]): Promise<number>;
}
