import { parseArgs } from 'node:util';
import type { CliCommand } from '../context.js';
import { openSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { createQuarantineService } from '../../pipeline/quarantine-service.js';
import { smtpDeliver } from '../../pipeline/smtp-deliver.js';
import { claimsMoatVerdict } from '../../antispam/foreign-verdict.js';
import { removeFields } from '../../mail/rewrite/header-rewrite.js';
import { COMMAND_LOCK_WAIT_MS } from '../../storage/bayes/sqlite-token-store.js';
import { openSpamScorer } from '../../daemon/spam-scorer-factory.js';

const HELP = `Usage: moat quarantine COMMAND [OPTIONS]

Manages mail held by the policy (infected, not scanned, spam) in the state directory.

Commands:
  list [--limit N] [--json]        newest first: id, time, reason, detections, sender, recipients, status
  show ID [--raw]                  metadata; --raw prints the stored message exactly as received
  release ID [--as-ham]            re-inject to the original recipients, exactly once (a second
                                   release reports "already released"); --as-ham also trains the
                                   Bayes classifier that the message was not spam
  delete ID                        remove the message
  expire [--older-than 30d]        remove messages older than the age (default: quarantine.retention_days)

Release goes over SMTP to quarantine.release_host:release_port (default 127.0.0.1:10025, the
MTA's re-injection listener) with the original envelope.

Exit status: 0 done, 1 nothing to do (already released), 2 error (an unknown ID included).
`;

export const quarantineCommand: CliCommand = {
  name: 'quarantine',
  summary: 'list, show, release, delete, expire quarantined mail',
  help: HELP,
  async run(ctx, argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, limit: { type: 'string' }, raw: { type: 'boolean' }, 'as-ham': { type: 'boolean' }, 'older-than': { type: 'string' } },
    });
    const [sub, id] = positionals;
    if (!sub || !['list', 'show', 'release', 'delete', 'expire'].includes(sub) || (['show', 'release', 'delete'].includes(sub) && !id)) {
      ctx.stderr.write(HELP);
      return 2;
    }
    const { config } = await ctx.loadConfig();
    const store = openSqliteStore(config.global.state_dir);
    const logger = ctx.createLogger('warn');
    // Releasing as not-spam teaches Bayes: open the same token store the daemon uses.
    const spam = values['as-ham'] ? await openSpamScorer(config, logger, { network: false, lockWaitMs: COMMAND_LOCK_WAIT_MS }) : undefined;
    // A released message leaves Moat like any other: without a sender's own verdict fields.
    const forged = claimsMoatVerdict(config.antispam);
    const passedOn = (original: Buffer) => (forged ? removeFields(original, forged).message : original);
    const service = createQuarantineService({ store: store.quarantine, deliver: smtpDeliver(config.quarantine.release_host, config.quarantine.release_port), logger, spamScorer: spam?.scorer, passedOn });
    try {
      switch (sub) {
        case 'list': {
          const entries = service.list({ limit: values.limit ? Number(values.limit) : 100 });
          if (values.json) for (const e of entries) ctx.stdout.write(`${JSON.stringify(e)}\n`);
          else {
            if (!entries.length) ctx.stdout.write('quarantine is empty\n');
            for (const e of entries) {
              ctx.stdout.write(`${e.id}  ${e.createdAt.toISOString()}  ${e.status.padEnd(9)} ${e.reason.padEnd(12)} ${e.detections.join(',') || '-'}  <${e.envelope.mailFrom}> → ${e.recipients.join(', ')}\n`);
            }
          }
          return 0;
        }
        case 'show': {
          const { entry, message } = await service.show(id!);
          if (values.raw) ctx.stdout.write(message);
          else ctx.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
          return 0;
        }
        case 'release': {
          const r = await service.release(id!, { asHam: values['as-ham'] });
          if (r.status === 'already') {
            ctx.stdout.write(`${id}: already ${r.entry.status === 'releasing' ? 'being released (or interrupted: check the recipients\' mailboxes)' : 'released'}; nothing sent\n`);
            return 1;
          }
          ctx.stdout.write(`${id}: released to ${r.recipients.join(', ')}\n`);
          if (r.learnError) ctx.stderr.write(`moat quarantine: ${id} was released, but learning it as ham failed (${r.learnError}); once the Bayes store is back: moat quarantine show ${id} --raw > msg.eml && moat learn --ham msg.eml\n`);
          return 0;
        }
        case 'delete':
          service.delete(id!);
          ctx.stdout.write(`${id}: deleted\n`);
          return 0;
        default: {
          const n = service.expire(values['older-than'] ? olderThanDays(values['older-than']) : config.quarantine.retention_days);
          ctx.stdout.write(`${n} message(s) expired\n`);
          return 0;
        }
      }
    } finally {
      store.close();
      await spam?.store.close();
    }
  },
};

/** `30d`, `12h`, `90m` → days (fractional). */
function olderThanDays(text: string): number {
  const m = /^(\d+)([dhm])$/.exec(text.trim());
  if (!m) throw new Error(`--older-than: expected a duration like 30d, 12h or 90m, got "${text}"`);
  return Number(m[1]) / { d: 1, h: 24, m: 1440 }[m[2] as 'd' | 'h' | 'm'];
}
