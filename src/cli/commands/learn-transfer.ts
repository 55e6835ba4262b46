import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CliContext } from '../context.js';
import type { MoatConfig } from '../../core/config/schema.js';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';
import { openBayesStore } from '../../daemon/spam-scorer-factory.js';
import { COMMAND_LOCK_WAIT_MS } from '../../storage/bayes/sqlite-token-store.js';
import { boundedLines, type BoundedLine } from '../../core/bounded-lines.js';
import { checkExportHeader, exportHeader, exportRecord, MAX_EXPORT_LINE_BYTES, parseExportRecord } from '../../antispam/bayes/bayes-export.js';
import { refitModel } from '../../antispam/model/model-refit.js';

/** Writes one line, waiting when the stream asks to (a slow pipe, a full disk buffer). */
async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

/**
 * `moat learn --export FILE|-`: every learned message, read-only on the store. A store that is
 * missing or cannot be read is an error (exit 2), never an empty export; a file this run created
 * is removed when the export fails, so the retry is not refused.
 */
export async function exportBayes(ctx: CliContext, config: MoatConfig, target: string): Promise<number> {
  let store: BayesTokenStore | undefined;
  let out: Writable = ctx.stdout;
  let created = false;
  try {
    store = openBayesStore(config, { readOnly: true });
    const totals = await store.totals();
    if (target !== '-') {
      // wx: an existing file (an earlier export, perhaps the only copy) is never overwritten.
      out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
      await once(out, 'open');
      created = true;
    }
    const counts = { spam: 0, ham: 0 };
    await writeLine(out, exportHeader(totals, new Date()));
    for await (const record of store.learnedMessages()) {
      counts[record.class]++;
      await writeLine(out, exportRecord(record));
    }
    if (out !== ctx.stdout) {
      out.end();
      await once(out, 'finish');
    }
    ctx.stderr.write(`Exported ${counts.spam} spam and ${counts.ham} ham${target === '-' ? '' : ` to ${target}`}\n`);
    // An empty Redis prefix looks like any other: a mistyped redis_prefix exports nothing.
    if (counts.spam + counts.ham === 0) ctx.stderr.write(`moat learn --export: warning: the store holds nothing learned (${(await store.stats()).location}): check the configuration if you expected messages\n`);
    return 0;
  } catch (err) {
    ctx.stderr.write(`moat learn --export: ${(err as Error).message}\n`);
    if (created) await unlink(target).catch(() => undefined);
    return 2;
  } finally {
    if (out !== ctx.stdout) out.destroy();
    await store?.close();
  }
}

/** The first line of an export: the counts it announces, or what is wrong with it. */
async function readHeader(lines: AsyncIterator<BoundedLine>): Promise<{ spam: number; ham: number } | { wrong: string }> {
  const first = await lines.next();
  if (first.done) return { wrong: 'it is empty: not a moat learn --export file' };
  if ('tooLong' in first.value) return { wrong: 'the first line is too long: not a moat learn --export file' };
  const wrong = checkExportHeader(first.value.line);
  if (wrong) return { wrong };
  const { spam, ham } = JSON.parse(first.value.line) as { spam?: unknown; ham?: unknown };
  return { spam: Number(spam) || 0, ham: Number(ham) || 0 };
}

/**
 * `moat learn --import FILE|-`: learns an export into the configured store. The header is checked
 * before the store is opened (a wrong file creates nothing); bad lines are named and skipped; a
 * store failure stops at the line it happened on.
 */
export async function importBayes(ctx: CliContext, config: MoatConfig, source: string): Promise<number> {
  const name = source === '-' ? 'standard input' : source;
  const fail = (what: string) => {
    ctx.stderr.write(`moat learn --import: ${name}: ${what}\n`);
    return 2;
  };
  let input: AsyncIterable<Buffer>;
  try {
    input = source === '-' ? (ctx.stdin as AsyncIterable<Buffer>) : createReadStream(source);
  } catch (err) {
    return fail((err as Error).message);
  }
  const lines = boundedLines(input, MAX_EXPORT_LINE_BYTES)[Symbol.asyncIterator]();
  let header: Awaited<ReturnType<typeof readHeader>>;
  try {
    header = await readHeader(lines);
  } catch (err) {
    return fail((err as Error).message);
  }
  if ('wrong' in header) return fail(header.wrong);
  const limit = config.antispam.bayes.max_learned;
  const announced = header.spam + header.ham;
  if (limit > 0 && announced > limit) ctx.stderr.write(`moat learn --import: warning: the export holds ${announced} messages and this store keeps at most ${limit} ([antispam.bayes] max_learned): all but the ${limit} most recently learned will be forgotten; set max_learned = 0 or higher first to keep them all\n`);
  const store = openBayesStore(config, { lockWaitMs: COMMAND_LOCK_WAIT_MS });
  const outcomes = { new: 0, moved: 0, features: 0, known: 0, kept: 0 };
  let bad = 0;
  let lineNo = 1;
  try {
    for (let item = await lines.next(); !item.done; item = await lines.next()) {
      lineNo = item.value.lineNo;
      if (!('tooLong' in item.value) && item.value.line.trim() === '') continue;
      const record = 'tooLong' in item.value ? { error: `longer than ${MAX_EXPORT_LINE_BYTES >> 20} MiB` } : parseExportRecord(item.value.line);
      if ('error' in record) {
        bad++;
        ctx.stderr.write(`moat learn --import: ${name}: line ${lineNo}: ${record.error}; skipped\n`);
        continue;
      }
      outcomes[await store.learn(record.key, record.tokens, record.class, record.features)]++;
    }
    const totals = await store.totals();
    const read = Object.values(outcomes).reduce((a, n) => a + n, 0) + bad;
    const changed = outcomes.new + outcomes.moved + outcomes.features;
    ctx.stdout.write(`Imported ${changed} message(s) (${outcomes.new} new, ${outcomes.moved} moved to the exported class${outcomes.features ? `, ${outcomes.features} with model features added` : ''}), ${outcomes.known} already known${bad ? `, ${bad} bad line(s) skipped` : ''}; the classifier now knows ${totals.spam} spam and ${totals.ham} ham\n`);
    if (read < announced) ctx.stderr.write(`moat learn --import: warning: ${name} holds ${read} of the ${announced} messages its header announces: it may have been cut short\n`);
    if (limit > 0 && totals.spam + totals.ham >= limit) ctx.stdout.write(`It keeps at most ${limit} messages ([antispam.bayes] max_learned): the least recently learned were forgotten\n`);
    const model = config.antispam.model;
    if (model.enabled && changed > 0) {
      const r = await refitModel(store, { maxExamples: model.max_examples, minLearned: config.antispam.bayes.min_learned });
      if (r.fitted) ctx.stdout.write(`Spam model fitted on ${r.spam} spam and ${r.ham} ham in ${(r.ms / 1000).toFixed(1)} s\n`);
    }
    return bad ? 2 : 0;
  } catch (err) {
    return fail(`stopped at line ${lineNo}: ${(err as Error).message}`);
  } finally {
    await store.close();
  }
}
