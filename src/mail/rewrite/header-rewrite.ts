import { DEFAULT_LIMITS } from '../../core/limits.js';
import { MoatError } from '../../core/errors.js';
import { readHeaderBlock } from '../header-fields.js';
import { encodeHeaderValue, encodeWords, eolOf, foldField, isValidHeaderName } from './header-encoding.js';

export interface NewHeader {
  name: string;
  /** Unicode text; line breaks are flattened and non-ASCII is RFC 2047-encoded. */
  value: string;
}

function asBuffer(message: Uint8Array): Buffer {
  return Buffer.from(message.buffer, message.byteOffset, message.length);
}

/** Where header fields may be inserted at the top: after an mbox `From ` envelope line if there is one. */
function topOfHeaders(buf: Buffer): number {
  if (!buf.subarray(0, 5).equals(Buffer.from('From '))) return 0;
  const nl = buf.indexOf(10);
  return nl < 0 ? buf.length : nl + 1;
}

/**
 * Prepends header fields (folded, encoded) to the message; every original byte follows unchanged.
 * Throws MAIL_HEADER_INVALID for a name that is not a valid field name (a configuration error).
 */
export function addHeaders(message: Uint8Array, headers: readonly NewHeader[]): Buffer {
  const buf = asBuffer(message);
  const eol = eolOf(buf);
  let text = '';
  for (const h of headers) {
    if (!isValidHeaderName(h.name)) throw new MoatError('MAIL_HEADER_INVALID', `invalid header name: ${JSON.stringify(h.name)}`, { name: h.name });
    text += foldField(h.name, encodeHeaderValue(h.value), eol);
  }
  const at = topOfHeaders(buf);
  return Buffer.concat([buf.subarray(0, at), Buffer.from(text, 'latin1'), buf.subarray(at)]);
}

/**
 * Puts `tag` in front of the Subject of the message (every Subject field, since clients differ in
 * which one they show). Only the bytes right after `Subject:` change; a tag already present is not
 * added twice. Without a Subject, one is added at the end of the header block.
 */
export function tagSubject(message: Uint8Array, tag: string): Buffer {
  const buf = asBuffer(message);
  const eol = eolOf(buf);
  const start = topOfHeaders(buf);
  const hb = readHeaderBlock(buf, start, buf.length, DEFAULT_LIMITS.maxHeaderBytes);
  const flatTag = tag.replace(/[\r\n]+/g, ' ').trim();
  if (!flatTag) return Buffer.from(buf);
  const subjects = hb.fields.filter((f) => f.name.toLowerCase() === 'subject');
  if (subjects.length === 0) {
    const last = hb.fields[hb.fields.length - 1];
    const at = last ? last.raw.byteOffset - buf.byteOffset + last.raw.length : start;
    const field = foldField('Subject', encodeHeaderValue(flatTag), eol);
    // A header block without a final line break would glue the new field to the last one.
    const sep = at > start && buf[at - 1] !== 10 ? eol : '';
    return Buffer.concat([buf.subarray(0, at), Buffer.from(sep + field, 'latin1'), buf.subarray(at)]);
  }
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const f of subjects) {
    if (f.value.trim().startsWith(flatTag)) continue;
    const colon = f.raw.byteOffset - buf.byteOffset + f.raw.indexOf(58) + 1;
    const rawValue = buf.subarray(colon, colon + f.raw.length).toString('latin1').trimStart();
    // Whitespace between two encoded words is dropped by decoders, so an encoded tag carries its own space.
    const insert = /[^\x20-\x7e]/.test(flatTag) ? ` ${encodeWords(rawValue.startsWith('=?') ? `${flatTag} ` : flatTag)}` : ` ${flatTag}`;
    const glued = buf[colon] !== 32 && buf[colon] !== 9 && buf[colon] !== 13 && buf[colon] !== 10;
    pieces.push(buf.subarray(pos, colon), Buffer.from(glued ? `${insert} ` : insert, 'latin1'));
    pos = colon;
  }
  pieces.push(buf.subarray(pos));
  return Buffer.concat(pieces);
}

/** A header field taken out: its name as written and which occurrence of that name it was (1 = first), as a milter's CHGHEADER counts. */
export interface RemovedField {
  name: string;
  index: number;
}

/**
 * Takes out the header fields `remove` selects (by name and unfolded value), with their folded
 * lines; every other byte stays as it was. Says which ones went, counted per name (case-
 * insensitive) in the message as given, so a milter can delete the same fields in the MTA's copy.
 */
export function removeFields(message: Uint8Array, remove: (name: string, value: string) => boolean): { message: Buffer; removed: RemovedField[] } {
  const buf = asBuffer(message);
  // The whole header block, however long: a field past the parser's usual limit is still one the
  // recipient's client reads (one linear pass; fields are views into the message).
  const hb = readHeaderBlock(buf, topOfHeaders(buf), buf.length, buf.length);
  const seen = new Map<string, number>();
  const removed: RemovedField[] = [];
  const keep: Buffer[] = [];
  let pos = 0;
  for (const field of hb.fields) {
    const key = field.name.toLowerCase();
    const index = (seen.get(key) ?? 0) + 1;
    seen.set(key, index);
    if (!remove(field.name, field.value)) continue;
    const at = field.raw.byteOffset - buf.byteOffset;
    keep.push(buf.subarray(pos, at));
    pos = at + field.raw.length;
    removed.push({ name: field.name, index });
  }
  if (removed.length === 0) return { message: buf, removed };
  keep.push(buf.subarray(pos));
  return { message: Buffer.concat(keep), removed };
}
