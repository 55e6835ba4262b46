/** Writing header fields: RFC 2047 encoded words for non-ASCII text, folding at 78 columns. */

/** RFC 5322 recommends lines of at most 78 characters; folding keeps added headers within it. */
const FOLD_AT = 78;
/** UTF-8 bytes per encoded word: 45 bytes → 60 base64 chars + 12 of `=?UTF-8?B??=` stays under RFC 2047's 75. */
const WORD_BYTES = 45;

const needsEncoding = (s: string): boolean => /[^\x20-\x7e\t]/.test(s);

/** `text` as RFC 2047 `=?UTF-8?B?…?=` words (space separated), never splitting a character. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** A header value safe to write: line breaks removed (no header injection), non-ASCII encoded. */
export function encodeHeaderValue(value: string): string {
  const flat = value.replace(/[\r\n]+[ \t]*/g, ' ');
  return needsEncoding(flat) ? encodeWords(flat) : flat;
}

export function isValidHeaderName(name: string): boolean {
  return /^[\x21-\x39\x3b-\x7e]+$/.test(name);
}

/** `Name: value` folded at whitespace to about 78 columns, each line ended by `eol`. */
export function foldField(name: string, encodedValue: string, eol: string): string {
  const words = encodedValue.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const w of words) {
    if (line.length + 1 + w.length > FOLD_AT && line.trim().length > name.length + 1) {
      lines.push(line);
      line = ` ${w}`;
    } else line += ` ${w}`;
  }
  lines.push(line);
  return lines.join(eol) + eol;
}

/** The line ending the message uses (CRLF on the wire, LF in local files). */
export function eolOf(buf: Uint8Array): string {
  const i = buf.indexOf(10);
  return i > 0 && buf[i - 1] === 13 ? '\r\n' : '\n';
}
