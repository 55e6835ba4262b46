#!/usr/bin/env node
// Runs one TypeScript script of the repository (benchmarks, fixture generators) with tsx.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

register();
const [script, ...rest] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: moat-dev SCRIPT.ts [ARGS...]\n');
  process.exit(2);
}
process.argv = [process.argv[0], resolve(script), ...rest];
await import(pathToFileURL(resolve(script)).href);
