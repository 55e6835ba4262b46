const UTF8 = new TextDecoder('utf-8', { fatal: true });
const HIGH_BYTE = /[\x80-\xff]/;
const BEYOND_A_BYTE = /[^\x00-\xff]/;

/**
 * A header value as its sender meant it when the field carried raw 8-bit text. Header values are
 * read one byte per character (Latin-1); a field written in raw UTF-8 (RFC 6532, SMTPUTF8 mail,
 * and many clients that never encode) then reads "GrÃ¼Ãe". When the value is only such byte
 * characters and they form valid UTF-8, they are decoded as UTF-8; anything else (real Latin-1,
 * text decoded from RFC 2047 words) is returned as it is. Raw Latin-1 text that happens to be valid
 * UTF-8 needs two or more high bytes in a row of exactly UTF-8's shape, which prose does not have.
 */
export function rawUtf8HeaderValue(value: string): string {
  if (!HIGH_BYTE.test(value) || BEYOND_A_BYTE.test(value)) return value;
  try {
    return UTF8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
