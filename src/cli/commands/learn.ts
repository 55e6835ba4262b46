import { parseArgs } from 'node:util';
import type { CliCommand } from '../context.js';
import { openSpamScorer } from '../../daemon/spam-scorer-factory.js';
import { messageKey } from '../../antispam/spam-scorer.js';
import { tokenize } from '../../antispam/bayes/tokenizer.js';
import { viewMessage } from '../../antispam/message-view.js';
import { mailItems } from '../mail-sources.js';

const HELP = `Usage: moat learn --spam|--ham PATH...

Trains the Bayes classifier (like sa-learn). PATH may be a message file, a directory (also a
Maildir: cur/ and new/ are read), or an mbox file (each message is learned). Learning is
idempotent: a message learned twice counts once; learning it with the other class moves it.
Uses the same configuration and state as the daemon ([antispam.bayes] backend: SQLite under
the state directory, or Redis).

Options:
  --spam      the messages are spam
  --ham       the messages are not spam
  --quiet     print only the summary
`;

export const learnCommand: CliCommand = {
  name: 'learn',
  summary: 'train the Bayes classifier with spam or ham',
  help: HELP,
  async run(ctx, argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { spam: { type: 'boolean' }, ham: { type: 'boolean' }, quiet: { type: 'boolean' } } });
    if (values.spam === values.ham || positionals.length === 0) {
      ctx.stderr.write(HELP);
      return 2;
    }
    const as = values.spam ? 'spam' : 'ham';
    const { config } = await ctx.loadConfig();
    const { store } = await openSpamScorer(config, ctx.createLogger('warn'));
    let learned = 0;
    let skipped = 0;
    try {
      for (const p of positionals) {
        for await (const item of mailItems(p)) {
          const changed = await store.learn(messageKey(item.data), tokenize(viewMessage(item.data)), as);
          if (changed) learned++;
          else skipped++;
          if (!values.quiet) ctx.stdout.write(`${item.path}: ${changed ? `learned as ${as}` : 'already learned'}\n`);
        }
      }
      const totals = await store.totals();
      ctx.stdout.write(`Learned ${learned} message(s) as ${as}, ${skipped} already known; the classifier now knows ${totals.spam} spam and ${totals.ham} ham\n`);
    } finally {
      await store.close();
    }
    return 0;
  },
};
