import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { CliContext } from '../context.js';
import type { MoatConfig } from '../../core/config/schema.js';
import { openSpamScorer } from '../../daemon/spam-scorer-factory.js';
import { COMMAND_LOCK_WAIT_MS } from '../../storage/bayes/sqlite-token-store.js';
import { boundedLines } from '../../core/bounded-lines.js';
import { checkExportHeader, exportHeader, exportRecord, MAX_EXPORT_LINE_BYTES, parseExportRecord } from '../../antispam/bayes/bayes-export.js';
import { refitModel } from '../../antispam/model/model-refit.js';

/** Writes one line, waiting when the stream asks to (a slow pipe, a full disk buffer). */
async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

/** `moat learn --export FILE|-`: every learned message, read-only on the store. */
export async function exportBayes(ctx: CliContext, config: MoatConfig, target: string): Promise<number> {
  const { store } = await openSpamScorer(config, ctx.createLogger('warn'), { readOnly: true, network: false });
  let out: Writable = ctx.stdout;
  try {
    if (target !== '-') {
      // wx: an existing file (an earlier export, perhaps the only copy) is never overwritten.
      out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
      await once(out, 'open');
    }
    const counts = { spam: 0, ham: 0 };
    await writeLine(out, exportHeader(await store.totals(), new Date()));
    for await (const record of store.learnedMessages()) {
      counts[record.class]++;
      await writeLine(out, exportRecord(record));
    }
    if (out !== ctx.stdout) {
      out.end();
      await once(out, 'finish');
    }
    ctx.stderr.write(`Exported ${counts.spam} spam and ${counts.ham} ham${target === '-' ? '' : ` to ${target}`}\n`);
    return 0;
  } catch (err) {
    ctx.stderr.write(`moat learn --export: ${(err as Error).message}\n`);
    return 2;
  } finally {
    if (out !== ctx.stdout) out.destroy();
    await store.close();
  }
}

/** `moat learn --import FILE|-`: learns an export into the configured store; bad lines are named and skipped. */
export async function importBayes(ctx: CliContext, config: MoatConfig, source: string): Promise<number> {
  const { store } = await openSpamScorer(config, ctx.createLogger('warn'), { network: false, lockWaitMs: COMMAND_LOCK_WAIT_MS });
  const name = source === '-' ? 'standard input' : source;
  const outcomes = { new: 0, moved: 0, features: 0, known: 0, kept: 0 };
  let bad = 0;
  try {
    const input = source === '-' ? ctx.stdin : createReadStream(source);
    let header = true;
    for await (const item of boundedLines(input as AsyncIterable<Buffer>, MAX_EXPORT_LINE_BYTES)) {
      if (header) {
        header = false;
        const wrong = 'tooLong' in item ? 'the first line is too long: not a moat learn --export file' : checkExportHeader(item.line);
        if (wrong) {
          ctx.stderr.write(`moat learn --import: ${name}: ${wrong}\n`);
          return 2;
        }
        continue;
      }
      if (!('tooLong' in item) && item.line.trim() === '') continue;
      const record = 'tooLong' in item ? { error: `longer than ${MAX_EXPORT_LINE_BYTES >> 20} MiB` } : parseExportRecord(item.line);
      if ('error' in record) {
        bad++;
        ctx.stderr.write(`moat learn --import: ${name}: line ${item.lineNo}: ${record.error}; skipped\n`);
        continue;
      }
      outcomes[await store.learn(record.key, record.tokens, record.class, record.features)]++;
    }
    if (header) {
      ctx.stderr.write(`moat learn --import: ${name} is empty: not a moat learn --export file\n`);
      return 2;
    }
    const totals = await store.totals();
    const changed = outcomes.new + outcomes.moved + outcomes.features;
    ctx.stdout.write(`Imported ${changed} message(s) (${outcomes.new} new, ${outcomes.moved} moved to the exported class${outcomes.features ? `, ${outcomes.features} with model features added` : ''}), ${outcomes.known} already known${bad ? `, ${bad} bad line(s) skipped` : ''}; the classifier now knows ${totals.spam} spam and ${totals.ham} ham\n`);
    const model = config.antispam.model;
    if (model.enabled && changed > 0) {
      const r = await refitModel(store, { maxExamples: model.max_examples, minLearned: config.antispam.bayes.min_learned });
      if (r.fitted) ctx.stdout.write(`Spam model fitted on ${r.spam} spam and ${r.ham} ham in ${(r.ms / 1000).toFixed(1)} s\n`);
    }
    return bad ? 2 : 0;
  } catch (err) {
    ctx.stderr.write(`moat learn --import: ${name}: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}
