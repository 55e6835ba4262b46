import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const MOAT_BIN = fileURLToPath(new URL('../../../bin/moat.js', import.meta.url));

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs `node bin/moat.js ARGS` with `input` on stdin (asynchronously: the daemon may live in this process). */
export function runMoat(args: string[], options: { input?: Buffer | string; env?: NodeJS.ProcessEnv; stdio1?: number; onSpawn?: (pid: number) => void; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MOAT_BIN, ...args], {
      env: { ...process.env, MOAT_LOG_LEVEL: 'silent', ...options.env },
      stdio: ['pipe', options.stdio1 ?? 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    });
    if (child.pid) options.onSpawn?.(child.pid);
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c) => (err += c));
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(options.input ?? '');
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: err }));
  });
}
