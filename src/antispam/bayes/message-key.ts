import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { headerValues, readHeaderBlock } from '../../mail/header-fields.js';

/** Changes when the key's definition changes, so keys of two definitions never collide. */
const KEY_VERSION = 'moat-message-key-4';

/** A header value with its whitespace runs collapsed (a refolded header is the same header). */
const normalizedValue = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim();

const LF = 0x0a;
const GT = 0x3e;
const FROM_SPACE = Buffer.from('From ');
/** ASCII white space: tab, LF, VT, FF, CR, space. */
const isBlank = (b: number) => (b >= 0x09 && b <= 0x0d) || b === 0x20;

/**
 * How much of the body the key reads (non-blank bytes). Two messages with the same identity
 * headers and the same first 256 KB are one message for Bayes (a list's copy with a footer
 * appended is the message itself); reading no further keeps the key's cost flat: a 50 MB message
 * costs what a 256 KB one does, where normalizing all of it took 0.3 s of the daemon's event loop.
 */
const KEYED_BODY_BYTES = 256 * 1024;
/**
 * And at most this much of the body is read to find them, so a body of blanks costs no more
 * (0.3-0.5 s for 50 MB of spaces before). Only a body whose first megabyte is mostly white space
 * can key differently as CRLF and as LF.
 */
const READ_BODY_BYTES = 1024 * 1024;

/**
 * The start of the body as every copy of the message has it: its bytes without white space, so
 * that line ends (CRLF over SMTP, LF in a Maildir), lines an MTA broke at 998 characters
 * (Postfix inserts CRLF and a space), trailing blank lines (an mbox separates messages with one)
 * and refolding do not count; `From ` lines without the `>` an mbox may have put before them
 * (mboxo and mboxrd alike). At most KEYED_BODY_BYTES of it, from at most READ_BODY_BYTES.
 */
function bodyStart(whole: Uint8Array): Uint8Array {
  const body = whole.subarray(0, READ_BODY_BYTES);
  const out = Buffer.allocUnsafe(Math.min(body.length, KEYED_BODY_BYTES));
  let n = 0;
  let lineStart = true;
  for (let i = 0; i < body.length && n < out.length; i++) {
    if (lineStart && body[i] === GT) {
      let j = i;
      while (j < body.length && body[j] === GT) j++;
      // `>>>From ` is `From `: skip the quoting, keep the line.
      if (j + FROM_SPACE.length <= body.length && FROM_SPACE.every((c, k) => body[j + k] === c)) i = j;
    }
    const c = body[i]!;
    lineStart = c === LF;
    if (!isBlank(c)) out[n++] = c;
  }
  return out.subarray(0, n);
}

/**
 * What Bayes knows a learned message by, so that learning is idempotent and re-learning moves
 * it: the same message learned from the daemon (autolearn, as received over SMTP), from a user's
 * Maildir after delivery, from an mbox or from quarantine gets the same key. So it is made of
 * what delivery does not change: its Message-ID (without one: its Date and From; without any of
 * the three: its Subject), unfolded, and the first 256 KB of its body without white space and
 * mbox quoting. Received, Return-Path, Delivered-To and Moat's own fields added on the way do
 * not count (learning reads a mailbox copy as Moat saw it first: asMoatSawIt, which also takes
 * the subject tag off, for the Subject fallback). Copies of one spam run
 * sent to many recipients with the same Message-ID and body count once, as in SpamAssassin's
 * Bayes "seen" database.
 */
export function messageKey(message: Uint8Array): string {
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const field = (name: string) => normalizedValue(headerValues(head.fields, name)[0]);
  const messageId = field('message-id');
  const identity = messageId ? `id\0${messageId}` : field('date') || field('from') ? `date-from\0${field('date')}\0${field('from')}` : `subject\0${field('subject')}`;
  return createHash('sha256').update(`${KEY_VERSION}\0${identity}\0`).update(bodyStart(message.subarray(head.bodyStart))).digest('hex').slice(0, 32);
}
