/**
 * Engine benchmark: `moat scan` vs Debian's `/usr/bin/clamscan` on the same generated
 * ClamAV-format database and corpus. Measures DB load time, whole-run time, peak RSS,
 * MB/s and files/s, and checks that both report the same detections.
 *
 *   npm run bench:engine -- [--hashes 1000000] [--body 100000] [--logical 5000]
 *                           [--corpus-mb 300] [--seed 1] [--profile] [--no-clamscan] [--no-daemon]
 *                           [--profile-daemon] [--keep]
 *
 * Then daemon vs daemon: `moat daemon` (clamd protocol on a private UNIX socket, other agents off)
 * vs a private Debian `clamd` (own clamd.conf and socket, same DB directory), both driven by the
 * identical `clamdscan --config-file=F --multiscan` path scan. Load = spawn until PING answers;
 * RSS = /proc/PID/status VmRSS/VmHWM of the daemon after load and after the scan.
 *
 * --profile runs `moat scan` once more under `node --cpu-prof` and prints where the time goes;
 * --profile-daemon runs the measured `moat daemon` itself under --cpu-prof (its figures then include
 * the profiler's overhead) and prints the same summary.
 *
 * Exit status 1 when Moat's detections differ from clamscan's or clamd's (from the planted set when
 * --no-clamscan). Planted-vs-found differences that ClamAV shares are printed for information only.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { runDaemons, type DaemonResult } from './daemons.js';
import { parseArgs } from 'node:util';
import { generateFixture, type BenchFixture } from './bench-corpus.js';
import { summariseProfiles } from './cpu-profile-summary.js';

const { values } = parseArgs({
  options: {
    hashes: { type: 'string', default: '1000000' },
    body: { type: 'string', default: '100000' },
    logical: { type: 'string', default: '5000' },
    'corpus-mb': { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    profile: { type: 'boolean', default: false },
    'no-clamscan': { type: 'boolean', default: false },
    'no-daemon': { type: 'boolean', default: false },
    'profile-daemon': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const MOAT = resolve('bin/moat.js');

/** One way of scanning the corpus in a fresh process (DB load + scan). */
interface Runner {
  name: string;
  /** Command that loads the DB and scans `paths`, printing `PATH: NAME FOUND` lines. */
  command(dbDir: string, paths: string[]): { file: string; args: string[] };
}

interface RunResult {
  seconds: number;
  peakRssMb: number;
  found: Map<string, string>;
  exit: number;
}

const runners: Runner[] = [
  { name: 'moat scan', command: (db, paths) => ({ file: process.execPath, args: [MOAT, 'scan', '-d', db, '--infected', '--no-summary', ...paths] }) },
];
if (!values['no-clamscan']) {
  runners.push({ name: 'clamscan', command: (db, paths) => ({ file: '/usr/bin/clamscan', args: ['-d', db, '-r', '--infected', '--no-summary', ...paths] }) });
}
// Daemon vs daemon (moat daemon's clamd socket vs a private clamd, both via clamdscan --multiscan): see daemons.ts.

/** Runs a scanner under /usr/bin/time to get wall time and peak RSS (all threads of the process). */
async function measure(cmd: { file: string; args: string[] }, work: string): Promise<RunResult> {
  const timeFile = join(work, `time-${Date.now()}`);
  const child = spawn('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd.file, ...cmd.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MOAT_CONFIG: join(work, 'empty.toml') } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = await new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  if (exit === 2 || exit < 0) process.stderr.write(`${cmd.file} exited ${exit}: ${err.slice(0, 2000)}\n`);
  const [seconds, rssKb] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
  const found = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^(.*): (\S+) FOUND$/.exec(line);
    if (m) found.set(basename(m[1]!), m[2]!.replace(/\.UNOFFICIAL$/, ''));
  }
  return { seconds: seconds!, peakRssMb: rssKb! / 1024, found, exit };
}

function compare(a: Map<string, string>, b: Map<string, string>): string[] {
  const diffs: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) if (a.get(k) !== b.get(k)) diffs.push(`${k}: ${a.get(k) ?? '-'} vs ${b.get(k) ?? '-'}`);
  return diffs.sort();
}

const fmt = (n: number, d = 1): string => n.toFixed(d);

const work = await mkdtemp(join(tmpdir(), 'moat-bench-engine-'));
await writeFile(join(work, 'empty.toml'), '');
try {
  const scale = { hashes: Number(values.hashes), bodySigs: Number(values.body), logicalSigs: Number(values.logical), corpusMb: Number(values['corpus-mb']), seed: Number(values.seed) };
  let t0 = performance.now();
  const fx: BenchFixture = await generateFixture(work, scale);
  console.log(`generated in ${fmt((performance.now() - t0) / 1000)} s: DB ${scale.hashes} .hdb + ${scale.bodySigs} .ndb + ${scale.logicalSigs} .ldb; corpus ${fx.files} files, ${fmt(fx.bytes / 1048576)} MB, ${fx.planted.size} planted detections (${work})`);
  const tiny = join(work, 'tiny.txt');
  await writeFile(tiny, 'nothing to see here\n');
  const corpusPaths = (await readdir(fx.corpusDir)).sort().map((n) => join(fx.corpusDir, n));

  const rows: string[][] = [];
  const results = new Map<string, RunResult>();
  const measuredScan = new Map<string, { load: number; scan: number; rss: number }>();
  for (const runner of runners) {
    const load = await measure(runner.command(fx.dbDir, [tiny]), work);
    const full = await measure(runner.command(fx.dbDir, [fx.corpusDir]), work);
    results.set(runner.name, full);
    const scanS = Math.max(0.001, full.seconds - load.seconds);
    measuredScan.set(runner.name, { load: load.seconds, scan: scanS, rss: full.peakRssMb });
    rows.push([runner.name, fmt(load.seconds, 2), fmt(full.seconds, 2), fmt(scanS, 2), fmt(fx.bytes / 1048576 / scanS), fmt(corpusPaths.length / scanS, 0), fmt(full.peakRssMb, 0), String(full.found.size)]);
  }

  const header = ['scanner', 'DB load s', 'total s', 'scan s', 'MB/s', 'files/s', 'peak RSS MB', 'detections'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
  console.log('\nDB load = a run on one tiny file (process start + DB load + compile); scan = total − DB load.');

  const moat = results.get('moat scan')!;
  let failures = 0;
  const missed = compare(fx.planted, moat.found);
  console.log(missed.length ? `\nmoat vs planted: ${missed.length} differences\n  ${missed.slice(0, 20).join('\n  ')}` : '\nmoat vs planted: identical');
  const clam = results.get('clamscan');
  if (clam) {
    const diffs = compare(moat.found, clam.found);
    failures += diffs.length;
    console.log(diffs.length ? `moat vs clamscan: ${diffs.length} differences\n  ${diffs.slice(0, 20).join('\n  ')}` : 'moat vs clamscan: identical detections');
    console.log(`clamscan: ${execFileSync('/usr/bin/clamscan', ['--version']).toString().trim()}`);
  }
  if (!values['no-daemon']) {
    const daemonProf = values['profile-daemon'] ? join(work, 'prof-daemon') : undefined;
    const [md, cd] = (await runDaemons({ work, dbDir: fx.dbDir, corpusDir: fx.corpusDir, moat: MOAT, profDir: daemonProf })) as [DaemonResult, DaemonResult];
    const mb = fx.bytes / 1048576;
    const r = (a: number, b: number): string => (b > 0 ? `${fmt(a / b, 2)}×` : '-');
    const t: [string, string, string, string][] = [];
    const ms = measuredScan.get('moat scan');
    const cs = measuredScan.get('clamscan');
    if (ms && cs) {
      t.push(['scanner: DB load s', fmt(ms.load, 2), fmt(cs.load, 2), r(ms.load, cs.load)]);
      t.push(['scanner: scan MB/s', fmt(mb / ms.scan), fmt(mb / cs.scan), r(cs.scan, ms.scan)]);
      t.push(['scanner: files/s', fmt(corpusPaths.length / ms.scan, 0), fmt(corpusPaths.length / cs.scan, 0), r(cs.scan, ms.scan)]);
      t.push(['scanner: peak RSS MB', fmt(ms.rss, 0), fmt(cs.rss, 0), r(ms.rss, cs.rss)]);
    }
    t.push(['daemon: load s (until PING)', fmt(md.loadS, 2), fmt(cd.loadS, 2), r(md.loadS, cd.loadS)]);
    t.push(['daemon: scan s (clamdscan --multiscan)', fmt(md.scanS, 2), fmt(cd.scanS, 2), r(md.scanS, cd.scanS)]);
    t.push(['daemon: MB/s', fmt(mb / md.scanS), fmt(mb / cd.scanS), r(cd.scanS, md.scanS)]);
    t.push(['daemon: files/s', fmt(corpusPaths.length / md.scanS, 0), fmt(corpusPaths.length / cd.scanS, 0), r(cd.scanS, md.scanS)]);
    t.push(['daemon: RSS after load MB', fmt(md.rssLoadMb, 0), fmt(cd.rssLoadMb, 0), r(md.rssLoadMb, cd.rssLoadMb)]);
    t.push(['daemon: RSS after scan MB', fmt(md.rssScanMb, 0), fmt(cd.rssScanMb, 0), r(md.rssScanMb, cd.rssScanMb)]);
    t.push(['daemon: peak RSS (VmHWM) MB', fmt(md.hwmMb, 0), fmt(cd.hwmMb, 0), r(md.hwmMb, cd.hwmMb)]);
    t.push(['detections (daemon)', String(md.found.size), String(cd.found.size), '']);
    const goalTp = mb / md.scanS >= mb / cd.scanS;
    const goalRss = md.hwmMb <= cd.hwmMb / 2;
    console.log(`\n| measurement | Moat | ClamAV | ratio Moat/ClamAV (MB/s, files/s: speedup) |\n|---|---|---|---|\n${t.map((x) => `| ${x.join(' | ')} |`).join('\n')}`);
    console.log(`\ngoal: daemon throughput ≥ clamd's: ${goalTp ? 'MET' : 'NOT MET'} (${fmt(mb / md.scanS)} vs ${fmt(mb / cd.scanS)} MB/s)`);
    console.log(`goal: daemon RSS ≤ half of clamd's (VmHWM): ${goalRss ? 'MET' : 'NOT MET'} (${fmt(md.hwmMb, 0)} vs ${fmt(cd.hwmMb / 2, 0)} MB)`);
    const dd = compare(md.found, cd.found);
    console.log(dd.length ? `moat daemon vs clamd: ${dd.length} differences\n  ${dd.slice(0, 20).join('\n  ')}` : 'moat daemon vs clamd: identical detections');
    failures += dd.length;
    if (daemonProf) console.log(`\nmoat daemon profile (load + scan, all threads, self time):\n${await summariseProfiles(daemonProf, 25)}`);
    const ds = compare(md.found, moat.found);
    console.log(ds.length ? `moat daemon vs moat scan: ${ds.length} differences\n  ${ds.slice(0, 20).join('\n  ')}` : 'moat daemon vs moat scan: identical detections');
  }
  if (values.profile) {
    const profDir = join(work, 'prof');
    t0 = performance.now();
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, MOAT, 'scan', '-d', fx.dbDir, '--infected', '--no-summary', fx.corpusDir], { stdio: 'ignore', env: { ...process.env, MOAT_CONFIG: join(work, 'empty.toml') } });
    console.log(`\nprofile (${fmt((performance.now() - t0) / 1000)} s, all threads, self time):\n${await summariseProfiles(profDir, 25)}`);
  }
  process.exitCode = failures || (!clam && missed.length) ? 1 : 0;
} finally {
  if (!values.keep) await rm(work, { recursive: true, force: true });
}
