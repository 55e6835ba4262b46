/** Most messages split out of one mbox; more is reported by the object limit anyway. */
const MAX_MESSAGES = 100_000;

/**
 * A separator is `From <sender> <asctime date>` after an empty line (or at the start). Requiring
 * the date keeps an unquoted "From here on…" body line (mboxo) from cutting a message in two,
 * which would hide the attachments after it from MIME decoding.
 */
const SEPARATOR = /^From \S+ +.*\d{1,2}:\d\d(:\d\d)?/;

function isSeparator(buf: Buffer, at: number): boolean {
  const nl = buf.indexOf(10, at);
  const line = buf.subarray(at, nl < 0 ? Math.min(buf.length, at + 200) : Math.min(nl, at + 200)).toString('latin1');
  return SEPARATOR.test(line);
}

/**
 * Splits an mbox (messages separated by `From ` lines) into messages, unquoting mboxrd
 * `>From ` lines. Returns undefined when the input is a single message (no separator beyond
 * an optional first line).
 */
export function splitMbox(data: Uint8Array): Uint8Array[] | undefined {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (!buf.subarray(0, 5).equals(Buffer.from('From '))) return undefined;
  const starts: number[] = [0];
  let pos = buf.indexOf('\nFrom ', 0);
  while (pos >= 0 && starts.length < MAX_MESSAGES) {
    const blankBefore = buf[pos - 1] === 10 || (buf[pos - 1] === 13 && buf[pos - 2] === 10);
    if (blankBefore && isSeparator(buf, pos + 1)) starts.push(pos + 1);
    pos = buf.indexOf('\nFrom ', pos + 1);
  }
  const messages = starts.map((s, i) => {
    const bodyStart = buf.indexOf(10, s) + 1 || buf.length;
    const end = i + 1 < starts.length ? starts[i + 1]! : buf.length;
    const text = buf.subarray(bodyStart, end).toString('latin1').replace(/^>(>*From )/gm, '$1');
    return Buffer.from(text, 'latin1');
  });
  return messages.length > 1 || starts.length === 1 ? messages : undefined;
}
