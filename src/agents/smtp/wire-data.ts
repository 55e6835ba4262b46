/**
 * Message bytes → SMTP DATA payload. Every bare LF and bare CR becomes CRLF *before* dot
 * stuffing, so `<LF>.<CR><LF>` or `<CR><LF>.<LF>` inside a message (SMTP smuggling) reaches the
 * next hop as an ordinary stuffed `..` line, never as an end-of-data marker.
 *
 * Everything here works on bytes with Buffer.indexOf (memchr speed): these run on the event
 * loop for every message, and a latin1 string plus a RegExp per message cost more than the
 * SMTP exchange itself.
 */
const CR = 0x0d;
const LF = 0x0a;
const DOT_LINE = Buffer.from('\n.');
const TERMINATOR = Buffer.from('.\r\n');
const CRLF = Buffer.from('\r\n');

/** True when the message has a line ending other than CRLF (RFC 5321 §2.3.8 forbids them). */
export function hasBareNewline(data: Uint8Array): boolean {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let lf = buf.indexOf(LF); lf >= 0; lf = buf.indexOf(LF, lf + 1)) if (lf === 0 || buf[lf - 1] !== CR) return true;
  for (let cr = buf.indexOf(CR); cr >= 0; cr = buf.indexOf(CR, cr + 1)) if (buf[cr + 1] !== LF) return true;
  return false;
}

/** CRLF-normalised copy of the message (no dot stuffing); the same buffer when already clean. `bare`: hasBareNewline's answer when the caller already has it. */
export function normalizeNewlines(data: Buffer, bare: boolean = hasBareNewline(data)): Buffer {
  if (!bare) return data;
  const out = Buffer.allocUnsafe(data.length * 2);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === CR) {
      out[n++] = CR;
      out[n++] = LF;
      if (data[i + 1] === LF) i++;
    } else if (b === LF) {
      out[n++] = CR;
      out[n++] = LF;
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

/**
 * DATA payload including the terminating `.` line, as slices of the message (no copy of the
 * body): a `.` starting a line gets a second one, a missing final CRLF is added.
 */
export function toWireChunks(data: Buffer): Buffer[] {
  const text = normalizeNewlines(data);
  const chunks: Buffer[] = [];
  let from = 0;
  if (text.length > 0 && text[0] === 0x2e) chunks.push(TERMINATOR.subarray(0, 1));
  for (let at = text.indexOf(DOT_LINE); at >= 0; at = text.indexOf(DOT_LINE, at + 2)) {
    // Cut after the LF: the line's dot is written twice (once ending this slice, once starting the next).
    chunks.push(text.subarray(from, at + 2));
    from = at + 1;
  }
  chunks.push(text.subarray(from));
  if (text.length > 0 && !(text[text.length - 2] === CR && text[text.length - 1] === LF)) chunks.push(CRLF);
  chunks.push(TERMINATOR);
  return chunks;
}

/** DATA payload as one buffer (see toWireChunks). */
export function toWireData(data: Buffer): Buffer {
  return Buffer.concat(toWireChunks(data));
}
