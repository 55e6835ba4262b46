import { parseArgs } from 'node:util';
import type { CliCommand } from '../context.js';
import { openSpamScorer } from '../../daemon/spam-scorer-factory.js';
import { mailItems } from '../mail-sources.js';

const HELP = `Usage: moat classify [--json] PATH...

Scores each message for spam with the daemon's configuration and state (rules, Bayes) and
explains the verdict symbol by symbol. Read-only: nothing is learned. Network checks
(SPF/DKIM/DMARC/ARC, DNS blocklists) run only with --network, since a stored file has no
connecting client to check.

PATH may be a message file, a directory or Maildir, or an mbox.

Output: per message, the score, the verdict and every symbol with its weight; with --json one
object per line: {"path", "score", "required", "spam", "action", "symbols": [{"name","score","description"}]}.

Exit status: 0 done (whatever the verdicts), 2 error.
`;

export const classifyCommand: CliCommand = {
  name: 'classify',
  summary: 'score messages for spam and explain the verdict',
  help: HELP,
  async run(ctx, argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, network: { type: 'boolean' } } });
    if (positionals.length === 0) {
      ctx.stderr.write(HELP);
      return 2;
    }
    const { config } = await ctx.loadConfig();
    const { scorer, store } = await openSpamScorer(config, ctx.createLogger('warn'), { readOnly: true, network: values.network ?? false });
    try {
      for (const p of positionals) {
        for await (const item of mailItems(p)) {
          const v = await scorer.explain(item.data);
          if (values.json) {
            ctx.stdout.write(`${JSON.stringify({ path: item.path, score: v.score, required: v.required, spam: v.spam, action: v.action, symbols: v.symbols })}\n`);
          } else {
            ctx.stdout.write(`${item.path}: ${v.spam ? 'SPAM' : 'ham'} score=${v.score.toFixed(1)} required=${v.required.toFixed(1)} action=${v.action}\n`);
            for (const s of [...v.symbols].sort((a, b) => Math.abs(b.score) - Math.abs(a.score))) ctx.stdout.write(`  ${s.score >= 0 ? '+' : ''}${s.score.toFixed(1).padStart(5)}  ${s.name.padEnd(24)} ${s.description}${s.options?.length ? ` [${s.options.join(', ')}]` : ''}\n`);
          }
        }
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
