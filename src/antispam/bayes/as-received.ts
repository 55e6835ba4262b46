import { DEFAULT_LIMITS } from '../../core/limits.js';
import { readHeaderBlock } from '../../mail/header-fields.js';
import type { HeaderField } from '../../mail/types.js';

/**
 * Header fields that start the run Moat adds to the mail it passes on (its result and spam
 * verdict). Authentication-Results alone does not: receiving MTAs (Gmail, Microsoft) put theirs
 * on top of ordinary mail, and cutting there would drop that mail's Received hops.
 */
const RUN_START_FIELDS = new Set(['x-virus-scanned', 'x-moat-result', 'x-moat-scanned', 'x-spam-flag', 'x-spam-status', 'x-spam-level']);
/** All the fields of the run: Moat puts its Authentication-Results right after the verdict. */
const RUN_FIELDS = new Set([...RUN_START_FIELDS, 'authentication-results']);

const startsRun = (f: HeaderField) => RUN_START_FIELDS.has(f.name.toLowerCase());
const isMoatField = (f: HeaderField) => RUN_FIELDS.has(f.name.toLowerCase());
const offsetOf = (message: Uint8Array, f: HeaderField) => f.raw.byteOffset - message.byteOffset;

/** The Subject fields' `tag ` prefix taken off (what the rewrite_subject action put there). */
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
    const lead = /^[ \t]*/.exec(raw.slice(colon))![0].length;
    if (!raw.startsWith(flatTag, colon + lead)) continue;
    const cut = offsetOf(message, f) + colon + lead;
    // The tag and the one space rewrite_subject put after it.
    const after = raw[colon + lead + flatTag.length] === ' ' ? flatTag.length + 1 : flatTag.length;
    pieces.push(message.subarray(pos, cut));
    pos = cut + after;
  }
  if (pos === 0) return message;
  pieces.push(message.subarray(pos));
  return Buffer.concat(pieces);
}

/**
 * A delivered copy of a message as Moat saw it when it scored it, for learning: the same tokens
 * (and key) as at scoring time, not those of the delivery. Moat puts its header fields
 * (X-Virus-Scanned, X-Moat-Result, X-Spam-*, Authentication-Results) on top of the message it
 * passes on, so the first run of them (starting with its result or verdict) marks where the
 * message stood: fields above it were added
 * later (Received of the re-injection and the final hops, Return-Path, Delivered-To) and go with
 * it. When the run ends the header block (a milter whose MTA appends added fields), only the run
 * goes, since what came later cannot be told apart. The subject tag `subjectTag` is taken off.
 * A message without Moat's fields is returned as it is, apart from the tag.
 */
export function asMoatSawIt(message: Uint8Array, subjectTag: string): Uint8Array {
  const head = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes);
  const first = head.fields.findIndex(startsRun);
  if (first < 0) return untagSubject(message, subjectTag);
  let end = first;
  while (end < head.fields.length && isMoatField(head.fields[end]!)) end++;
  const after = head.fields[end];
  const runStart = offsetOf(message, head.fields[first]!);
  const seen = after ? message.subarray(offsetOf(message, after)) : Buffer.concat([message.subarray(0, runStart), message.subarray(runStart + head.fields.slice(first, end).reduce((n, f) => n + f.raw.byteLength, 0))]);
  return untagSubject(seen, subjectTag);
}
