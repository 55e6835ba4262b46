/**
 * Message bytes → SMTP DATA payload. Every bare LF and bare CR becomes CRLF *before* dot
 * stuffing, so `<LF>.<CR><LF>` or `<CR><LF>.<LF>` inside a message (SMTP smuggling) reaches the
 * next hop as an ordinary stuffed `..` line, never as an end-of-data marker.
 */
const BARE_NEWLINE = /\r(?!\n)|(?<!\r)\n/;

/** True when the message has a line ending other than CRLF (RFC 5321 §2.3.8 forbids them). */
export function hasBareNewline(data: Buffer): boolean {
  return BARE_NEWLINE.test(data.toString('latin1'));
}

/** CRLF-normalised copy of the message (no dot stuffing). */
export function normalizeNewlines(data: Buffer): Buffer {
  const text = data.toString('latin1');
  if (!BARE_NEWLINE.test(text)) return data;
  return Buffer.from(text.replace(/\r\n|\r|\n/g, '\r\n'), 'latin1');
}

/** DATA payload including the terminating `.` line. */
export function toWireData(data: Buffer): Buffer {
  let text = normalizeNewlines(data).toString('latin1');
  text = text.replace(/(^|\n)\./g, '$1..');
  if (text.length > 0 && !text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(`${text}.\r\n`, 'latin1');
}
