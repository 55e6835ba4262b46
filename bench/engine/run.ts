/**
 * Engine benchmark: `moat scan` vs Debian's `/usr/bin/clamscan` on the same generated
 * ClamAV-format database and corpus. Measures DB load time, whole-run time, peak RSS,
 * MB/s and files/s, and checks that both report the same detections.
 *
 *   npm run bench:engine -- [--hashes 1000000] [--body 100000] [--logical 5000]
 *                           [--corpus-mb 300] [--seed 1] [--profile] [--no-clamscan] [--keep]
 *
 * --profile runs `moat scan` once more under `node --cpu-prof` and prints where the time goes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
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
    keep: { type: 'boolean', default: false },
  },
});

const MOAT = resolve('bin/moat.js');

/** One way of scanning the corpus. The daemon-vs-clamd comparison adds two runners here (see CLAMD HOOK). */
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
// CLAMD HOOK: when `moat daemon` serves the clamd protocol, push two runners whose command is
// `clamdscan --config-file=F --multiscan --infected --no-summary PATHS` — one config pointing at a
// private clamd (bench/smtp/amavis-clamd.ts startClamd), one at Moat's socket — and start/stop both
// servers around the loop below; the load-time column then measures the reload (RELOAD command).

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
  for (const runner of runners) {
    const load = await measure(runner.command(fx.dbDir, [tiny]), work);
    const full = await measure(runner.command(fx.dbDir, [fx.corpusDir]), work);
    results.set(runner.name, full);
    const scanS = Math.max(0.001, full.seconds - load.seconds);
    rows.push([runner.name, fmt(load.seconds, 2), fmt(full.seconds, 2), fmt(scanS, 2), fmt(fx.bytes / 1048576 / scanS), fmt(corpusPaths.length / scanS, 0), fmt(full.peakRssMb, 0), String(full.found.size)]);
  }

  const header = ['scanner', 'DB load s', 'total s', 'scan s', 'MB/s', 'files/s', 'peak RSS MB', 'detections'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}`);
  console.log('\nDB load = a run on one tiny file (process start + DB load + compile); scan = total − DB load.');

  const moat = results.get('moat scan')!;
  const missed = compare(fx.planted, moat.found);
  console.log(missed.length ? `\nmoat vs planted: ${missed.length} differences\n  ${missed.slice(0, 20).join('\n  ')}` : '\nmoat vs planted: identical');
  const clam = results.get('clamscan');
  if (clam) {
    const diffs = compare(moat.found, clam.found);
    console.log(diffs.length ? `moat vs clamscan: ${diffs.length} differences\n  ${diffs.slice(0, 20).join('\n  ')}` : 'moat vs clamscan: identical detections');
    console.log(`clamscan: ${execFileSync('/usr/bin/clamscan', ['--version']).toString().trim()}`);
  }
  if (values.profile) {
    const profDir = join(work, 'prof');
    t0 = performance.now();
    spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, MOAT, 'scan', '-d', fx.dbDir, '--infected', '--no-summary', fx.corpusDir], { stdio: 'ignore', env: { ...process.env, MOAT_CONFIG: join(work, 'empty.toml') } });
    console.log(`\nprofile (${fmt((performance.now() - t0) / 1000)} s, all threads, self time):\n${await summariseProfiles(profDir, 25)}`);
  }
  process.exitCode = missed.length ? 1 : 0;
} finally {
  if (!values.keep) await rm(work, { recursive: true, force: true });
}
