import type { SmtpReply } from '../common/smtp-reply.js';
import { formatReply } from '../common/smtp-reply.js';

/**
 * A delivery status notification (RFC 3464, text part + machine part) for recipients refused by
 * policy while others of the same message were accepted: SMTP has one reply per DATA, so these
 * recipients are told by bounce, as an MTA would.
 */
export function buildBounce(options: { hostname: string; txId: string; sender: string; refused: Array<{ recipient: string; reply: SmtpReply }>; originalHeaders: string; now: Date }): Buffer {
  const boundary = `moat-dsn-${options.txId}`;
  const lines = [
    `From: MAILER-DAEMON@${options.hostname} (Mail Delivery System)`,
    `To: <${options.sender}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${options.now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${options.txId}.dsn@${options.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Your message could not be delivered to some recipients (Moat transaction ${options.txId}):`,
    '',
    ...options.refused.map((r) => `<${r.recipient}>: ${formatReply(r.reply)}`),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${options.hostname}`,
    '',
    ...options.refused.flatMap((r) => [`Final-Recipient: rfc822; ${r.recipient}`, 'Action: failed', `Status: ${r.reply.enhanced ?? '5.7.1'}`, `Diagnostic-Code: smtp; ${formatReply(r.reply)}`, '']),
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    options.originalHeaders.replace(/\r?\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** The header block of a message (everything before the first empty line). */
export function headerBlock(data: Buffer): string {
  const text = data.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(0, m.index) : text;
}
