/**
 * Daemon vs daemon for the engine benchmark: `moat daemon` (clamd protocol on a private UNIX socket,
 * SMTP/local/milter/anti-spam/metrics off) and a private Debian `clamd` (own clamd.conf, socket, temp
 * dir, same DB directory, no freshclam), each scanned with the same `clamdscan --multiscan` command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface DaemonResult {
  name: string;
  loadS: number;
  scanS: number;
  rssLoadMb: number;
  rssScanMb: number;
  hwmMb: number;
  found: Map<string, string>;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    let data = '';
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(2_000, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('zPING\0'));
    s.on('data', (d: Buffer) => { data += d.toString(); if (data.includes('PONG')) done(true); });
    s.on('end', () => done(data.includes('PONG')));
  });
}

async function procMb(pid: number): Promise<{ rss: number; hwm: number }> {
  const st = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(st)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

async function startAndWait(name: string, file: string, args: string[], env: NodeJS.ProcessEnv, socket: string, log: string): Promise<{ child: ChildProcess; loadS: number }> {
  const t0 = performance.now();
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 900_000;
  while (!(await ping(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop(child);
      throw new Error(`${name} did not answer PING: ${out.slice(-3000)} ${await readFile(log, 'utf8').catch(() => '')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, loadS: (performance.now() - t0) / 1000 };
}

async function clamdscan(conf: string, corpusDir: string): Promise<{ seconds: number; found: Map<string, string> }> {
  const t0 = performance.now();
  const child = spawn('/usr/bin/clamdscan', [`--config-file=${conf}`, '--multiscan', '--infected', '--no-summary', corpusDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const seconds = (performance.now() - t0) / 1000;
  if (exit === 2 || exit < 0) process.stderr.write(`clamdscan ${conf} exited ${exit}: ${err.slice(0, 2000)}\n`);
  const found = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(.*): (\S+) FOUND$/.exec(line);
    if (m) found.set(basename(m[1]!), m[2]!.replace(/\.UNOFFICIAL$/, ''));
  }
  return { seconds, found };
}

async function measureDaemon(name: string, start: () => Promise<{ child: ChildProcess; loadS: number }>, conf: string, corpusDir: string): Promise<DaemonResult> {
  const { child, loadS } = await start();
  try {
    await new Promise((r) => setTimeout(r, 1_000)); // let post-load GC / compaction settle
    const afterLoad = await procMb(child.pid!);
    const scan = await clamdscan(conf, corpusDir);
    const afterScan = await procMb(child.pid!);
    return { name, loadS, scanS: scan.seconds, rssLoadMb: afterLoad.rss, rssScanMb: afterScan.rss, hwmMb: afterScan.hwm, found: scan.found };
  } finally {
    await stop(child);
  }
}

/** `profDir`: run `moat daemon` under `node --cpu-prof` (main thread and every worker write a profile there). */
export async function runDaemons(o: { work: string; dbDir: string; corpusDir: string; moat: string; profDir?: string }): Promise<DaemonResult[]> {
  const results: DaemonResult[] = [];
  // Moat
  const mdir = join(o.work, 'moatd');
  await mkdir(join(mdir, 'state'), { recursive: true });
  const msock = join(mdir, 'state', 'clamd.sock');
  const mtoml = join(mdir, 'moat.toml');
  await writeFile(mtoml, [
    '[global]', `state_dir = ${JSON.stringify(join(mdir, 'state'))}`,
    '[daemon]', 'metrics_listen = ""',
    '[engine]', `databases = [${JSON.stringify(o.dbDir)}]`,
    '[clamd]', 'enabled = true', `local_socket = ${JSON.stringify(msock)}`, 'tcp_port = 0', `scan_roots = [${JSON.stringify(o.corpusDir)}]`,
    '[smtp]', 'enabled = false', '[local]', 'enabled = false', '[milter]', 'enabled = false', '[antispam]', 'enabled = false', '',
  ].join('\n'));
  const mconf = join(mdir, 'clamdscan.conf');
  await writeFile(mconf, `LocalSocket ${msock}\n`);
  const env = { ...process.env };
  const nodeArgs = o.profDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profDir}`] : [];
  results.push(await measureDaemon('moat daemon', () => startAndWait('moat daemon', process.execPath, [...nodeArgs, o.moat, 'daemon', '--config', mtoml], env, msock, join(mdir, 'none')), mconf, o.corpusDir));
  // clamd
  const cdir = join(o.work, 'clamd');
  await mkdir(join(cdir, 'tmp'), { recursive: true, mode: 0o755 });
  const csock = join(cdir, 'clamd.sock');
  const cconf = join(cdir, 'clamd.conf');
  await writeFile(cconf, `LocalSocket ${csock}\nLocalSocketMode 666\nDatabaseDirectory ${o.dbDir}\nTemporaryDirectory ${join(cdir, 'tmp')}\nForeground yes\nLogFile ${cdir}/clamd.log\nPidFile ${cdir}/clamd.pid\nUser root\nMaxThreads 10\nSelfCheck 0\n`);
  results.push(await measureDaemon('clamd', () => startAndWait('clamd', '/usr/sbin/clamd', ['-c', cconf], process.env, csock, join(cdir, 'clamd.log')), cconf, o.corpusDir));
  return results;
}
