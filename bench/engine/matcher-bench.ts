/**
 * Matcher micro-benchmark: compiles N random body signatures with wildcards (seeded) and
 * scans random data, real executables (/usr/bin) and text, whole-buffer and in 1 MiB chunks.
 *   node bin/moat-dev.js bench/engine/matcher-bench.ts [--sigs 100000] [--mb 100]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { compileMatcher } from '../../src/engine/match/compile-matcher.js';
import { loadMatcher } from '../../src/engine/match/load-matcher.js';
import type { BodySignatureRecord, LogicalSignatureRecord } from '../../src/engine/sigdb/records.js';
import type { MatchContext } from '../../src/engine/contracts.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSigs(n: number, seed: number): { body: BodySignatureRecord[]; logical: LogicalSignatureRecord[] } {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const hexb = (k: number): string => {
    let s = '';
    for (let i = 0; i < k; i++) s += int(0, 255).toString(16).padStart(2, '0');
    return s;
  };
  const body: BodySignatureRecord[] = [];
  const logical: LogicalSignatureRecord[] = [];
  const source = { file: 'bench.ndb', line: 0 };
  for (let i = 0; i < n; i++) {
    let hex: string;
    switch (i % 8) {
      case 0: hex = hexb(int(8, 24)); break;
      case 1: hex = `${hexb(int(4, 8))}??${hexb(int(3, 8))}`; break;
      case 2: hex = `${hexb(int(4, 8))}{${int(0, 8)}-${int(9, 40)}}${hexb(int(4, 8))}`; break;
      case 3: hex = `${hexb(int(4, 8))}*${hexb(int(4, 8))}`; break;
      case 4: hex = `${hexb(int(3, 6))}(${hexb(1)}|${hexb(1)}|${hexb(1)})${hexb(int(3, 6))}`; break;
      case 5: hex = `${hexb(3)}${int(0, 15).toString(16)}?${hexb(int(4, 8))}{${int(1, 60)}}${hexb(4)}`; break;
      case 6: hex = `${hexb(int(4, 6))}(${hexb(2)}|${hexb(2)})${hexb(int(2, 6))}`; break;
      default: hex = `${hexb(int(6, 12))}[1-8]${hexb(1)}`; break;
    }
    const target = i % 10 === 0 ? 1 : i % 17 === 0 ? 7 : 0;
    body.push({ name: `Bench.Sig-${i}`, target, offset: i % 50 === 0 ? `EOF-${int(10, 1000)}` : '*', hex, source });
  }
  for (let i = 0; i < n / 100; i++) {
    logical.push({ name: `Bench.Lsig-${i}`, tdb: { Target: '0' }, expression: '0&1', subsigs: [hexb(6), `${hexb(4)}*${hexb(4)}`], source });
  }
  return { body, logical };
}

function realExecutables(maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const dir of ['/usr/bin', '/usr/lib/x86_64-linux-gnu']) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      if (total >= maxBytes) break;
      const p = join(dir, n);
      try {
        const st = statSync(p);
        if (!st.isFile() || st.size < 4096) continue;
        const b = readFileSync(p);
        parts.push(b.subarray(0, Math.min(b.length, maxBytes - total)));
        total += parts[parts.length - 1]!.length;
      } catch {
        // unreadable: skip
      }
    }
  }
  return Buffer.concat(parts);
}

function textData(bytes: number): Uint8Array {
  const words = 'the quick brown fox jumps over lazy dog mail message received from subject content type multipart boundary base64 html body table'.split(' ');
  const r = rng(7);
  const out = Buffer.alloc(bytes);
  let at = 0;
  while (at < bytes) {
    const w = words[Math.floor(r() * words.length)]!;
    at += out.write(r() < 0.08 ? `${w}\r\n` : `${w} `, at, 'latin1');
  }
  return out;
}

function measure(label: string, data: Uint8Array, scan: (d: Uint8Array) => number): void {
  scan(data.subarray(0, Math.min(data.length, 4 << 20))); // warm-up
  const t0 = performance.now();
  const found = scan(data);
  const ms = performance.now() - t0;
  process.stdout.write(`${label.padEnd(44)} ${(data.length / 1048576).toFixed(0).padStart(4)} MiB  ${((data.length / 1048576) / (ms / 1000)).toFixed(0).padStart(5)} MiB/s  matches=${found}\n`);
}

const nSigs = arg('sigs', 100_000);
const mb = arg('mb', 100);
const { body, logical } = randomSigs(nSigs, 42);
const heap0 = process.memoryUsage();
const t0 = performance.now();
const { transferable, rejected } = compileMatcher(body, logical);
const compileMs = performance.now() - t0;
const heapPeak = process.memoryUsage();
(globalThis as { gc?: () => void }).gc?.(); // run with --expose-gc to see what stays resident
const heap1 = process.memoryUsage();
const sharedBytes = transferable.buffers.reduce((s, b) => s + b.byteLength, 0);
const t1 = performance.now();
const matcher = loadMatcher(transferable);
const loadMs = performance.now() - t1;
process.stdout.write(
  `signatures ${body.length} body + ${logical.length} logical, rejected ${rejected.length}\n` +
    `compile ${compileMs.toFixed(0)} ms, loadMatcher ${loadMs.toFixed(1)} ms, shared tables ${(sharedBytes / 1048576).toFixed(1)} MiB, ` +
    `rss peak +${((heapPeak.rss - heap0.rss) / 1048576).toFixed(0)} MiB, JS heap retained after gc ${((heap1.heapUsed - heap0.heapUsed) / 1048576).toFixed(0)} MiB (tables are off-heap)\n`,
);

const random = new Uint8Array(mb * 1048576);
const r = rng(99);
for (let i = 0; i < random.length; i += 4) {
  const v = (r() * 4294967296) >>> 0;
  random[i] = v;
  random[i + 1] = v >>> 8;
  random[i + 2] = v >>> 16;
  random[i + 3] = v >>> 24;
}
const exes = realExecutables(Math.min(mb, 64) * 1048576);
const text = textData(Math.min(mb, 64) * 1048576);
const zeros = new Uint8Array(Math.min(mb, 32) * 1048576);

const whole = (type: MatchContext['type']) => (d: Uint8Array): number => matcher.scan(d, { type, containers: [], allMatch: true }).names.length;
const chunked = (type: MatchContext['type']) => (d: Uint8Array): number => {
  const s = matcher.createScan({ type, containers: [], allMatch: true }, d.length);
  for (let i = 0; i < d.length; i += 1 << 20) s.write(d.subarray(i, i + (1 << 20)));
  return s.end().names.length;
};
measure('random, whole buffer (binary)', random, whole('CL_TYPE_BINARY_DATA'));
measure('random, 1 MiB chunks (binary)', random, chunked('CL_TYPE_BINARY_DATA'));
measure('random as PE root (generic + PE sigs)', random, whole('CL_TYPE_MSEXE'));
measure('real executables /usr/bin (ELF root)', exes, whole('CL_TYPE_ELF'));
measure('zeros', zeros, whole('CL_TYPE_BINARY_DATA'));
measure('ASCII text (raw + normalised passes)', text.subarray(0, Math.min(text.length, 16 << 20)), whole('CL_TYPE_TEXT_ASCII'));

// Signatures cut from real executables (like x86 code signatures), scanned over other executables:
// the hard case for anchor choice, many candidates resemble the content.
{
  const r2 = rng(5);
  const src = realExecutables(96 << 20).subarray(64 << 20);
  const codeSigs: BodySignatureRecord[] = [];
  for (let i = 0; i < 20_000; i++) {
    const at = Math.floor(r2() * (src.length - 64));
    const len = 12 + Math.floor(r2() * 20);
    let hex = '';
    for (let j = 0; j < len; j++) hex += j === 5 || j === 9 ? '??' : src[at + j]!.toString(16).padStart(2, '0');
    codeSigs.push({ name: `Code.Sig-${i}`, target: 6, offset: '*', hex, source: { file: 'code.ndb', line: i } });
  }
  const c0 = performance.now();
  const { matcher: cm, rejected: cr } = compileMatcher(codeSigs, []);
  process.stdout.write(`code-derived: ${codeSigs.length} signatures (${cr.length} rejected: no 2 static bytes), compile ${(performance.now() - c0).toFixed(0)} ms\n`);
  measure('code-derived sigs over real executables', exes, (d) => {
    const res = cm.scan(d, { type: 'CL_TYPE_ELF', containers: [], allMatch: true });
    return res.names.length + (res.limitExceeded ? 1e9 : 0);
  });
}

// A real worker: the tables cross as SharedArrayBuffers (no copy), the worker only builds views.
const workerUrl = new URL('./matcher-bench-worker.ts', import.meta.url).href;
const worker = new Worker(`import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(workerUrl)}); });`, { eval: true });
const sample = random.subarray(0, 16 << 20);
const reply = await new Promise<{ loadMs: number; scanMs: number; names: number }>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
  worker.postMessage({ transferable, data: sample });
});
await worker.terminate();
process.stdout.write(
  `worker: loadMatcher ${reply.loadMs.toFixed(1)} ms, scan 16 MiB random ${(16 / (reply.scanMs / 1000)).toFixed(0)} MiB/s, matches=${reply.names}\n`,
);
