/**
 * Where the CPU goes per message: smtp-source → {smtp-sink | Moat → smtp-sink} for one size and
 * concurrency, with the CPU time (user + system, from /proc) each process — and each thread of
 * Moat — spent per message. On a small machine this shows whether Moat is limited by one thread
 * (the event loop, the scan workers) or by the machine's cores.
 *
 *   node bin/moat-dev.js bench/smtp/cpu-per-message.ts [--bytes 2000] [--sessions 8] [--messages 2000]
 *
 * Each target is measured twice after a warm-up pass; threads are named by role: "main" (the
 * event loop), "scan" (engine workers, the busiest threads after main), "other" (V8 and libuv helpers).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBareRelay, startBenchMoat, startSmtpSink, writeBenchDatabase } from './bench-setup.js';

const { values } = parseArgs({ options: { bytes: { type: 'string', default: '2000' }, sessions: { type: 'string', default: '8' }, messages: { type: 'string', default: '2000' } } });
const BYTES = Number(values.bytes);
const SESSIONS = Number(values.sessions);
const MESSAGES = Number(values.messages);
const TICKS_PER_SECOND = 100;

/** CPU milliseconds of a process or thread from its /proc stat line (utime + stime). */
async function cpuMs(statPath: string): Promise<number> {
  const raw = await readFile(statPath, 'utf8');
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1000;
}

async function threadsMs(pid: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const ms = await cpuMs(`/proc/${pid}/task/${tid}/stat`).catch(() => undefined);
    if (ms !== undefined) out.set(Number(tid), ms);
  }
  return out;
}

/** Runs smtp-source against `port`; resolves with msgs/s and the source's own CPU per message. */
async function source(port: number, messages: number): Promise<{ rate: number; cpu: number }> {
  const t0 = performance.now();
  const child = spawn('smtp-source', ['-s', String(SESSIONS), '-m', String(messages), '-l', String(BYTES), '-f', 'alice@example.org', '-t', 'bob@example.com', `127.0.0.1:${port}`], { stdio: 'ignore' });
  let cpu = 0;
  // The child's counters vanish with it: sample them until it exits.
  const poll = setInterval(() => void cpuMs(`/proc/${child.pid}/stat`).then((ms) => (cpu = ms), () => undefined), 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`smtp-source exited with ${code}`);
  return { rate: messages / ((performance.now() - t0) / 1000), cpu: cpu / messages };
}

const dir = await mkdtemp(join(tmpdir(), 'moat-cpu-'));
await chmod(dir, 0o755);
const dbDir = await writeBenchDatabase(dir);
const sink = await startSmtpSink();
const sinkPort = sink.port;
const { port: moatPort, daemon: moat } = await startBenchMoat(dir, dbDir, sinkPort);
const bare = await startBareRelay(sinkPort);
try {
  await source(sinkPort, Math.min(MESSAGES, 500));
  await source(moatPort, Math.min(MESSAGES, 500));
  await source(bare.port, Math.min(MESSAGES, 500));
  console.log(`${BYTES}-byte messages, ${SESSIONS} sessions, ${MESSAGES} per run; CPU ms per message`);
  console.log('| target | msgs/s | smtp-source | smtp-sink | relay total | relay main | relay scan workers | relay other threads |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (let round = 0; round < 2; round++) {
    // The relay whose threads are read: none for the ceiling (smtp-source talks to smtp-sink).
    for (const [name, port, pid] of [['smtp-sink directly (ceiling)', sinkPort, undefined], ['Moat (AV on) → smtp-sink', moatPort, moat.pid], ['bare relay, no scan (floor) → smtp-sink', bare.port, bare.pid]] as const) {
      const sink0 = await cpuMs(`/proc/${sink.pid}/stat`);
      const t0 = pid === undefined ? new Map<number, number>() : await threadsMs(pid);
      const run = await source(port, MESSAGES);
      const sinkPer = ((await cpuMs(`/proc/${sink.pid}/stat`)) - sink0) / MESSAGES;
      const t1 = pid === undefined ? new Map<number, number>() : await threadsMs(pid);
      const per = [...t1].map(([tid, ms]) => ({ tid, ms: (ms - (t0.get(tid) ?? 0)) / MESSAGES }));
      const main = per.find((t) => t.tid === pid)?.ms ?? 0;
      // Scan workers: the busiest threads other than main (as many as the engine runs; the bare relay has none).
      const others = per.filter((t) => t.tid !== pid).sort((a, b) => b.ms - a.ms);
      const workers = pid === moat.pid ? others.slice(0, Math.max(1, availableParallelism())) : [];
      const scan = workers.reduce((a, t) => a + t.ms, 0);
      const rest = others.slice(workers.length).reduce((a, t) => a + t.ms, 0);
      const f = (x: number) => x.toFixed(2);
      const moatCells = pid === undefined ? ['-', '-', '-', '-'] : [f(main + scan + rest), f(main), f(scan), f(rest)];
      console.log(`| ${name} | ${run.rate.toFixed(0)} | ${f(run.cpu)} | ${f(sinkPer)} | ${moatCells.join(' | ')} |`);
    }
  }
} finally {
  await bare.stop();
  await moat.stop();
  await sink.stop();
  await rm(dir, { recursive: true, force: true });
}
