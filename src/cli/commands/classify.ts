import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../context.js';
import { openSpamScorer } from '../../daemon/spam-scorer-factory.js';
import { mailMessages, type UnreadItem } from '../mail-sources.js';
import { resolveSettings, validateUserConfig } from '../../policy/user-settings.js';
import { recipientThresholds } from '../../policy/spam-thresholds.js';
import { siteThresholds, verdictWithThresholds } from '../../antispam/spam-verdict.js';
import type { BayesTokenDetail } from '../../antispam/spam-scorer.js';
import { asScored } from '../../antispam/spam-scorer.js';
import { moatMarkings } from '../moat-markings.js';
import { returnPath } from '../../antispam/received-client.js';

const HELP = `Usage: moat classify [--json] [--tokens] [--rcpt ADDRESS] [--from ADDRESS]
                     [--network [--client-ip IP] [--helo NAME]] PATH...

Scores each message for spam with the daemon's configuration and state (rules, Bayes) and
explains the verdict symbol by symbol. Read-only: nothing is learned, and the Bayes store is
opened for reading only (a state directory without one is not created: Bayes stays silent and
a warning says so). Network checks (SPF/DKIM/DMARC/ARC, DNS blocklists) run only with
--network. A stored file has no SMTP session, so they take the connecting client from the
Received header your own MTA wrote (header number [antispam] trusted_received, counted from
the top; past it only when its client was loopback, i.e. your own host: a content filter
re-injecting) and the envelope sender from the Return-Path, as SpamAssassin does; --client-ip,
--helo and --from say them instead. When no client is found (a private address there: count
internal relays in trusted_received), SPF is not checked and the verdict says so
(AUTH_CLIENT_UNKNOWN): SPF is never judged for an address that did not send the message.

A message that already passed Moat (a copy from a mailbox) is scored as Moat saw it: the
header fields added after Moat, Moat's own X-Virus-Scanned, X-Moat-*, X-Spam-* and
Authentication-Results, and the subject tag ([policy] subject_tag_spam) are left out, as
moat learn leaves them out.

PATH may be a message file, a directory or Maildir, an mbox (read as a stream), or - for
standard input; what is not mail is skipped and said so on stderr, a path that cannot be read is
reported and the others are still scored.

Options:
  --json            one JSON object per message
  --tokens          also show what decided Bayes's verdict: the 10 tokens that weighed most
                    towards spam and the 10 towards ham, each with its spam probability and
                    how many learned spam and ham held it (with --json: every token Bayes
                    combined, as "bayesTokens"). Tokens are the message's words in lower case,
                    H<header>:<word> for words of Subject, From, To, Received and other headers,
                    U:<host> for link hosts and their domains, S:… for the MIME shape
  --network         also run the network checks (SPF, DKIM, DMARC, ARC, DNS blocklists)
  --client-ip IP    with --network: the host that connected to your MTA (default: read from
                    the Received chain, see above)
  --helo NAME       with --network: the name it gave in HELO/EHLO (default: from the same
                    Received header)
  --rcpt ADDRESS    judge with this recipient's spam thresholds (required_score, … set in
                    [users."…"], [senders."…"] or [groups.…]), as the daemon does for it
  --from ADDRESS    the envelope sender: for [senders."…"] entries (with --rcpt) and for SPF
                    (with --network; default: the message's Return-Path)

Output: per message, the score, the verdict and every symbol with its weight; with --json one
object per line: {"path", "score", "required", "spam", "action", "symbols": [{"name","score","description","options"?}]}
(and "rcpt" with --rcpt; "bayesTokens": [{"token","probability","spam","ham"}] with --tokens).

Exit status: 0 done (whatever the verdicts), 2 error (also when a path could not be read).
`;

/** How many tokens each way `--tokens` shows in the text output. */
const TOKENS_SHOWN = 10;

/** The tokens that weighed most towards spam, then towards ham (the scorer gives them farthest from 0.5 first). */
function formatBayesTokens(tokens: readonly BayesTokenDetail[], bayesScored: boolean): string {
  if (tokens.length === 0) {
    return bayesScored
      ? '  Bayes combined no token: none of this message\'s tokens was learned far enough from 0.5 to count (probability 0.5)\n'
      : '  Bayes did not score this message (fewer than [antispam.bayes] min_learned spam and ham learned, or no store): no tokens to show\n';
  }
  const spammy = tokens.filter((t) => t.probability > 0.5).slice(0, TOKENS_SHOWN);
  const hammy = tokens.filter((t) => t.probability < 0.5).slice(0, TOKENS_SHOWN);
  const width = Math.min(40, Math.max(...[...spammy, ...hammy].map((t) => t.token.length)));
  const line = (t: BayesTokenDetail) => `    ${t.probability.toFixed(4)}  ${t.token.padEnd(width)}  in ${t.spam} spam, ${t.ham} ham\n`;
  return [
    `  Bayes combined ${tokens.length} token(s); the ${spammy.length} weighing most towards spam and the ${hammy.length} towards ham (spam probability, learned messages holding it):\n`,
    ...spammy.map(line),
    ...(spammy.length && hammy.length ? ['    …\n'] : []),
    ...hammy.map(line),
  ].join('');
}

export const classifyCommand: CliCommand = {
  name: 'classify',
  summary: 'score messages for spam and explain the verdict',
  help: HELP,
  async run(ctx, argv) {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, tokens: { type: 'boolean' }, network: { type: 'boolean' }, rcpt: { type: 'string' }, from: { type: 'string' }, 'client-ip': { type: 'string' }, helo: { type: 'string' } } });
    if (positionals.length === 0) {
      ctx.stderr.write(HELP);
      return 2;
    }
    if (values.from !== undefined && values.rcpt === undefined && !values.network) {
      ctx.stderr.write('moat classify: --from needs --rcpt (it selects the sender\'s settings for that recipient) or --network (SPF checks it)\n');
      return 2;
    }
    if ((values['client-ip'] !== undefined || values.helo !== undefined) && !values.network) {
      ctx.stderr.write('moat classify: --client-ip and --helo are for the network checks: add --network\n');
      return 2;
    }
    if (values['client-ip'] !== undefined && isIP(values['client-ip']) === 0) {
      ctx.stderr.write(`moat classify: --client-ip ${values['client-ip']}: not an IPv4 or IPv6 address\n`);
      return 2;
    }
    const { config } = await ctx.loadConfig();
    validateUserConfig(config);
    const resolved = values.rcpt !== undefined ? resolveSettings(config, values.from ?? '', values.rcpt) : undefined;
    const own = resolved && recipientThresholds(siteThresholds(config.antispam), resolved.settings);
    if (resolved && !values.json) {
      const skipped = resolved.skipAs || resolved.settings.action_as !== 'scan' ? ` — note: anti-spam is off for this recipient (${resolved.skipAs ? 'lists.whitelist_as' : `action_as = "${resolved.settings.action_as}"`}), the daemon would not score its mail` : '';
      ctx.stdout.write(`thresholds for ${values.rcpt}: ${own ? `its own (${resolved.sources.join(' → ')})` : 'the site\'s ([antispam])'}${skipped}\n`);
    }
    const { scorer, store } = await openSpamScorer(config, ctx.createLogger('warn'), { readOnly: true, network: values.network ?? false });
    // Copies from mailboxes are scored as Moat saw them (their Moat fields, later hops and subject tag left out).
    const delivered = moatMarkings(config);
    let unreadable = 0;
    try {
      const unread = (item: UnreadItem) => {
        if (item.kind === 'error') unreadable++;
        ctx.stderr.write(item.kind === 'error' ? `moat classify: ${item.path}: ${item.error}\n` : `${item.path}: skipped: ${item.reason}\n`);
      };
      for await (const item of mailMessages(positionals, unread)) {
        const scored = await scorer.explain(asScored(item.data, delivered), {
          // The Return-Path of the file as it is: a delivered copy's goes with the fields added after Moat.
          mailFrom: values.from ?? returnPath(item.data) ?? '',
          ...(values['client-ip'] !== undefined ? { clientAddress: values['client-ip'] } : {}),
          ...(values.helo !== undefined ? { helo: values.helo } : {}),
        });
        const v = own ? verdictWithThresholds(scored, own) : scored;
        if (values.json) {
          ctx.stdout.write(`${JSON.stringify({ path: item.path, ...(values.rcpt !== undefined ? { rcpt: values.rcpt } : {}), score: v.score, required: v.required, spam: v.spam, action: v.action, symbols: v.symbols, ...(values.tokens ? { bayesTokens: scored.bayesTokens } : {}) })}\n`);
        } else {
          ctx.stdout.write(`${item.path}: ${v.spam ? 'SPAM' : 'ham'} score=${v.score.toFixed(1)} required=${v.required.toFixed(1)} action=${v.action}\n`);
          for (const s of [...v.symbols].sort((a, b) => Math.abs(b.score) - Math.abs(a.score))) ctx.stdout.write(`  ${s.score >= 0 ? '+' : ''}${s.score.toFixed(1).padStart(5)}  ${s.name.padEnd(24)} ${s.description}${s.options?.length ? ` [${s.options.join(', ')}]` : ''}\n`);
          if (values.tokens) ctx.stdout.write(formatBayesTokens(scored.bayesTokens, v.symbols.some((x) => x.name.startsWith('BAYES_') && x.name !== 'BAYES_UNAVAILABLE')));
        }
      }
    } finally {
      await store.close();
    }
    return unreadable ? 2 : 0;
  },
};
