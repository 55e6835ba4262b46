/**
 * SMTP benchmark: smtp-source → {smtp-sink directly | Moat → smtp-sink | amavisd-new + clamd →
 * smtp-sink}, at several concurrencies. Throughput from Postfix's smtp-source (a size mix of
 * 2 KB / 50 KB / 500 KB bodies, 60/30/10 %), added latency per message from a Node client
 * sending real MIME messages (text, attachments). Run: node bin/moat-dev.js bench/smtp/run.ts
 * Env: BENCH_MESSAGES (per round and concurrency, split 60/30/10 by size; default 1000: fewer are
 * dominated by ramp-up and tail, ~10 min in all), BENCH_CONCURRENCY (1,8,32),
 * BENCH_SKIP_AMAVIS=1, BENCH_SKIP_BARE=1 (skips the bare-relay.ts floor — smtp-server + next-hop client, no scan — and smtp-server alone as a sink), BENCH_ROUNDS (default 3: the targets are measured round-robin this many times
 * and the median is reported, because a shared 2-core VM varies ±50% minute to minute). Every target
 * gets one unmeasured warm-up pass first. Per size class rates are printed beside the mix.
 * Anti-spam is off on both sides (Amavis bypasses spam checks): this measures AV.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sendMessage } from '../../src/agents/smtp/smtp-client.js';
import { freePort } from '../../test/e2e/harness/ports.js';
import { startAmavisd, startClamd } from './amavis-clamd.js';
import { startBareRelay, startBenchMoat, startSmtpSink, writeBenchDatabase } from './bench-setup.js';

const run = promisify(execFile);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1000);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SIZE_MIX: Array<[bytes: number, share: number]> = [
  [2_000, 0.6],
  [50_000, 0.3],
  [500_000, 0.1],
];

/** Messages/s for smtp-source at `sessions` parallel sessions over the size mix, and per size class. */
async function throughput(port: number, sessions: number): Promise<{ rate: number; perClass: number[] }> {
  let messages = 0;
  let seconds = 0;
  const perClass: number[] = [];
  for (const [bytes, share] of SIZE_MIX) {
    const m = Math.max(sessions, Math.round(MESSAGES * share));
    const t0 = performance.now();
    await run('smtp-source', ['-s', String(sessions), '-m', String(m), '-l', String(bytes), '-f', 'alice@example.org', '-t', 'bob@example.com', `127.0.0.1:${port}`], { timeout: 600_000 });
    const s = (performance.now() - t0) / 1000;
    perClass.push(m / s);
    seconds += s;
    messages += m;
  }
  return { rate: messages / seconds, perClass };
}

function mimeMessage(i: number): Buffer {
  const kind = i % 10;
  const attachment = kind < 6 ? '' : Buffer.alloc(kind < 9 ? 40_000 : 300_000, i).toString('base64').replace(/.{76}/g, '$&\r\n');
  const body = attachment
    ? `--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`
    : `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30)}\r\n`;
  const ct = attachment ? 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n' : 'Content-Type: text/plain\r\n';
  return Buffer.from(`From: alice@example.org\r\nTo: bob@example.com\r\nSubject: bench ${i}\r\nMessage-ID: <bench-${i}@example.org>\r\n${ct}\r\n${body}`);
}

/** p50 / p99 milliseconds per message at `concurrency` clients. */
async function latency(port: number, concurrency: number): Promise<{ p50: number; p99: number; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  const total = Math.max(concurrency * 10, Math.min(MESSAGES, 300));
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        const reply = await sendMessage({ host: '127.0.0.1', port, heloName: 'bench.test', timeoutMs: 120_000 }, { mailFrom: 'alice@example.org', rcptTo: ['bob@example.com'], data: mimeMessage(i) }).catch(() => ({ code: 0 }));
        times.push(performance.now() - t0);
        if (reply.code !== 250) failures++;
      }
    }),
  );
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
  return { p50: q(0.5), p99: q(0.99), failures };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-bench-'));
  await chmod(dir, 0o755);
  const dbDir = await writeBenchDatabase(dir);
  const sink = await startSmtpSink();
  const sinkPort = sink.port;
  const stops: Array<() => Promise<unknown>> = [sink.stop];
  const targets: Array<{ name: string; port: number }> = [{ name: 'smtp-sink directly (ceiling)', port: sinkPort }];
  try {
    const { port: moatPort, daemon: moat } = await startBenchMoat(dir, dbDir, sinkPort);
    stops.push(() => moat.stop());
    targets.push({ name: 'Moat (AV on) → smtp-sink', port: moatPort });
    if (!process.env.BENCH_SKIP_BARE) {
      const bare = await startBareRelay(sinkPort);
      stops.push(bare.stop);
      targets.push({ name: 'bare relay, no scan (floor) → smtp-sink', port: bare.port });
      const nodeSink = await startBareRelay(sinkPort, true);
      stops.push(nodeSink.stop);
      targets.push({ name: 'smtp-server alone, forwards nothing', port: nodeSink.port });
    }
    if (!process.env.BENCH_SKIP_AMAVIS) {
      try {
        const clamd = await startClamd(join(dir, 'clamd'), dbDir);
        stops.push(() => clamd.stop());
        const amavisPort = await freePort();
        const amavis = await startAmavisd({ dir: join(dir, 'amavis'), port: amavisPort, forwardPort: sinkPort, clamdSocket: clamd.socket, servers: 4 });
        stops.push(() => amavis.stop());
        targets.push({ name: 'amavisd-new + clamd → smtp-sink', port: amavisPort });
      } catch (err) {
        console.log(`amavisd-new/clamd could not be started: ${(err as Error).message}`);
      }
    }
    console.log(`| target | concurrency | msgs/s median (each round) | by size ${SIZE_MIX.map(([b]) => `${b / 1000} KB`).join(' / ')} | p50 ms | p99 ms | failures |`);
    console.log(`|---|---|---|---|---|---|---|`);
    // One unmeasured pass per target first: steady state is what a daemon runs in (JIT warm, workers
    // and Amavis children started, next-hop sessions open), and a cold first round is noise for both.
    for (const t of targets) await throughput(t.port, CONCURRENCY[0]!);
    const results: Record<string, Record<number, { rate: number; p50: number; p99: number }>> = {};
    for (const c of CONCURRENCY) {
      const samples = new Map<string, Array<{ rate: number; perClass: number[]; p50: number; p99: number; failures: number }>>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of targets) {
          const tp = await throughput(t.port, c);
          const lat = await latency(t.port, c);
          samples.set(t.name, [...(samples.get(t.name) ?? []), { ...tp, ...lat }]);
        }
      }
      for (const t of targets) {
        const xs = samples.get(t.name)!;
        const r = { rate: median(xs.map((x) => x.rate)), p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)) };
        (results[t.name] ??= {})[c] = r;
        const failures = xs.reduce((a, x) => a + x.failures, 0);
        const byClass = SIZE_MIX.map((_, k) => median(xs.map((x) => x.perClass[k]!)).toFixed(0)).join(' / ');
        console.log(`| ${t.name} | ${c} | ${r.rate.toFixed(0)} (${xs.map((x) => x.rate.toFixed(0)).join('/')}) | ${byClass} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${failures} |`);
      }
    }
    const ceiling = results[targets[0]!.name]!;
    console.log('\nAdded latency and share of the ceiling:');
    for (const t of targets.slice(1)) {
      for (const c of CONCURRENCY) {
        const r = results[t.name]![c]!;
        console.log(`${t.name} @${c}: ${((100 * r.rate) / ceiling[c]!.rate).toFixed(0)}% of ceiling; added p50 ${(r.p50 - ceiling[c]!.p50).toFixed(1)} ms, p99 ${(r.p99 - ceiling[c]!.p99).toFixed(1)} ms`);
      }
    }
    const moatName = targets[1]!.name;
    const amavis = targets.find((t) => t.name.startsWith('amavisd'))?.name;
    if (amavis) for (const c of CONCURRENCY) console.log(`Moat / Amavis @${c}: ${(results[moatName]![c]!.rate / results[amavis]![c]!.rate).toFixed(1)}×`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
