#!/usr/bin/env node
// The `moat` command. Sources are TypeScript run through tsx's loader; worker threads
// started by the engine add the same loader to their execArgv.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
