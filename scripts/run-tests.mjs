#!/usr/bin/env node
// Runs every test of the repository with node:test and the tsx loader.
//   node scripts/run-tests.mjs            all tests (unit, integration, end-to-end, fuzz)
//   node scripts/run-tests.mjs --unit     only tests outside test/e2e
//   node scripts/run-tests.mjs FILTER...  only test files whose path contains a FILTER
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

let files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
if (unitOnly) files = files.filter((f) => !f.startsWith('test/e2e/'));
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = Math.max(2, availableParallelism());
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, MOAT_TEST: '1' } },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
