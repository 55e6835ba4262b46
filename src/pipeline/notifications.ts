import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NotificationsConfig } from '../core/config/sections/notifications.js';
import type { Envelope } from './types.js';

export type NotificationKind = 'admin' | 'recipient' | 'sender';

export interface NotificationFacts {
  transactionId: string;
  sender: string;
  recipients: string[];
  subject: string;
  messageId: string;
  detections: string[];
  /** What happened to the message: rejected, discarded, cleaned, quarantined, delivered. */
  action: string;
  quarantineId?: string;
}

export const SHIPPED_TEMPLATES = new URL('../../config/templates/', import.meta.url).pathname;

/** A template file: a `Subject:` line, a blank line, the body; `%NAME%` placeholders. */
export async function loadTemplates(dir: string): Promise<Record<NotificationKind, string>> {
  const base = dir || SHIPPED_TEMPLATES;
  const read = (k: NotificationKind) => readFile(join(base, `${k}.txt`), 'utf8');
  return { admin: await read('admin'), recipient: await read('recipient'), sender: await read('sender') };
}

function fill(template: string, facts: NotificationFacts): string {
  const values: Record<string, string> = {
    VIRUSNAME: facts.detections.join(', ') || 'unknown',
    ACTION: facts.action,
    SENDER: facts.sender || '<>',
    RECIPIENTS: facts.recipients.join(', '),
    SUBJECT: facts.subject.replace(/[\r\n]+/g, ' '),
    MESSAGE_ID: facts.messageId || '-',
    TRANSACTION_ID: facts.transactionId,
    QUARANTINE_ID: facts.quarantineId ?? '-',
  };
  return template.replace(/%([A-Z_]+)%/g, (m, k: string) => values[k] ?? m);
}

/**
 * The notices one infected message produces, as complete messages with their envelopes. The
 * envelope sender is empty (like a bounce) and `Auto-Submitted: auto-replied` is set (RFC 3834)
 * so notices never start mail loops.
 */
export function buildNotifications(config: NotificationsConfig, templates: Record<NotificationKind, string>, facts: NotificationFacts, now: Date): Array<{ kind: NotificationKind; envelope: Envelope; message: Buffer }> {
  const out: Array<{ kind: NotificationKind; envelope: Envelope; message: Buffer }> = [];
  const targets: Array<[NotificationKind, string[]]> = [];
  if (config.notify_admin && config.admin) targets.push(['admin', [config.admin]]);
  if (config.notify_recipient && facts.recipients.length) targets.push(['recipient', facts.recipients]);
  if (config.notify_sender && facts.sender) targets.push(['sender', [facts.sender]]);
  for (const [kind, to] of targets) {
    const text = fill(templates[kind], facts).replace(/\r?\n/g, '\r\n');
    const split = text.indexOf('\r\n\r\n');
    const head = split >= 0 ? text.slice(0, split) : 'Subject: Moat notification';
    const body = split >= 0 ? text.slice(split + 4) : text;
    const message = [
      `From: ${config.from}`,
      `To: ${to.join(', ')}`,
      head,
      `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${now.getTime()}.${randomBytes(6).toString('hex')}@moat>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n');
    out.push({ kind, envelope: { mailFrom: '', rcptTo: to }, message: Buffer.from(message, 'utf8') });
  }
  return out;
}
