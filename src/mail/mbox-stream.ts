/**
 * Reads an mbox as a stream, one message at a time, for `moat learn` and `moat classify`: memory
 * stays at one message whatever the file's size, and there is no cap on the number of messages.
 * (The scanner's own splitter, src/engine/unpack/mail/mbox-split.ts, reads an mbox found inside
 * mail as one object under the engine's limits.)
 *
 * A separator is a `From ` line with a sender and a date (asctime as written by MTAs and mail
 * clients, or RFC 5322 style), with or without an empty line before it; the empty line before a
 * separator belongs to the mbox, not to the message. A body line that merely starts with "From "
 * ("From Alice Smith, see you at 10:30") is not a separator. `>From ` lines are unquoted once
 * (mboxrd; mboxo quoting reads the same). A UTF-8 byte order mark and empty lines before the
 * first separator are skipped.
 */

/** A separator line is short: a longer line is never tested (nor kept whole while waiting for its end). */
const MAX_SEPARATOR_LINE = 1000;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{1,2}:\\d\\d(?::\\d\\d)?';
const ASCTIME = `${DAY} +${MONTH} +\\d{1,2} +${TIME}(?: +(?:[A-Za-z]{1,5}|[+-]\\d{4}))* +\\d{4}`;
const RFC_STYLE = `${DAY}, +\\d{1,2} +${MONTH} +\\d{4} +${TIME}`;
const SEPARATOR = new RegExp(`^From \\S* +(?:${ASCTIME}|${RFC_STYLE})`);

export function isMboxSeparator(line: string): boolean {
  return line.length <= MAX_SEPARATOR_LINE && SEPARATOR.test(line);
}

/** Whether the start of a file is an mbox: its first non-empty line (after a BOM) is a separator. */
export function looksLikeMbox(head: Uint8Array): boolean {
  let text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 4096)).toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const first = text.replace(/^(?:\r?\n)+/, '').split(/\r?\n/, 1)[0] ?? '';
  return isMboxSeparator(first);
}

export type MboxMessage = { index: number; data: Buffer } | { index: number; tooBig: true; bytes: number };

export interface MboxLimits {
  /** A message above this is reported (`tooBig`) and skipped, not kept in memory. */
  maxMessageBytes: number;
}

const LF = 10;
const CR = 13;

function isEmptyLine(line: Buffer): boolean {
  return line.length === 1 ? line[0] === LF : line.length === 2 && line[0] === CR && line[1] === LF;
}

/** Splits chunks into lines (with their line ends); a line longer than MAX_SEPARATOR_LINE comes in pieces, the later ones marked. */
class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private continued = false;

  *push(chunk: Uint8Array): Generator<{ line: Buffer; continued: boolean }> {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let start = 0;
    for (let nl = buf.indexOf(LF, start); nl >= 0; nl = buf.indexOf(LF, start)) {
      yield { line: buf.subarray(start, nl + 1), continued: this.continued };
      this.continued = false;
      start = nl + 1;
    }
    buf = buf.subarray(start);
    if (buf.length > MAX_SEPARATOR_LINE) {
      yield { line: buf, continued: this.continued };
      this.continued = true;
      buf = Buffer.alloc(0);
    }
    this.pending = Buffer.from(buf);
  }

  *end(): Generator<{ line: Buffer; continued: boolean }> {
    if (this.pending.length) yield { line: this.pending, continued: this.continued };
    this.pending = Buffer.alloc(0);
  }
}

export async function* readMboxMessages(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limits: MboxLimits): AsyncGenerator<MboxMessage> {
  let parts: Buffer[] = [];
  let bytes = 0;
  let index = 0;
  let started = false;
  let atStart = true;
  const finish = (): MboxMessage | undefined => {
    if (!started) return undefined;
    const tooBig = bytes > limits.maxMessageBytes;
    // The empty line before the next separator (or at the end of the file) is the mbox's.
    if (!tooBig && parts.length && isEmptyLine(parts[parts.length - 1]!)) parts.pop();
    const message: MboxMessage = tooBig ? { index, tooBig: true, bytes } : { index, data: Buffer.concat(parts) };
    parts = [];
    bytes = 0;
    return message;
  };
  const take = (line: Buffer, continued: boolean): MboxMessage | undefined => {
    let text = line;
    if (atStart) {
      if (text[0] === 0xef && text[1] === 0xbb && text[2] === 0xbf) text = text.subarray(3);
      if (isEmptyLine(text) || text.length === 0) return undefined;
      atStart = false;
    }
    if (!continued && text.length <= MAX_SEPARATOR_LINE && text[0] === 0x46 /* F */ && isMboxSeparator(text.toString('latin1').replace(/\r?\n$/, ''))) {
      const done = finish();
      started = true;
      index++;
      return done;
    }
    if (!started) {
      // Not an mbox after all (no separator first): the caller decides with looksLikeMbox; be safe.
      started = true;
      index++;
    }
    // mboxrd: one '>' comes off a quoted ">From " line.
    if (!continued && text[0] === 0x3e /* > */ && /^>+From /.test(text.subarray(0, 64).toString('latin1'))) text = text.subarray(1);
    bytes += text.length;
    if (bytes <= limits.maxMessageBytes) parts.push(Buffer.from(text));
    return undefined;
  };
  const splitter = new LineSplitter();
  for await (const chunk of source) {
    // Lines are handled synchronously within a chunk; finished messages are handed out after it.
    const done: MboxMessage[] = [];
    for (const { line, continued } of splitter.push(chunk)) {
      const m = take(line, continued);
      if (m) done.push(m);
    }
    yield* done;
  }
  for (const { line, continued } of splitter.end()) {
    const m = take(line, continued);
    if (m) yield m;
  }
  const last = finish();
  if (last) yield last;
}
