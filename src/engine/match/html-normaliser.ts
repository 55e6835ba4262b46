/**
 * An approximation of ClamAV's HTML normalisation (htmlnorm.c), which HTML objects are matched
 * against instead of their raw bytes (ClamAV skips the raw scan of HTML by default):
 *  - "nocomment": lower-cased, comments removed, whitespace runs → one space and dropped next
 *    to `<`/`>`, whitespace inside `<script>` removed, NUL bytes dropped;
 *  - "notags": the text outside tags, comments, scripts and styles, lower-cased, each run of
 *    tags/whitespace → one space.
 * Not reproduced: entity decoding, attribute rewriting, the JavaScript normaliser (identifier
 * renaming, string decoding) and its separate "javascript" output.
 */

/** ClamAV's MaxHTMLNormalize default: larger HTML is not normalised (40 MiB). */
export const MAX_HTML_NORMALIZE = 40 * 1024 * 1024;
/** ClamAV's MaxHTMLNoTags default: the tag-stripped form is skipped past this size (8 MiB). */
export const MAX_HTML_NOTAGS = 8 * 1024 * 1024;

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

function startsWithCi(b: Uint8Array, at: number, word: string): boolean {
  if (at + word.length > b.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(b[at + i]!) !== word.charCodeAt(i)) return false;
  return true;
}

class Out {
  buf: Uint8Array;
  n = 0;
  constructor(cap: number) {
    this.buf = new Uint8Array(Math.max(16, cap));
  }
  push(c: number): void {
    if (this.n === this.buf.length) {
      const g = new Uint8Array(this.buf.length * 2);
      g.set(this.buf);
      this.buf = g;
    }
    this.buf[this.n++] = c;
  }
  last(): number {
    return this.n > 0 ? this.buf[this.n - 1]! : -1;
  }
  result(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }
}

export function normaliseHtml(b: Uint8Array): { nocomment: Uint8Array; notags: Uint8Array | undefined } {
  const nc = new Out(b.length);
  const nt = new Out(b.length >> 1);
  let inTag = false;
  let inScript = false;
  let inStyle = false;
  let pending = false; // whitespace seen, not yet emitted (nocomment)
  let textPending = true; // a separator is due in notags (documents start with one)
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0) continue;
    if (!inTag && c === 0x3c && startsWithCi(b, i, '<!--')) {
      const end = findComment(b, i + 4);
      i = end - 1;
      textPending = true;
      continue;
    }
    if (isSpace(c)) {
      if (!inScript) pending = true;
      if (!inTag) textPending = true;
      continue;
    }
    const lc = lower(c);
    if (pending) {
      const prev = nc.last();
      if (prev !== -1 && prev !== 0x3e && prev !== 0x3c && prev !== 0x20 && lc !== 0x3c && lc !== 0x3e) nc.push(0x20);
      pending = false;
    }
    nc.push(lc);
    if (!inTag && c === 0x3c) {
      inTag = true;
      if (startsWithCi(b, i, '<script')) inScript = true;
      else if (startsWithCi(b, i, '</script')) inScript = false;
      else if (startsWithCi(b, i, '<style')) inStyle = true;
      else if (startsWithCi(b, i, '</style')) inStyle = false;
      textPending = true;
      continue;
    }
    if (inTag) {
      if (c === 0x3e) inTag = false;
      continue;
    }
    if (inScript || inStyle) continue;
    if (textPending) {
      nt.push(0x20);
      textPending = false;
    }
    nt.push(lc);
  }
  if (textPending && nt.n > 0) nt.push(0x20);
  return { nocomment: nc.result(), notags: b.length > MAX_HTML_NOTAGS ? undefined : nt.result() };
}

/** Index just past the `-->` closing a comment whose body starts at `from` (or the end). */
function findComment(b: Uint8Array, from: number): number {
  for (let i = from; i + 2 < b.length; i++) if (b[i] === 0x2d && b[i + 1] === 0x2d && b[i + 2] === 0x3e) return i + 3;
  return b.length;
}
