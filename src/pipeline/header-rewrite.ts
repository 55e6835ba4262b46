/**
 * Header-level rewrites that need no MIME parsing: prepend fields, tag the Subject, append a
 * footer to a single-part text message. Everything not touched stays byte-identical.
 */
const MAX_LINE = 76;

function headerEnd(msg: Buffer): number {
  const crlf = msg.indexOf('\r\n\r\n');
  const lf = msg.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 2;
  if (lf >= 0) return lf + 1;
  return msg.length;
}

export function eolOf(msg: Buffer): string {
  const lf = msg.indexOf('\n');
  return lf > 0 && msg[lf - 1] === 13 ? '\r\n' : '\n';
}

/** RFC 2047 B-encoding for non-ASCII text (e.g. a configured subject tag). */
export function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** Folds a header value at spaces so no line exceeds 76 characters where possible. */
export function foldHeader(name: string, value: string, eol: string): string {
  const words = value.replace(/[\r\n]+/g, ' ').split(' ');
  let line = `${name}:`;
  const lines: string[] = [];
  for (const word of words) {
    if (line.length + 1 + word.length > MAX_LINE && line.trim().length > name.length + 1) {
      lines.push(line);
      line = ` ${word}`;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines.join(eol) + eol;
}

/**
 * Puts header fields on top of the message: after its mbox envelope line when it starts with one
 * (`From sender date`, which Postfix's local(8) gives a mailbox_command such as moat mda), since
 * a delivery program takes only a first line as the envelope: below fields, it would be stored as
 * a broken header line.
 */
export function prependHeaders(msg: Buffer, headers: Array<{ name: string; value: string }>): Buffer {
  if (headers.length === 0) return msg;
  const eol = eolOf(msg);
  const fields = Buffer.from(headers.map((h) => foldHeader(h.name, encodeWord(h.value), eol)).join(''), 'utf8');
  const envelopeEnd = msg.subarray(0, 5).toString('latin1') === 'From ' ? msg.indexOf(10) + 1 : 0;
  if (envelopeEnd <= 0) return Buffer.concat([fields, msg]);
  return Buffer.concat([msg.subarray(0, envelopeEnd), fields, msg.subarray(envelopeEnd)]);
}

/** Prefixes the Subject with `tag` (added once); adds a Subject when there is none. */
export function tagSubject(msg: Buffer, tag: string): { message: Buffer; subject: string } {
  const head = msg.subarray(0, headerEnd(msg)).toString('latin1');
  const m = /(^|\n)(subject)[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)/i.exec(head);
  const encodedTag = encodeWord(tag);
  if (!m) return { message: prependHeaders(msg, [{ name: 'Subject', value: tag }]), subject: encodedTag };
  const raw = m[3]!;
  const cr = raw.endsWith('\r') ? '\r' : '';
  const current = raw.replace(/\r?\n[ \t]+/g, ' ').replace(/\r$/, '').trim();
  if (current.startsWith(encodedTag)) return { message: msg, subject: current };
  const subject = `${encodedTag} ${current}`;
  const start = m.index + m[1]!.length;
  const stop = m.index + m[0].length;
  return { message: Buffer.concat([msg.subarray(0, start), Buffer.from(`${m[2]}: ${subject}${cr}`, 'latin1'), msg.subarray(stop)]), subject };
}

/** Appends a footer to a single-part, unencoded text/plain message; returns undefined when that is not the case (documented limit). */
export function appendFooter(msg: Buffer, footer: string): Buffer | undefined {
  const end = headerEnd(msg);
  const head = msg.subarray(0, end).toString('latin1');
  const ctype = /(^|\n)content-type[ \t]*:[ \t]*([^;\s]+)/i.exec(head)?.[2]?.toLowerCase() ?? 'text/plain';
  const cte = /(^|\n)content-transfer-encoding[ \t]*:[ \t]*(\S+)/i.exec(head)?.[2]?.toLowerCase() ?? '7bit';
  if (ctype !== 'text/plain' || !['7bit', '8bit'].includes(cte)) return undefined;
  const eol = eolOf(msg);
  const body = msg.subarray(end);
  const sep = body.length && !body.toString('latin1').endsWith('\n') ? eol : '';
  return Buffer.concat([msg, Buffer.from(`${sep}${eol}-- ${eol}${footer.replace(/\r?\n/g, eol)}${eol}`, 'utf8')]);
}
