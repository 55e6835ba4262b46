import type { Logger } from '../../core/logger.js';
import type { MessageSource, Outcome, RecipientOutcome, Transaction } from '../../pipeline/types.js';
import { readFile } from 'node:fs/promises';
import type { SmtpReply } from '../common/smtp-reply.js';
import { formatReply } from '../common/smtp-reply.js';
import { buildBounce, headerBlock } from './bounce-message.js';
import type { NextHop } from './next-hop.js';
import type { OutgoingMessage } from './smtp-client.js';

export interface ApplyContext {
  tx: Transaction;
  /** The message as received, CRLF-normalised. */
  original: Buffer;
  nextHop: NextHop;
  xforward: Record<string, string>;
  hostname: string;
  bouncePartialRejects: boolean;
  logger: Logger;
  signal?: AbortSignal;
  now: () => Date;
}

async function bytesOf(source: MessageSource): Promise<Buffer> {
  return source.kind === 'buffer' ? source.data : readFile(source.path);
}

const DEFAULT_REJECT: SmtpReply = { code: 550, enhanced: '5.7.1', text: 'Message refused by policy' };
const DEFAULT_DEFER: SmtpReply = { code: 451, enhanced: '4.7.1', text: 'Message deferred by policy, try again later' };

/** A policy reply with its class enforced: a reject is always 5xx, a defer always 4xx. */
function policyReply(group: RecipientOutcome, fallback: SmtpReply): SmtpReply {
  const r = group.reply;
  if (!r) return fallback;
  const wantFive = fallback.code >= 500;
  if (wantFive !== r.code >= 500 || r.code < 400) return { ...fallback, text: r.text };
  return { code: r.code, enhanced: r.enhanced, text: r.text };
}

/**
 * Turns the per-recipient Outcome into the one reply SMTP allows at end-of-DATA (smtp.md):
 * - any deferred group → 4xx for the whole message, nothing passed on (the MTA retries all);
 * - no accepted group → the reject reply (5xx) or, when all were discarded, 250;
 * - otherwise each accepted group is passed on with its own envelope; the next hop's reply is
 *   relayed (4xx stays 4xx, 5xx stays 5xx) when the first group fails; recipients rejected by
 *   policy (or refused by the next hop for a later group) get a bounce from MAILER-DAEMON.
 */
export async function applyOutcome(outcome: Outcome, ctx: ApplyContext): Promise<SmtpReply> {
  const { tx } = ctx;
  const log = ctx.logger;
  const deferred = outcome.groups.find((g) => g.action === 'defer');
  if (deferred) return policyReply(deferred, DEFAULT_DEFER);
  const accepted = outcome.groups.filter((g) => g.action === 'accept' && g.recipients.length > 0);
  const rejected = outcome.groups.filter((g) => g.action === 'reject');
  if (accepted.length === 0) {
    if (rejected.length) return policyReply(rejected[0]!, DEFAULT_REJECT);
    return { code: 250, enhanced: '2.7.0', text: `Ok: discarded by policy (${tx.id})` };
  }
  const refused: Array<{ recipient: string; reply: SmtpReply }> = rejected.flatMap((g) => g.recipients.map((recipient) => ({ recipient, reply: policyReply(g, DEFAULT_REJECT) })));
  let last: SmtpReply | undefined;
  for (const [index, group] of accepted.entries()) {
    const message: OutgoingMessage = {
      mailFrom: tx.envelope.mailFrom,
      rcptTo: group.recipients,
      params: tx.envelope.params,
      xforward: ctx.xforward,
      data: group.message ? await bytesOf(group.message) : ctx.original,
    };
    const reply = await ctx.nextHop.deliver(message, ctx.signal);
    log.info({ step: 'next_hop', recipients: group.recipients, reply: formatReply(reply), nextHop: ctx.nextHop.description }, 'passed on');
    if (reply.code >= 400) {
      // Nothing passed on yet, or a temporary failure (a retry may duplicate, never lose): relay it.
      if (index === 0 || reply.code < 500) return reply;
      refused.push(...group.recipients.map((recipient) => ({ recipient, reply })));
      continue;
    }
    last = reply;
  }
  if (refused.length && ctx.bouncePartialRejects && tx.envelope.mailFrom !== '') {
    const bounce = buildBounce({ hostname: ctx.hostname, txId: tx.id, sender: tx.envelope.mailFrom, refused, originalHeaders: headerBlock(ctx.original), now: ctx.now() });
    try {
      const r = await ctx.nextHop.deliver({ mailFrom: '', rcptTo: [tx.envelope.mailFrom], data: bounce }, ctx.signal);
      log.info({ step: 'bounce', recipients: refused.map((r) => r.recipient), reply: formatReply(r) }, 'partial reject bounced to sender');
    } catch (err) {
      log.warn({ step: 'bounce', err: (err as Error).message }, 'could not send the bounce for partially rejected recipients');
    }
  }
  return last ?? { code: 250, enhanced: '2.0.0', text: `Ok (${tx.id})` };
}
