import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

/**
 * Where the daemon's JSON lines go. `stdout` suits systemd (journald stores each line);
 * `syslog` pipes them through logger(1) to the local syslog socket (Node cannot open the
 * datagram /dev/log itself), tagged `moat`, facility mail.
 */
export function logDestination(target: 'stdout' | 'stderr' | 'syslog'): { stream: Writable; close(): void } {
  if (target === 'stdout') return { stream: process.stdout, close: () => undefined };
  if (target === 'stderr') return { stream: process.stderr, close: () => undefined };
  const child = spawn('logger', ['-t', 'moat', '-p', 'mail.info', '--id', String(process.pid)], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.on('error', () => undefined);
  child.unref();
  return { stream: child.stdin, close: () => child.stdin.end() };
}
