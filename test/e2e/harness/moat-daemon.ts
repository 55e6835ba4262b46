import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from './ports.js';

export const MOAT_BIN = fileURLToPath(new URL('../../../bin/moat.js', import.meta.url));

/** A `moat daemon` child process with its own config file and state directory. */
export interface MoatDaemon {
  pid: number;
  child: ChildProcess;
  /** JSON log lines so far. */
  logLines(): Array<Record<string, unknown>>;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Writes `toml` to DIR/moat.toml and starts `node bin/moat.js daemon --config DIR/moat.toml`; waits for `waitPort`.
 * MOAT_TEST is set for it (as scripts/run-tests.mjs sets it), so a configuration whose DNS checks
 * would ask the system's resolver keeps it from starting (src/daemon/spam-scorer-factory.ts).
 */
export async function startMoatDaemon(options: { dir: string; toml: string; waitPort: number; env?: NodeJS.ProcessEnv }): Promise<MoatDaemon> {
  const configFile = join(options.dir, 'moat.toml');
  await writeFile(configFile, options.toml);
  const child = spawn(process.execPath, [MOAT_BIN, '--config', configFile, 'daemon'], { cwd: options.dir, env: { ...process.env, MOAT_TEST: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = Promise.race([waitForPort(options.waitPort, 30_000), exited.then((code) => Promise.reject(new Error(`moat daemon exited (${code}) before listening:\n${err}\n${out.slice(-2000)}`)))]);
  await started;
  return {
    pid: child.pid!,
    child,
    exited,
    logLines: () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    signal: (sig) => void child.kill(sig),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
  };
}
