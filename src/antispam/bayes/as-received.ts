import { DEFAULT_LIMITS } from '../../core/limits.js';
import { decodeEncodedWords, readHeaderBlock } from '../../mail/header-fields.js';
import type { HeaderField } from '../../mail/types.js';

/**
 * Header fields that start the run Moat adds to the mail it passes on (its result and spam
 * verdict). Authentication-Results alone does not: receiving MTAs (Gmail, Microsoft) put theirs
 * on top of ordinary mail.
 */
const RUN_START_FIELDS = new Set(['x-virus-scanned', 'x-moat-result', 'x-moat-scanned', 'x-spam-flag', 'x-spam-status', 'x-spam-level']);
/** All the fields of the run: Moat puts its Authentication-Results right after the verdict. */
const RUN_FIELDS = new Set([...RUN_START_FIELDS, 'authentication-results']);
/**
 * Fields a message is written with (its origin and content), never added on the way: when one
 * stands above a run, the run was not put on top of the message, so nothing above it is cut.
 */
const MESSAGE_FIELD = /^(from|sender|reply-to|to|cc|bcc|subject|date|message-id|in-reply-to|references|mime-version|content-.*)$/;

const startsRun = (f: HeaderField) => RUN_START_FIELDS.has(f.name.toLowerCase());
const isRunField = (f: HeaderField) => RUN_FIELDS.has(f.name.toLowerCase());
const isMessageField = (f: HeaderField) => MESSAGE_FIELD.test(f.name.toLowerCase());
const offsetOf = (message: Uint8Array, f: HeaderField) => f.raw.byteOffset - message.byteOffset;

/** The first encoded word of `text` when it decodes to `tag` (how tagSubject writes a non-ASCII tag), else undefined. */
function encodedTagLength(text: string, tag: string): number | undefined {
  const word = /^=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/.exec(text)?.[0];
  return word !== undefined && decodeEncodedWords(word).trim() === tag ? word.length : undefined;
}

/** The Subject fields' tag prefix taken off (what the rewrite_subject action put there), plain or RFC 2047-encoded. */
function untagSubject(message: Uint8Array, tag: string): Uint8Array {
  const flatTag = tag.replace(/[\r\n]+/g, ' ').trim();
  if (!flatTag) return message;
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const pieces: Uint8Array[] = [];
  let pos = 0;
  for (const f of head.fields) {
    if (f.name.toLowerCase() !== 'subject') continue;
    const raw = Buffer.from(f.raw.buffer, f.raw.byteOffset, f.raw.byteLength).toString('latin1');
    const colon = raw.indexOf(':') + 1;
    const at = colon + /^[ \t]*/.exec(raw.slice(colon))![0].length;
    const length = raw.startsWith(flatTag, at) ? flatTag.length : encodedTagLength(raw.slice(at), flatTag);
    if (length === undefined) continue;
    // The tag and the one space rewrite_subject put after it.
    const cut = offsetOf(message, f) + at;
    pieces.push(message.subarray(pos, cut));
    pos = cut + length + (raw[at + length] === ' ' ? 1 : 0);
  }
  if (pos === 0) return message;
  pieces.push(message.subarray(pos));
  return Buffer.concat(pieces);
}

/**
 * A delivered copy of a message as Moat saw it when it scored it, for learning: the same tokens
 * (and key) as at scoring time, not those of the delivery. Moat puts its fields (X-Virus-Scanned,
 * X-Moat-Result, X-Spam-*, then Authentication-Results) on top of the message it passes on, so:
 * - when its run has only trace fields above it (Received, Return-Path, Delivered-To…, never
 *   From, Subject, Content-Type and the like), those were added later and go with the run;
 * - else, when the last fields of the header block are such a run (a milter whose MTA appends
 *   added fields), only that run goes;
 * - else the message is left as it is: such fields in the middle were not put there by Moat (an
 *   upstream filter, a sender).
 * When a run went, the subject tag `subjectTag` (plain or RFC 2047-encoded) is taken off too.
 */
export function asMoatSawIt(message: Uint8Array, subjectTag: string): Uint8Array {
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const { fields } = head;
  const first = fields.findIndex(startsRun);
  if (first < 0) return message;
  if (!fields.slice(0, first).some(isMessageField)) {
    let end = first;
    while (end < fields.length && isRunField(fields[end]!)) end++;
    const after = fields[end];
    return untagSubject(message.subarray(after ? offsetOf(message, after) : head.bodyStart - bodySeparatorLength(message, head.bodyStart)), subjectTag);
  }
  let tail = fields.length;
  while (tail > 0 && isRunField(fields[tail - 1]!)) tail--;
  if (tail === fields.length || !fields.slice(tail).some(startsRun)) return message;
  const from = offsetOf(message, fields[tail]!);
  const to = offsetOf(message, fields[fields.length - 1]!) + fields[fields.length - 1]!.raw.byteLength;
  return untagSubject(Buffer.concat([message.subarray(0, from), message.subarray(to)]), subjectTag);
}

/** Length of the empty line that ends the header block just before `bodyStart` (CRLF, LF or none). */
function bodySeparatorLength(message: Uint8Array, bodyStart: number): number {
  if (bodyStart >= 2 && message[bodyStart - 1] === 10 && message[bodyStart - 2] === 13) return 2;
  return bodyStart >= 1 && message[bodyStart - 1] === 10 ? 1 : 0;
}
