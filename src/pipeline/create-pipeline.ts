import { readFile } from 'node:fs/promises';
import { MoatError, toMoatError } from '../core/errors.js';
import { abortable } from '../core/deadline.js';
import type { Logger } from '../core/logger.js';
import type { MoatConfig } from '../core/config/schema.js';
import type { PolicySettings } from '../core/config/sections/policy.js';
import type { ScanReport, Scanner } from '../core/verdict.js';
import type { SpamScorer } from '../antispam/types.js';
import { decide, type AvFacts, type Decision, type SpamFacts } from '../policy/decide.js';
import { resolveSettings, validateUserConfig } from '../policy/user-settings.js';
import { recipientThresholds } from '../policy/spam-thresholds.js';
import { holdInsteadOfSilentDrop } from '../policy/one-copy.js';
import { siteThresholds, verdictWithThresholds } from '../antispam/spam-verdict.js';
import { appendFooter, prependHeaders, tagSubject } from './header-rewrite.js';
import { removeFields } from '../mail/rewrite/header-rewrite.js';
import { claimsMoatVerdict } from '../antispam/foreign-verdict.js';
import type { EventLog, QuarantineStore } from './stores.js';
import type { Envelope, InterceptionPoint, Outcome, Pipeline, RecipientOutcome, Transaction } from './types.js';
import { buildNotifications, loadTemplates } from './notifications.js';
import { parseMail, getHeader } from '../mail/parse-mail.js';

/** Removes or replaces infected parts; returns undefined when the message cannot be cleaned in this mode. */
export type MessageCleaner = (message: Buffer, report: ScanReport, mode: PolicySettings['av_clean_mode']) => Buffer | undefined;

export interface PipelineDeps {
  scanner: Scanner;
  spamScorer?: SpamScorer;
  /** Current configuration; a getter so SIGHUP reloads apply to the next message. */
  config: () => MoatConfig;
  quarantine: QuarantineStore;
  events: EventLog;
  logger: Logger;
  cleaner?: MessageCleaner;
  /** Sends a notification mail (admin/recipient/sender notices); best effort, failures are logged. */
  notify?: (envelope: Envelope, message: Buffer) => Promise<void>;
  now?: () => Date;
}

const ACTION_WORDS: Record<string, string> = { reject: 'rejected', discard: 'discarded', defer: 'deferred', accept: 'delivered' };

async function bytesOf(tx: Transaction): Promise<Buffer> {
  return tx.message.kind === 'buffer' ? tx.message.data : readFile(tx.message.path);
}

function resultHeader(report: ScanReport | undefined, decision: Decision, avError: boolean): string {
  if (avError) return 'not scanned (engine error)';
  if (!report) return 'not scanned (skipped by policy)';
  const names = report.detections.length ? ` (${report.detections.join(', ')})` : '';
  if (decision.reason === 'cleaned') return `cleaned${names}`;
  if (report.verdict === 'not_scanned') return 'not scanned (content could not be inspected)';
  return `${report.verdict}${names}`;
}

/**
 * Agents that hand one copy back to the MTA for all recipients and cannot drop one recipient
 * (milter can: DELRCPT; qmail-queue writes the envelope it queues; the SMTP agent and CGP
 * deliver groups separately).
 */
const ONE_COPY_AGENTS: ReadonlySet<InterceptionPoint> = new Set(['mda', 'pipe']);

/** Key under which recipients with identical decisions (and identical X-Spam-* headers) form one group. */
function groupKey(d: Decision, spam: SpamFacts): string {
  const required = spam.status === 'scored' ? spam.verdict.required : '';
  return JSON.stringify([d.action, d.reason, d.cleanMode ?? '', d.subjectTag ?? '', d.reply?.text ?? '', d.addResultHeaders, d.addSpamHeaders, d.footer ?? '', required]);
}

/** The message's spam verdict as one recipient sees it: judged by its own thresholds when its settings set any. */
function spamForRecipient(spam: SpamFacts, settings: PolicySettings, config: MoatConfig): SpamFacts {
  if (spam.status !== 'scored') return spam;
  const own = recipientThresholds(siteThresholds(config.antispam), settings);
  return own ? { status: 'scored', verdict: verdictWithThresholds(spam.verdict, own) } : spam;
}

/**
 * The message flow of DESIGN.md §2: scan → anti-spam → decide per recipient → rewrite →
 * commit (quarantine copy, event). Content never makes it throw; failing to reach a safe
 * decision (quarantine copy not stored, internal error) throws a temporary MoatError so the
 * agent defers and the MTA keeps the message.
 */
export function createPipeline(deps: PipelineDeps): Pipeline {
  const now = deps.now ?? (() => new Date());
  validateUserConfig(deps.config());
  const templates = new Map<string, ReturnType<typeof loadTemplates>>();
  const templatesFor = (dir: string) => {
    if (!templates.has(dir)) templates.set(dir, loadTemplates(dir));
    return templates.get(dir)!;
  };

  return {
    async process(tx: Transaction, signal?: AbortSignal): Promise<Outcome> {
      const started = performance.now();
      const config = deps.config();
      const log = deps.logger.child({ tx: tx.id, queueId: tx.client.queueId, agent: tx.agent });
      const data = await bytesOf(tx);
      const sender = tx.envelope.mailFrom;
      const recipients = tx.envelope.rcptTo.length ? tx.envelope.rcptTo : [''];
      const resolved = recipients.map((r) => ({ rcpt: r, res: resolveSettings(config, sender, r) }));
      log.info({ from: sender, rcpt: tx.envelope.rcptTo, size: data.length }, 'message received');

      let report: ScanReport | undefined;
      let avError = false;
      if (resolved.some(({ res }) => !res.blacklisted && !res.skipAv && res.settings.action_av === 'scan')) {
        try {
          // Cleaning must see every part, not stop at the first infected one.
          const allMatch = resolved.some(({ res }) => res.settings.av_clean_mode !== 'none');
          report = await deps.scanner.scan({ kind: 'buffer', data, name: tx.id }, { signal, isMail: true, allMatch });
          log.info({ verdict: report.verdict, detections: report.detections, ms: report.durationMs, db: report.dbVersion }, 'scanned');
        } catch (err) {
          avError = true;
          const e = toMoatError(err);
          log.warn({ code: e.code, err: e.message }, 'scan failed');
        }
      }
      if (signal?.aborted) throw new MoatError('ABORTED', 'message processing aborted');
      const cleanCache = new Map<string, Buffer | undefined>();
      const clean = (mode: PolicySettings['av_clean_mode']) => {
        if (!cleanCache.has(mode)) cleanCache.set(mode, report && deps.cleaner ? deps.cleaner(data, report, mode) : undefined);
        return cleanCache.get(mode);
      };
      const av: AvFacts | 'skipped' = avError
        ? { status: 'error', detections: [], canClean: () => false }
        : report
          ? { status: report.verdict, detections: report.detections, canClean: (mode) => clean(mode) !== undefined }
          : 'skipped';

      let spam: SpamFacts = { status: 'unavailable' };
      if (deps.spamScorer && resolved.some(({ res }) => !res.skipAs && res.settings.action_as === 'scan') && !(report?.verdict === 'infected')) {
        try {
          // A store or DNS call stuck on a hung server must not hold the message past its deadline.
          const verdict = await abortable(deps.spamScorer.check({ message: data, mailFrom: sender, rcptTo: tx.envelope.rcptTo, clientAddress: tx.client.address, helo: tx.client.helo }, signal), signal, 'anti-spam');
          spam = { status: 'scored', verdict };
          log.info({ score: verdict.score, spam: verdict.spam, symbols: verdict.symbols.map((s) => s.name), autolearn: verdict.autolearn }, 'spam checked');
        } catch (err) {
          // Past the deadline the message is not decided at all: the agent answers with a temporary failure.
          if (signal?.aborted) throw toMoatError(err);
          spam = { status: 'error' };
          log.warn({ err: toMoatError(err).message }, 'anti-spam failed');
        }
      }

      const groups = new Map<string, { decision: Decision; spam: SpamFacts; recipients: string[] }>();
      for (const { rcpt, res } of resolved) {
        const rcptSpam = spamForRecipient(spam, res.settings, config);
        if (rcptSpam !== spam && rcptSpam.status === 'scored') log.info({ rcpt, required: rcptSpam.verdict.required, spam: rcptSpam.verdict.spam, action: rcptSpam.verdict.action, sources: res.sources }, 'spam thresholds of the recipient applied');
        const decision = decide(res, av, rcptSpam);
        const key = groupKey(decision, rcptSpam);
        const g = groups.get(key) ?? { decision, spam: rcptSpam, recipients: [] };
        g.recipients.push(rcpt);
        groups.set(key, g);
      }

      let decided = [...groups.values()];
      if (ONE_COPY_AGENTS.has(tx.agent)) {
        const { groups: merged, held } = holdInsteadOfSilentDrop(decided);
        if (held.length) log.warn({ held, agent: tx.agent }, 'recipients need different handling and this agent passes one copy for all: the message is discarded, so the copy for these recipients is held in quarantine instead (moat quarantine release delivers it)');
        decided = merged;
      }

      const toQuarantine = decided.filter((g) => g.decision.quarantine);
      let quarantineId: string | undefined;
      if (toQuarantine.length) {
        try {
          quarantineId = await deps.quarantine.put(
            {
              transactionId: tx.id,
              envelope: tx.envelope,
              client: tx.client,
              reason: toQuarantine[0]!.decision.reason,
              detections: report?.detections ?? [],
              recipients: toQuarantine.flatMap((g) => g.recipients).filter(Boolean),
            },
            data,
            now(),
          );
          log.info({ quarantineId }, 'quarantined');
        } catch (err) {
          // Without the copy the policy cannot be honoured: keep the mail in the MTA's queue.
          throw new MoatError('QUARANTINE_FAILED', `quarantine copy could not be stored: ${(err as Error).message}`, {}, { cause: err });
        }
      }

      const outcomes: RecipientOutcome[] = [];
      const forged = claimsMoatVerdict(config.antispam);
      for (const { decision, spam: groupSpam, recipients: rcpts } of decided) {
        const out: RecipientOutcome = { recipients: rcpts.filter(Boolean), action: decision.action, addHeaders: [], bodyReplaced: false };
        if (decision.reply) out.reply = decision.reply;
        if (decision.quarantine && quarantineId) out.quarantineId = quarantineId;
        if (decision.action === 'accept') {
          let message = decision.cleanMode ? (clean(decision.cleanMode) ?? data) : data;
          out.bodyReplaced = message !== data;
          if (decision.footer) {
            const withFooter = appendFooter(message, decision.footer);
            if (withFooter) {
              message = withFooter;
              out.bodyReplaced = true;
            }
          }
          if (decision.subjectTag) {
            const tagged = tagSubject(message, decision.subjectTag);
            message = tagged.message;
            out.subject = tagged.subject;
          }
          if (decision.addResultHeaders) {
            out.addHeaders.push({ name: 'X-Virus-Scanned', value: `Moat (signatures ${report?.dbVersion ?? deps.scanner.dbVersion})` });
            out.addHeaders.push({ name: 'X-Moat-Result', value: resultHeader(report, decision, avError) });
          }
          // Only Moat's verdict may be in the mail it passes on: a sender's own X-Spam-* fields, and
          // Authentication-Results under Moat's authserv-id, go from every accepted copy while
          // Moat's anti-spam is on, scored or not (foreign-verdict.ts).
          if (forged) {
            const stripped = removeFields(message, forged);
            if (stripped.removed.length) {
              // Counted in the message as the MTA has it, for a milter's CHGHEADER (a cleaned or
              // tagged copy is counted again from the original).
              out.removeHeaders = message === data ? stripped.removed : removeFields(data, forged).removed;
              message = stripped.message;
            }
          }
          if (decision.addSpamHeaders && groupSpam.status === 'scored') out.addHeaders.push(...groupSpam.verdict.headers);
          out.message = { kind: 'buffer', data: prependHeaders(message, out.addHeaders) };
        }
        outcomes.push(out);
      }

      const actions = outcomes.map((o) => `${o.action}:${o.recipients.join(',')}`).join('; ');
      const summary = `av=${avError ? 'error' : (report?.verdict ?? 'skipped')}${report?.detections.length ? ` (${report.detections.join(', ')})` : ''}${spam.status === 'scored' ? ` spam=${spam.verdict.score.toFixed(1)}` : ''} → ${actions}`;
      const durationMs = Math.round(performance.now() - started);
      try {
        deps.events.record({
          transactionId: tx.id,
          queueId: tx.client.queueId,
          agent: tx.agent,
          receivedAt: tx.receivedAt,
          mailFrom: sender,
          rcptTo: tx.envelope.rcptTo,
          size: data.length,
          avVerdict: avError ? 'error' : (report?.verdict ?? 'skipped'),
          detections: report?.detections ?? [],
          spamScore: spam.status === 'scored' ? spam.verdict.score : undefined,
          actions,
          quarantineId,
          durationMs,
          dbVersion: report?.dbVersion ?? deps.scanner.dbVersion,
        });
      } catch (err) {
        // The event log is for administrators; losing one row must not defer mail.
        log.warn({ err: (err as Error).message }, 'event log write failed');
      }
      log.info({ summary, ms: durationMs }, 'decided');
      if (report?.verdict === 'infected' && deps.notify) {
        const notify = deps.notify;
        const action = outcomes.map((o) => (o.bodyReplaced && o.action === 'accept' ? 'cleaned' : ACTION_WORDS[o.action])).filter((a, i, all) => all.indexOf(a) === i).join(' / ') + (quarantineId ? ', a copy kept in quarantine' : '');
        const mail = parseMail(data, { limits: { maxMimeParts: 1, maxDepth: 1 } });
        const facts = { transactionId: tx.id, sender, recipients: tx.envelope.rcptTo, subject: getHeader(mail, 'subject') ?? '', messageId: getHeader(mail, 'message-id') ?? '', detections: report.detections, action, quarantineId };
        // Notices are best effort and never hold up or change the decision on the message itself.
        void templatesFor(config.notifications.templates_dir)
          .then((t) => Promise.all(buildNotifications(config.notifications, t, facts, now()).map((n) => notify(n.envelope, n.message).then(() => log.info({ kind: n.kind, to: n.envelope.rcptTo }, 'notification sent')))))
          .catch((err: Error) => log.warn({ err: err.message }, 'notification failed'));
      }
      return { transactionId: tx.id, groups: outcomes, summary };
    },
  };
}
