import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { isAccepting } from '../harness/ports.js';

/** A foreground MTA/filter daemon started by a test harness, with its stdout+stderr kept. */
export interface DaemonProcess {
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `command` and waits until it accepts connections on 127.0.0.1:`port`. Fails with the
 * daemon's own output when it exits first or does not listen within `timeoutMs` (then it is killed).
 */
export async function startDaemonProcess(name: string, command: string, args: string[], options: { port: number; timeoutMs?: number; env?: SpawnOptions['env'] }): Promise<DaemonProcess> {
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited ${child.exitCode}: ${output}`);
    if (await isAccepting(options.port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not listen on ${options.port}: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    output: () => output,
    stop: (graceMs = 5_000) => stopChild(child, graceMs),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, graceMs);
    child.on('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
