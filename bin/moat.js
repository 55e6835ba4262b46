#!/usr/bin/env node
// The `moat` command. Sources are TypeScript run through tsx's loader; worker threads
// started by the engine add the same loader to their execArgv.
import { Console } from 'node:console';
import { register } from 'tsx/esm/api';

// Standard output is Moat's own: a report, JSON lines, the daemon's log, or the mail itself
// (moat pipe). A library's console.log goes to standard error instead: mailauth 4 prints a line
// there for every DKIM signature whose l= tag does not match the body, which a sender controls.
globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
