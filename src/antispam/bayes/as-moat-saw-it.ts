import { DEFAULT_LIMITS } from '../../core/limits.js';
import { decodeEncodedWords, readHeaderBlock } from '../../mail/header-fields.js';
import type { HeaderField } from '../../mail/types.js';

/**
 * Fields in the run Moat puts on the mail it passes on: its result (X-Virus-Scanned,
 * X-Moat-Result), its spam verdict and its Authentication-Results. Each name appears once in a run.
 */
const RUN_FIELDS = new Set(['x-virus-scanned', 'x-moat-result', 'x-spam-flag', 'x-spam-status', 'x-spam-level', 'authentication-results']);
/**
 * Fields a message is written with (its origin and content), never added on the way: when one
 * stands above a run, the run was not put on top of the message, so nothing above it is cut.
 */
const MESSAGE_FIELD = /^(from|sender|reply-to|to|cc|bcc|subject|date|message-id|in-reply-to|references|mime-version|content-.*)$/;

const nameOf = (f: HeaderField) => f.name.toLowerCase();
/**
 * Where a run of Moat's starts: only a field no other filter writes (SpamAssassin, amavisd-new and
 * receiving MTAs write X-Spam-*, X-Virus-Scanned and Authentication-Results too).
 */
const isMoatMark = (f: HeaderField) => nameOf(f) === 'x-moat-result' || (nameOf(f) === 'x-virus-scanned' && /^\s*Moat\b/.test(f.value));
const isMessageField = (f: HeaderField) => MESSAGE_FIELD.test(nameOf(f));
const offsetOf = (message: Uint8Array, f: HeaderField) => f.raw.byteOffset - message.byteOffset;

/**
 * The run of Moat's fields from `mark` down: each of RUN_FIELDS at most once, contiguous; an
 * Authentication-Results only when Moat writes one (an upstream milter's may follow the run).
 */
function runFrom(fields: readonly HeaderField[], mark: number, withAuthenticationResults: boolean): [start: number, end: number] {
  const names = new Set<string>();
  const fits = (name: string) => RUN_FIELDS.has(name) && !names.has(name) && (withAuthenticationResults || name !== 'authentication-results');
  const take = (i: number) => i < fields.length && fits(nameOf(fields[i]!)) && names.add(nameOf(fields[i]!));
  // The mark is Moat's first field (X-Virus-Scanned, or X-Moat-Result without it): the run goes down from there.
  take(mark);
  let end = mark + 1;
  while (take(end)) end++;
  return [mark, end];
}

/** The first encoded word of `text` when it decodes to `tag` (how tagSubject writes a non-ASCII tag), else undefined. */
function encodedTagLength(text: string, tag: string): number | undefined {
  const word = /^=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/.exec(text)?.[0];
  return word !== undefined && decodeEncodedWords(word).trim() === tag ? word.length : undefined;
}

/**
 * The Subject fields' tag prefix taken off (what the rewrite_subject action put there), plain or
 * RFC 2047-encoded, for any of `tags`. A Subject that is the tag alone was added by Moat to a
 * message that had none, and goes whole.
 */
function untagSubject(message: Uint8Array, tags: readonly string[]): Uint8Array {
  const flatTags = tags.map((t) => t.replace(/[\r\n]+/g, ' ').trim()).filter(Boolean);
  if (flatTags.length === 0) return message;
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const pieces: Uint8Array[] = [];
  let pos = 0;
  // rewrite_subject tags the first Subject only (tagSubject, the milter's CHGHEADER).
  for (const f of head.fields.filter((x) => nameOf(x) === 'subject').slice(0, 1)) {
    const raw = Buffer.from(f.raw.buffer, f.raw.byteOffset, f.raw.byteLength).toString('latin1');
    const colon = raw.indexOf(':') + 1;
    const at = colon + /^[ \t]*/.exec(raw.slice(colon))![0].length;
    let length: number | undefined;
    for (const tag of flatTags) {
      length = raw.startsWith(tag, at) ? tag.length : encodedTagLength(raw.slice(at), tag);
      if (length !== undefined) break;
    }
    if (length === undefined) continue;
    const start = offsetOf(message, f);
    if (/^\r?\n$/.test(raw.slice(at + length))) {
      pieces.push(message.subarray(pos, start));
      pos = start + f.raw.byteLength;
      continue;
    }
    // The tag and the one space rewrite_subject put after it.
    pieces.push(message.subarray(pos, start + at));
    pos = start + at + length + (raw[at + length] === ' ' ? 1 : 0);
  }
  if (pos === 0) return message;
  pieces.push(message.subarray(pos));
  return Buffer.concat(pieces);
}

/** What Moat may have written on the mail it passed on, by its configuration. */
export interface MoatMarkings {
  /** Moat marks the mail it passes on (`[policy] add_headers`, for the site or any entry): without it there is no run to find. */
  marks: boolean;
  /** Moat's milter appends its fields at the end of the header block (`[milter] header_position = "bottom"`). */
  milterAppends: boolean;
  /** The subject tags rewrite_subject may have put there (the site's, and those set per user, sender or group). */
  subjectTags: readonly string[];
  /** Moat writes Authentication-Results (`[antispam] authentication`). */
  authenticationResults: boolean;
}

/** Length of the empty line that ends the header block just before `bodyStart` (CRLF, LF or none). */
function bodySeparatorLength(message: Uint8Array, bodyStart: number): number {
  if (bodyStart >= 2 && message[bodyStart - 1] === 10 && message[bodyStart - 2] === 13) return 2;
  return bodyStart >= 1 && message[bodyStart - 1] === 10 ? 1 : 0;
}

/**
 * A delivered copy of a message as Moat saw it when it scored it, for learning and classifying:
 * the same tokens (and key) as at scoring time, not those of the delivery. Moat marks the mail it
 * passes on with a run of fields (X-Virus-Scanned: Moat…, X-Moat-Result, X-Spam-*, its
 * Authentication-Results), found by the Moat-only mark:
 * - a milter that appends (`milterAppends`): the run that ends the header block goes;
 * - every other agent puts the run on top: when only trace fields stand above it (Received,
 *   Return-Path, Delivered-To…, never From, Subject, Content-Type and the like), those were
 *   added later and go with the run;
 * - anything else (no mark, a mark below the message's own fields: another Moat, a forger) is
 *   left as it is, and so is every copy when Moat does not mark mail (`marks` false).
 * When the run that went says X-Spam-Flag: YES, a subject tag (any of `subjectTags`) at the start
 * of the first Subject is taken off too; one the sender wrote there is taken off as well.
 */
export function asMoatSawIt(message: Uint8Array, markings: MoatMarkings): Uint8Array {
  if (!markings.marks) return message;
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const { fields } = head;
  // Moat tags only what it calls spam: a tag on a message its run calls ham was there before.
  const tagsFor = (start: number, end: number) => (fields.slice(start, end).some((f) => nameOf(f) === 'x-spam-flag' && /^\s*YES\b/i.test(f.value)) ? markings.subjectTags : []);
  // The run a milter appended ends the header block; only it goes.
  if (markings.milterAppends) {
    let tail = fields.length;
    while (tail > 0 && RUN_FIELDS.has(nameOf(fields[tail - 1]!))) tail--;
    const mark = fields.findIndex((f, i) => i >= tail && isMoatMark(f));
    const [start, end] = mark < 0 ? [0, 0] : runFrom(fields, mark, markings.authenticationResults);
    if (mark >= 0 && end === fields.length) {
      const from = offsetOf(message, fields[start]!);
      const to = offsetOf(message, fields[end - 1]!) + fields[end - 1]!.raw.byteLength;
      return untagSubject(Buffer.concat([message.subarray(0, from), message.subarray(to)]), tagsFor(start, end));
    }
  }
  // The run the other agents put on top: only trace fields may stand above it, and they go too.
  const mark = fields.findIndex(isMoatMark);
  if (mark < 0 || fields.slice(0, mark).some(isMessageField)) return message;
  const [start, end] = runFrom(fields, mark, markings.authenticationResults);
  const after = fields[end];
  return untagSubject(message.subarray(after ? offsetOf(message, after) : head.bodyStart - bodySeparatorLength(message, head.bodyStart)), tagsFor(start, end));
}
