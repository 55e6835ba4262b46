import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { headerValues, readHeaderBlock } from '../../mail/header-fields.js';

/** Changes when the key's definition changes, so keys of two definitions never collide. */
const KEY_VERSION = 'moat-message-key-2';

/** A header value with its whitespace runs collapsed (a refolded header is the same header). */
const normalizedValue = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim();

const CR = 0x0d;
const LF = 0x0a;
const GT = 0x3e;
const FROM_SPACE = Buffer.from('From ');
/** What String.prototype.trimEnd takes off a latin1 string: tab, LF, VT, FF, CR, space, NBSP. */
const isTrailingBlank = (b: number) => (b >= 0x09 && b <= 0x0d) || b === 0x20 || b === 0xa0;

/**
 * How much of the (normalized) body the key reads. Two messages with the same Message-ID, Date
 * and first 256 KB are one message for Bayes (a list's copy with a footer appended is the
 * message itself); reading no further keeps the key's cost flat: a 50 MB message costs what a
 * 256 KB one does, where normalizing all of it took 0.3 s of the daemon's event loop.
 */
const KEYED_BODY_BYTES = 256 * 1024;

/**
 * The start of the body as every copy of the message has it: line ends as LF (SMTP has CRLF, a
 * Maildir LF), `From ` lines without the `>` an mbox may have put before them (mboxo and mboxrd
 * alike), and no trailing blank lines (an mbox separates messages with one); at most
 * KEYED_BODY_BYTES of it.
 */
function normalizedBodyStart(body: Uint8Array): Uint8Array {
  let end = body.length;
  while (end > 0 && isTrailingBlank(body[end - 1]!)) end--;
  const out = Buffer.allocUnsafe(Math.min(end, KEYED_BODY_BYTES));
  let n = 0;
  let lineStart = true;
  for (let i = 0; i < end && n < out.length; i++) {
    if (lineStart && body[i] === GT) {
      let j = i;
      while (j < end && body[j] === GT) j++;
      // `>>>From ` is `From `: skip the quoting, keep the line.
      if (j + FROM_SPACE.length <= end && FROM_SPACE.every((c, k) => body[j + k] === c)) i = j;
    }
    const c = body[i]!;
    if (c === CR && i + 1 < end && body[i + 1] === LF) continue;
    out[n++] = c;
    lineStart = c === LF;
  }
  return out.subarray(0, n);
}

/**
 * What Bayes knows a learned message by, so that learning is idempotent and re-learning moves
 * it: the same message learned from the daemon (autolearn, as received over SMTP), from a user's
 * Maildir after delivery, from an mbox or from quarantine gets the same key. So it is made of
 * what delivery does not change: the first Message-ID and Date (unfolded), and the body's first
 * 256 KB with line ends and mbox escaping normalized. It leaves out everything delivery adds or rewrites:
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
  hash.update('\0').update(normalizedBodyStart(message.subarray(head.bodyStart)));
  return hash.digest('hex').slice(0, 32);
}
