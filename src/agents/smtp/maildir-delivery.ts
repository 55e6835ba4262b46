import { randomUUID } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SmtpReply } from '../common/smtp-reply.js';
import type { OutgoingMessage } from './smtp-client.js';

/** Maildir folder name for a recipient: its local part, lower-cased, with anything unsafe replaced. */
export function maildirName(recipient: string): string {
  const at = recipient.lastIndexOf('@');
  const local = (at > 0 ? recipient.slice(0, at) : recipient || 'postmaster').toLowerCase();
  const safe = local.replace(/[^a-z0-9._+-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}

/**
 * The newcomer's next hop: each recipient gets the message in `<root>/<local part>/new/`,
 * written to `tmp/`, fsynced, then renamed (the Maildir protocol), so a reader never sees a
 * partial file and a 250 means the bytes are on disk.
 */
export async function deliverToMaildir(root: string, message: OutgoingMessage): Promise<SmtpReply> {
  const folders = new Set(message.rcptTo.map(maildirName));
  for (const rcpt of message.rcptTo) {
    const dir = join(root, maildirName(rcpt));
    for (const sub of ['tmp', 'new', 'cur']) await mkdir(join(dir, sub), { recursive: true, mode: 0o700 });
    const name = `${Date.now()}.M${randomUUID().replace(/-/g, '')}P${process.pid}.${hostname().replace(/[/:]/g, '_')}`;
    const tmp = join(dir, 'tmp', name);
    const handle = await open(tmp, 'wx', 0o600);
    try {
      const eol = message.data.includes('\r\n') ? '\r\n' : '\n';
      await handle.writeFile(Buffer.concat([Buffer.from(`Return-Path: <${message.mailFrom}>${eol}Delivered-To: ${rcpt}${eol}`), message.data]));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(dir, 'new', name));
  }
  return { code: 250, enhanced: '2.0.0', text: `Ok: delivered to ${folders.size} maildir(s) under ${root}` };
}
