/**
 * Per-message scan cost inside the engine (no SMTP): scans each FILE N times through the worker
 * pool as mail (what the SMTP agent asks for) and prints ms per scan and MB/s.
 * Run: node bin/moat-dev.js bench/engine/mail-scan-micro.ts [-d DB] [-n N] [-c CONCURRENCY] FILE...
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadEngine } from '../../src/engine/scanner.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { d: { type: 'string', multiple: true }, n: { type: 'string' }, c: { type: 'string' }, workers: { type: 'string' } } });
const n = Number(values.n ?? 200);
const concurrency = Number(values.c ?? 4);
const { scanner } = await loadEngine({ databases: values.d ?? [], workers: Number(values.workers ?? 2) });
console.log('| file | bytes | scans | ms/scan (wall, c=' + concurrency + ') | MB/s | nodes |');
console.log('|---|---|---|---|---|---|');
for (const file of positionals) {
  const data = await readFile(file);
  const first = await scanner.scan({ kind: 'buffer', data, name: file }, { isMail: true });
  let nodes = 0;
  const stack = [first.root];
  while (stack.length) {
    const node = stack.pop()!;
    nodes++;
    stack.push(...node.children);
  }
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) await scanner.scan({ kind: 'buffer', data, name: file }, { isMail: true });
  }));
  const ms = (performance.now() - t0) / n;
  console.log(`| ${file} | ${data.length} | ${n} | ${ms.toFixed(3)} | ${((data.length / 1e6) / (ms / 1000)).toFixed(1)} | ${nodes} |`);
}
await scanner.close();
