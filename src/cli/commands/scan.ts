import { parseArgs } from 'node:util';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliCommand, CliContext } from '../context.js';
import { MoatError, toMoatError } from '../../core/errors.js';
import type { ScanNode, ScanReport } from '../../core/verdict.js';
import { loadEngine, type EngineScanner } from '../../engine/scanner.js';
import { enabledHeuristics } from '../../engine/heuristics/heuristic-names.js';
import { describeSkipped } from '../../engine/sigdb/load-databases.js';
import { parseSize, parseDuration } from '../units.js';
import { configuredLimits } from '../../daemon/engine-options.js';

const HELP = `Usage: moat scan [OPTIONS] PATH... | -

Scans files, directories (recursively) and standard input ("-") with Moat's engine, like
clamscan. Mail messages and mbox files are recognised by content and opened part by part;
archives and documents are opened within the limits below.

Output: "PATH: NAME FOUND" for each detection, "PATH: OK" when clean, "PATH: NOT SCANNED
(STATE)" when something could not be inspected (encrypted, too big, ...), "PATH: REASON ERROR"
when the file could not be scanned; then a summary.

Exit status: 0 nothing found, 1 something found, 2 an error occurred.

Options:
  -d, --database PATH   signature database file or directory (repeatable); replaces
                        engine.databases from the configuration. The built-in EICAR
                        database is always loaded.
      --strict-db       refuse the databases if any line is malformed
      --pua             load PUA signatures (*.hdu, *.ndu, ...)
      --json            print one JSON object per scanned path, with the object tree
  -i, --infected        print only infected paths
      --no-summary      do not print the summary
  -z, --allmatch        keep scanning after a match and report every signature
      --max-filesize N  largest single object inspected (e.g. 100M)
      --max-scansize N  bytes inspected per scanned path (e.g. 400M)
      --max-recursion N deepest container nesting
      --max-files N     most objects per scanned path
      --max-scantime T  time limit per scanned path (e.g. 120s, 2m)
  -r, --recursive       accepted for clamscan compatibility (directories are always recursive)
  -h, --help            this help

Configuration: engine.databases, engine.workers, engine.limits and [heuristics] apply.
`;

interface Totals {
  files: number;
  dirs: number;
  infected: number;
  errors: number;
  bytes: number;
}

async function* walk(path: string, totals: Totals): AsyncGenerator<string> {
  const st = await stat(path);
  if (!st.isDirectory()) {
    yield path;
    return;
  }
  totals.dirs++;
  const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) yield* walk(p, totals);
    else if (e.isFile()) yield p;
  }
}

function notScannedStates(root: ScanNode): string[] {
  const states = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.state !== 'clean' && n.state !== 'infected' && n.state !== 'suspicious') states.add(n.state);
    stack.push(...n.children);
  }
  return [...states];
}

function subtreeDetections(node: ScanNode): string[] {
  const names = node.detections.map((d) => d.name);
  for (const c of node.children) for (const n of subtreeDetections(c)) if (!names.includes(n)) names.push(n);
  return names;
}

function printReport(ctx: CliContext, path: string, report: ScanReport, opts: { json: boolean; infectedOnly: boolean; allMatch: boolean }): void {
  if (opts.json) {
    ctx.stdout.write(`${JSON.stringify({ path, verdict: report.verdict, detections: report.detections, dbVersion: report.dbVersion, durationMs: report.durationMs, bytesScanned: report.bytesScanned, tree: report.root })}\n`);
    return;
  }
  const messages = report.root.children.filter((c) => /^message \d+$/.test(c.name ?? ''));
  if (messages.length > 1 && messages.length === report.root.children.length) {
    // An mbox: one line per message, `PATH#N`.
    for (const m of messages) {
      const names = subtreeDetections(m);
      const states = notScannedStates(m);
      if (names.length) for (const name of opts.allMatch ? names : names.slice(0, 1)) ctx.stdout.write(`${path}#${m.name!.slice(8)}: ${name} FOUND\n`);
      else if (!opts.infectedOnly) ctx.stdout.write(`${path}#${m.name!.slice(8)}: ${states.length ? `NOT SCANNED (${states.join(', ')})` : 'OK'}\n`);
    }
    return;
  }
  if (report.detections.length) {
    const names = opts.allMatch ? report.detections : report.detections.slice(0, 1);
    for (const name of names) ctx.stdout.write(`${path}: ${name} FOUND\n`);
  } else if (!opts.infectedOnly) {
    ctx.stdout.write(report.verdict === 'not_scanned' ? `${path}: NOT SCANNED (${notScannedStates(report.root).join(', ')})\n` : `${path}: OK\n`);
  }
}

export const scanCommand: CliCommand = {
  name: 'scan',
  summary: 'scan files, directories or stdin (clamscan-like)',
  help: HELP,
  async run(ctx, argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          database: { type: 'string', short: 'd', multiple: true },
          'strict-db': { type: 'boolean' },
          pua: { type: 'boolean' },
          json: { type: 'boolean' },
          infected: { type: 'boolean', short: 'i' },
          'no-summary': { type: 'boolean' },
          allmatch: { type: 'boolean', short: 'z' },
          recursive: { type: 'boolean', short: 'r' },
          'max-filesize': { type: 'string' },
          'max-scansize': { type: 'string' },
          'max-recursion': { type: 'string' },
          'max-files': { type: 'string' },
          'max-scantime': { type: 'string' },
        },
      });
    } catch (err) {
      ctx.stderr.write(`moat scan: ${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    const { values, positionals } = parsed;
    if (positionals.length === 0) {
      ctx.stderr.write(`moat scan: no PATH given (use "-" for standard input)\n\n${HELP}`);
      return 2;
    }
    const { config } = await ctx.loadConfig();
    const limits = configuredLimits(config);
    try {
      if (values['max-filesize']) limits.maxObjectBytes = parseSize(values['max-filesize'], '--max-filesize');
      if (values['max-scansize']) limits.maxScanBytes = parseSize(values['max-scansize'], '--max-scansize');
      if (values['max-recursion']) limits.maxDepth = parseSize(values['max-recursion'], '--max-recursion');
      if (values['max-files']) limits.maxObjects = parseSize(values['max-files'], '--max-files');
      if (values['max-scantime']) limits.maxScanTimeMs = parseDuration(values['max-scantime'], '--max-scantime');
    } catch (err) {
      ctx.stderr.write(`moat scan: ${(err as Error).message}\n`);
      return 2;
    }
    const started = performance.now();
    const { scanner, report: load } = await loadEngine({
      databases: values.database ?? config.engine.databases,
      strict: values['strict-db'] ?? config.engine.strict_databases,
      pua: values.pua ?? config.engine.pua,
      workers: config.engine.workers,
      limits,
      heuristics: enabledHeuristics(config.heuristics),
    });
    const problems = describeSkipped({ skipped: load.skipped } as Parameters<typeof describeSkipped>[0]);
    for (const line of problems.slice(0, 20)) ctx.stderr.write(`moat scan: ${line}\n`);
    if (problems.length > 20) ctx.stderr.write(`moat scan: ... and ${problems.length - 20} more database problems\n`);
    const totals: Totals = { files: 0, dirs: 0, infected: 0, errors: 0, bytes: 0 };
    const opts = { json: values.json ?? false, infectedOnly: values.infected ?? false, allMatch: values.allmatch ?? false };
    try {
      await scanAll(ctx, scanner, positionals, totals, opts);
    } finally {
      await scanner.close();
    }
    if (!values['no-summary'] && !opts.json) {
      const secs = (performance.now() - started) / 1000;
      ctx.stdout.write(
        [
          '',
          '----------- SCAN SUMMARY -----------',
          `Known viruses: ${load.signatureCount}`,
          `Engine version: moat (signatures ${load.version})`,
          `Scanned directories: ${totals.dirs}`,
          `Scanned files: ${totals.files}`,
          `Infected files: ${totals.infected}`,
          ...(totals.errors ? [`Total errors: ${totals.errors}`] : []),
          `Data scanned: ${(totals.bytes / 1024 / 1024).toFixed(2)} MB`,
          `Time: ${secs.toFixed(3)} sec (${Math.floor(secs / 60)} m ${Math.floor(secs % 60)} s)`,
          '',
        ].join('\n'),
      );
    }
    return totals.errors ? 2 : totals.infected ? 1 : 0;
  },
};

async function startsWithFromLine(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(5), 0, 5, 0);
    return bytesRead === 5 && buffer.toString('latin1') === 'From ';
  } finally {
    await fh.close();
  }
}

async function scanAll(ctx: CliContext, scanner: EngineScanner, paths: string[], totals: Totals, opts: { json: boolean; infectedOnly: boolean; allMatch: boolean }): Promise<void> {
  const window = Math.max(2, scanner.stats().workers * 2);
  let batch: Array<{ path: string; result: Promise<ScanReport> }> = [];
  const flush = async () => {
    for (const item of batch) {
      try {
        const report = await item.result;
        totals.files++;
        totals.bytes += report.bytesScanned;
        if (report.detections.length) totals.infected++;
        printReport(ctx, item.path, report, opts);
      } catch (err) {
        totals.errors++;
        const e = toMoatError(err);
        if (opts.json) ctx.stdout.write(`${JSON.stringify({ path: item.path, error: { code: e.code, message: e.message } })}\n`);
        else ctx.stdout.write(`${item.path}: ${e.message} ERROR\n`);
      }
    }
    batch = [];
  };
  for (const path of paths) {
    if (path === '-') {
      batch.push({ path: 'stdin', result: scanner.scan({ kind: 'stream', stream: ctx.stdin, name: 'stdin' }, { allMatch: opts.allMatch, objectHashes: opts.json }) });
      await flush();
      continue;
    }
    try {
      for await (const file of walk(path, totals)) {
        // Every message of an mbox is reported, so an mbox is not abandoned at its first detection.
        const allMatch = opts.allMatch || (await startsWithFromLine(file));
        batch.push({ path: file, result: scanner.scan({ kind: 'file', path: file }, { allMatch, objectHashes: opts.json }) });
        if (batch.length >= window) await flush();
      }
    } catch (err) {
      await flush();
      totals.errors++;
      const e = err as NodeJS.ErrnoException;
      const message = e.code === 'ENOENT' ? 'No such file or directory' : toMoatError(err).message;
      if (opts.json) ctx.stdout.write(`${JSON.stringify({ path, error: { code: e.code === 'ENOENT' ? 'IO' : toMoatError(err).code, message } })}\n`);
      else ctx.stdout.write(`${path}: ${message} ERROR\n`);
      if (!(err instanceof MoatError) && e.code !== 'ENOENT' && e.code !== 'EACCES') throw err;
    }
  }
  await flush();
}
