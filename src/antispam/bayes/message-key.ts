import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { headerValues, readHeaderBlock } from '../../mail/header-fields.js';

/** Changes when the key's definition changes, so keys of two definitions never collide. */
const KEY_VERSION = 'moat-message-key-2';

/** A header value with its whitespace runs collapsed (a refolded header is the same header). */
const normalizedValue = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim();

/**
 * The body as every copy of the message has it: line ends as LF (SMTP has CRLF, a Maildir LF),
 * `From ` lines without the `>` an mbox may have put before them (mboxo and mboxrd alike), and
 * no trailing blank lines (an mbox separates messages with one).
 */
function normalizedBody(body: Uint8Array): string {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    .toString('latin1')
    .replace(/\r\n/g, '\n')
    .replace(/^>+From /gm, 'From ')
    .trimEnd();
}

/**
 * What Bayes knows a learned message by, so that learning is idempotent and re-learning moves
 * it: the same message learned from the daemon (autolearn, as received over SMTP), from a user's
 * Maildir after delivery, from an mbox or from quarantine gets the same key. So it is made of
 * what delivery does not change: the first Message-ID and Date (unfolded), and the body with
 * line ends and mbox escaping normalized. It leaves out everything delivery adds or rewrites:
 * Received, Return-Path, Delivered-To, X-Spam-* and other trace headers added on top, and a
 * Subject tagged `[SPAM]`. A message with neither Message-ID nor Date (not valid RFC 5322:
 * ratware, test messages) is known by its From and body; one without a From either, by its
 * header lines and body. Copies of one spam run sent to many
 * recipients with the same Message-ID and body count once, as SpamAssassin's Bayes "seen"
 * database counts them.
 */
export function messageKey(message: Uint8Array): string {
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const messageId = normalizedValue(headerValues(head.fields, 'message-id')[0]);
  const date = normalizedValue(headerValues(head.fields, 'date')[0]);
  const from = messageId || date ? '' : normalizedValue(headerValues(head.fields, 'from')[0]);
  const hash = createHash('sha256').update(`${KEY_VERSION}\0${messageId}\0${date}\0${from}\0`);
  // Not even a From (not mail, or only a fragment): its header lines are all there is to go by.
  if (!messageId && !date && !from) hash.update(message.subarray(0, head.bodyStart));
  hash.update('\0').update(normalizedBody(message.subarray(head.bodyStart)), 'latin1');
  return hash.digest('hex').slice(0, 32);
}
