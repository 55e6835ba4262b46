/**
 * Runs the real clamscan over a directory of inputs with a custom database directory
 * (offline: no official DB, no freshclam) and returns the signature names it reported per file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CLAMSCAN = '/usr/bin/clamscan';

export function clamscanAvailable(): boolean {
  return existsSync(CLAMSCAN);
}

/** File basename → set of signature names as clamscan prints them (custom DBs get `.UNOFFICIAL`). */
export async function clamscanDetections(dbDir: string, files: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const f of files) out.set(basename(f), new Set());
  let stdout: string;
  try {
    ({ stdout } = await run(CLAMSCAN, ['--no-summary', '--allmatch', '--stdout', '-d', dbDir, ...files], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    // Exit code 1 means "virus found"; anything else is a real failure.
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (e.code !== 1) throw new Error(`clamscan failed (${e.code}): ${e.stderr ?? ''}`, { cause: err });
    stdout = e.stdout ?? '';
  }
  for (const line of stdout.split('\n')) {
    const m = /^(.*): (.+) FOUND$/.exec(line);
    if (!m) continue;
    out.get(basename(m[1]!))?.add(m[2]!);
  }
  return out;
}
