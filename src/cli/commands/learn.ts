import { parseArgs } from 'node:util';
import type { CliCommand } from '../context.js';
import { COMMAND_LOCK_WAIT_MS } from '../../storage/bayes/sqlite-token-store.js';
import { openBayesStore, openSpamScorer } from '../../daemon/spam-scorer-factory.js';
import { emptyTokenStore } from '../../storage/bayes/empty-token-store.js';
import type { BayesTokenStore } from '../../antispam/bayes/token-store.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forgetMessage, learnMessage } from '../../antispam/spam-scorer.js';
import { formatLearnStats, learnStats } from './learn-stats.js';
import { exportBayes, importBayes } from './learn-transfer.js';
import { moatMarkings } from '../moat-markings.js';
import type { CliContext } from '../context.js';
import type { MoatConfig } from '../../core/config/schema.js';
import type { LearnOutcome } from '../../antispam/bayes/token-store.js';
import { refitModel } from '../../antispam/model/model-refit.js';
import { mailMessages, type UnreadItem } from '../mail-sources.js';

const HELP = `Usage: moat learn --spam|--ham PATH...
       moat learn --forget PATH...
       moat learn --stats [--json]
       moat learn --export FILE|-
       moat learn --import FILE|-
       moat learn --refit

Trains the statistical classifiers (like sa-learn): Bayes and, when [antispam.model] enabled =
true (opt-in), the logistic spam model, refitted on the learned messages once the paths are
read. PATH may be a message file, a directory (also a Maildir: cur/ and new/ are read;
Maildir++ .Folders only when given as paths), an mbox file (read as a stream, each message
learned), or - for standard input. Files that are not mail (no header line at the start), empty
or over 64 MiB, and the mail store's own files (dovecot.*, subscriptions, maildirfolder) are
skipped and said so; a path that cannot be read is reported and the others are still learned.

Learning is idempotent: a message learned twice counts once (the same message in an mbox and in
a Maildir too); learning it with the other class moves it. A copy from a mailbox is learned as
Moat saw it when it scored it: the fields Moat put on top (X-Virus-Scanned: Moat, X-Moat-Result,
X-Spam-Flag, -Status, -Level, its Authentication-Results), the Received, Return-Path and
Delivered-To added above them later, and a subject tag Moat added are left out, so the copy of a
false positive in an inbox moves the message the daemon autolearned.

Each message gets a line ("learned as spam", "moved from ham to spam", "already learned as
spam", "forgotten (had been learned as spam)", "not learned: nothing to forget"); the summary
counts them. Uses the same configuration and state as the daemon ([antispam.bayes] backend:
SQLite under the state directory, or Redis); a running daemon picks the new model up within a
minute. A reader of the lines that goes away (| head) does not stop the learning.

Options:
  --spam      the messages are spam
  --ham       the messages are not spam
  --forget    take the messages back out (like sa-learn --forget): a message learned by
              mistake stops counting for either class; one never learned is left alone
  --stats     what the store holds and what the classifiers make of it (like sa-learn
              --dump magic): where it is, spam and ham learned, tokens, whether Bayes is
              scoring yet ([antispam.bayes] min_learned), the spam model's state.
              Reads only: a mistyped --state-dir gets no new store
  --json      with --stats: one JSON object instead of lines
  --export F  write every learned message to F (- for standard output) as JSON Lines, least
              recently learned first (like sa-learn --backup): to move Bayes to another host
              or from SQLite to Redis, or to keep a copy. Reads only; F must not exist yet
  --import F  learn an export into the configured store (like sa-learn --restore); a message
              known as the other class is moved to the exported one. Bad lines are named and
              skipped (exit 2); a file that is not an export is refused
  --refit     refit the spam model now (also alone: after quarantine releases, say);
              needs [antispam.model] enabled = true
  --quiet     print only the summary (and errors)

Exit status: 0 done, 2 usage, a store error, or a path that could not be read (the summary says
what was learned).
`;

const OUTCOME_TEXT: Record<LearnOutcome, (as: 'spam' | 'ham') => string> = {
  new: (as) => `learned as ${as}`,
  moved: (as) => `moved from ${as === 'spam' ? 'ham' : 'spam'} to ${as}`,
  features: (as) => `already learned as ${as}; its spam-model features added`,
  known: (as) => `already learned as ${as}`,
  kept: (as) => `learned as ${as === 'spam' ? 'ham' : 'spam'} before; kept so`,
};

/** What handling one message did: whether the store changed, and the message's line. */
interface Handled {
  changed: boolean;
  moved?: boolean;
  line: string;
}

/**
 * `moat learn --stats`: reads the store without creating or changing anything. No store yet is a
 * state to report (nothing learned); a store that cannot be read is an error (exit 2), not zeros.
 */
async function printStats(ctx: CliContext, config: MoatConfig, json: boolean): Promise<number> {
  const file = join(config.global.state_dir, 'bayes.db');
  let store: BayesTokenStore;
  try {
    store = config.antispam.bayes.backend === 'sqlite' && !existsSync(file) ? emptyTokenStore(`${file} does not exist`) : openBayesStore(config, { readOnly: true });
  } catch (err) {
    ctx.stderr.write(`moat learn --stats: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const stats = await learnStats(store, config);
    ctx.stdout.write(json ? `${JSON.stringify(stats)}\n` : formatLearnStats(stats, config.antispam.model.refit_minutes));
    return 0;
  } catch (err) {
    ctx.stderr.write(`moat learn --stats: ${(err as Error).message}\n`);
    return 2;
  } finally {
    await store.close();
  }
}

export const learnCommand: CliCommand = {
  name: 'learn',
  summary: 'train the spam classifiers (Bayes, logistic model) with spam or ham',
  help: HELP,
  async run(ctx, argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        spam: { type: 'boolean' },
        ham: { type: 'boolean' },
        forget: { type: 'boolean' },
        stats: { type: 'boolean' },
        json: { type: 'boolean' },
        export: { type: 'string' },
        import: { type: 'string' },
        refit: { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
    });
    const transfer = values.export ?? values.import;
    if (transfer !== undefined) {
      const alone = positionals.length === 0 && !values.spam && !values.ham && !values.forget && !values.stats && !values.json && !values.refit && (values.export === undefined || values.import === undefined);
      if (!alone || transfer === '') {
        ctx.stderr.write('moat learn: --export FILE and --import FILE go alone (FILE may be - for standard output or input)\n');
        return 2;
      }
      const { config } = await ctx.loadConfig();
      return values.export !== undefined ? exportBayes(ctx, config, values.export) : importBayes(ctx, config, transfer);
    }
    const modes = [values.spam, values.ham, values.forget, values.stats].filter(Boolean).length;
    const refitOnly = values.refit === true && positionals.length === 0 && modes === 0;
    const statsOnly = values.stats === true && positionals.length === 0 && modes === 1 && !values.refit;
    if (values.json && !statsOnly) {
      ctx.stderr.write('moat learn: --json goes with --stats alone\n');
      return 2;
    }
    if (!refitOnly && !statsOnly && (modes !== 1 || values.stats || positionals.length === 0)) {
      ctx.stderr.write(HELP);
      return 2;
    }
    const { config } = await ctx.loadConfig();
    if (statsOnly) return printStats(ctx, config, values.json === true);
    const as = values.spam ? 'spam' : 'ham';
    const model = config.antispam.model;
    if (values.refit && !model.enabled) {
      ctx.stderr.write('moat learn --refit: the spam model is off ([antispam.model] enabled = false), so there is nothing to refit\n');
      return 2;
    }
    // Only the token store is used: no network checks (nor their resolver).
    const { store } = await openSpamScorer(config, ctx.createLogger('warn'), { network: false, lockWaitMs: COMMAND_LOCK_WAIT_MS });
    const forgetting = values.forget === true;
    // Paths hold copies from mailboxes: read as Moat saw them when it scored them.
    const delivered = moatMarkings(config);
    /** One message: the store call, and what to say of it. */
    const handle = forgetting
      ? async (data: Buffer): Promise<Handled> => {
          const was = await forgetMessage(store, data, delivered);
          return was ? { changed: true, line: `forgotten (had been learned as ${was})` } : { changed: false, line: 'not learned: nothing to forget' };
        }
      : async (data: Buffer): Promise<Handled> => {
          const outcome = await learnMessage(store, data, as, model.enabled, delivered);
          return { changed: outcome !== 'known' && outcome !== 'kept', moved: outcome === 'moved', line: OUTCOME_TEXT[outcome](as) };
        };
    let changed = 0;
    let moved = 0;
    let unchanged = 0;
    let skipped = 0;
    let unreadable = 0;
    let storeError: string | undefined;
    try {
      const unread = (item: UnreadItem) => {
        if (item.kind === 'error') {
          unreadable++;
          ctx.stderr.write(`moat learn: ${item.path}: ${item.error}\n`);
        } else {
          skipped++;
          if (!values.quiet) ctx.stderr.write(`${item.path}: skipped: ${item.reason}\n`);
        }
      };
      for await (const item of mailMessages(positionals, unread)) {
        let done: Handled;
        try {
          done = await handle(item.data);
        } catch (err) {
          // The store failing (Redis down, disk full) fails every later message too: stop, and say what was done.
          storeError = `${item.path}: ${(err as Error).message}`;
          break;
        }
        if (done.changed) changed++;
        else unchanged++;
        if (done.moved) moved++;
        if (!values.quiet) ctx.stdout.write(`${item.path}: ${done.line}\n`);
      }
      if (storeError) ctx.stderr.write(`moat learn: stopped, the Bayes store failed at ${storeError}\n`);
      if (!refitOnly) {
        const totals = await store.totals().catch(() => undefined);
        const extra = `${skipped ? `, ${skipped} skipped` : ''}${unreadable ? `, ${unreadable} path(s) unreadable` : ''}`;
        const what = forgetting
          ? `Forgot ${changed} message(s), ${unchanged} not learned`
          : `Learned ${changed} message(s) as ${as}${moved ? ` (${moved} of them moved from ${as === 'spam' ? 'ham' : 'spam'})` : ''}, ${unchanged} already known`;
        ctx.stdout.write(`${what}${extra}${totals ? `; the classifier now knows ${totals.spam} spam and ${totals.ham} ham` : ''}\n`);
        if (storeError || !totals) return 2;
        const limit = config.antispam.bayes.max_learned;
        if (!forgetting && limit > 0 && totals.spam + totals.ham >= limit) ctx.stdout.write(`It keeps at most ${limit} messages ([antispam.bayes] max_learned): learning more forgets the least recently learned\n`);
      }
      if (model.enabled && (changed > 0 || values.refit)) {
        const r = await refitModel(store, { maxExamples: model.max_examples, minLearned: config.antispam.bayes.min_learned, force: values.refit });
        if (r.fitted) ctx.stdout.write(`Spam model fitted on ${r.spam} spam and ${r.ham} ham in ${(r.ms / 1000).toFixed(1)} s\n`);
        else if (r.spam < config.antispam.bayes.min_learned || r.ham < config.antispam.bayes.min_learned) ctx.stdout.write(`Spam model not fitted yet: it needs ${config.antispam.bayes.min_learned} spam and ham learned with features (has ${r.spam} spam, ${r.ham} ham)\n`);
      }
    } finally {
      await store.close();
    }
    return unreadable ? 2 : 0;
  },
};
