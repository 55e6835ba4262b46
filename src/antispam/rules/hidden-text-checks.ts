import { commentEnd, decodeEntities } from '../html-text.js';

/**
 * Checks for text written to be read by people and not by filters, which ham has no reason for.
 * Each is one pass over its input.
 */

/** HTML looked at (what a filter reads of a part, html-text.ts). */
const MAX_HTML_CHARS = 512 * 1024;
/**
 * Inline elements a browser runs into the surrounding text: a word split by one reads whole. Not
 * `sup` and `sub`, which set text apart (Java<sup>TM</sup>, footnote marks).
 */
const INLINE = /^\/?(?:b|i|u|s|em|strong|span|font|small|big|tt|strike|mark|ins|del|abbr|q|cite|code)(?:[\s/][^>]*)?$/i;
const LETTER = /\p{L}/u;

/** A comment or a tag that starts at `lt`: where it ends, and for a tag its name and whether it closes. */
function markupAt(src: string, lt: number): { end: number; comment: boolean; name: string; closing: boolean; inline: boolean } | undefined {
  if (src.startsWith('<!--', lt)) {
    const end = commentEnd(src, lt);
    return end < 0 ? undefined : { end, comment: true, name: '', closing: false, inline: true };
  }
  const gt = src.indexOf('>', lt + 1);
  if (gt < 0) return undefined;
  const inner = src.slice(lt + 1, gt);
  const name = /^\/?([a-z][a-z0-9]*)/i.exec(inner)?.[1]?.toLowerCase() ?? '';
  return { end: gt + 1, comment: false, name, closing: inner.startsWith('/'), inline: INLINE.test(inner) };
}

/** Whether a letter starts at `at`, written or as an entity (`&#105;`, `&eacute;`). */
function letterAt(src: string, at: number): boolean {
  if (src[at] !== '&') return LETTER.test(src[at] ?? '');
  const entity = /^&[#a-z0-9]{1,10};/i.exec(src.slice(at, at + 12))?.[0];
  return entity !== undefined && LETTER.test(decodeEntities(entity)[0] ?? '');
}

/**
 * How many times markup that shows nothing sits inside a word in HTML: a comment ("vi<!-- x
 * -->agra"), an empty inline element ("V<b></b>iagra"), or an inline element around one or two
 * letters in the middle of a word ("c<span>i</span>alis"). A browser shows one word, a filter
 * that reads the markup sees two. Emphasis of a whole part of a word ("<b>Winter</b>reifen",
 * "<font size=5>S</font>UMMER") and one element ending where the next begins (Word's
 * "Her</span><span>ren") are ordinary layout and do not count. One pass.
 */
export function wordsSplitByMarkup(html: string): number {
  const src = html.slice(0, MAX_HTML_CHARS);
  let splits = 0;
  let pos = 0;
  for (;;) {
    const lt = src.indexOf('<', pos);
    if (lt < 0) return splits;
    if (lt === 0 || !LETTER.test(src[lt - 1]!)) {
      const skipped = src.startsWith('<!--', lt) ? markupAt(src, lt) : { end: lt + 1 };
      if (!skipped) return splits; // an unclosed comment hides the rest, as in a browser
      pos = skipped.end;
      continue;
    }
    // The run of markup after a letter.
    let at = lt;
    let hidesNothing = false;
    let open: string | undefined;
    let inlineOnly = true;
    while (src[at] === '<') {
      const item = markupAt(src, at);
      if (!item) return splits;
      if (!item.inline) {
        inlineOnly = false;
        at = item.end;
        break;
      }
      if (item.comment || (item.closing && item.name === open)) hidesNothing = true;
      open = item.comment || item.closing ? undefined : item.name;
      at = item.end;
    }
    if (inlineOnly && hidesNothing && letterAt(src, at)) splits++;
    else if (inlineOnly && open !== undefined) {
      // "c<span>i</span>alis": one or two letters wrapped inside a word.
      const wrapped = /^(\p{L}{1,2})<\/([a-z][a-z0-9]*)\s*>/iu.exec(src.slice(at, at + 40));
      if (wrapped && wrapped[2]!.toLowerCase() === open && letterAt(src, at + wrapped[0].length)) {
        splits++;
        at += wrapped[0].length;
      }
    }
    pos = Math.max(at, lt + 1);
  }
}

const WORDS = /\p{L}{3,}/gu;
const LATIN = /\p{Script=Latin}/u;
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/gu;
/** Cyrillic and Greek letters that look like Latin ones (Cyrillic а е о р с у х і ј ѕ …, Greek ο α ι ν ρ …). */
const LOOKS_LATIN = new Set([...'аеорсухіјѕһԁԛԝАВЕКМНОРСТУХІЈЅοαινρκτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ']);

/**
 * Words of three or more letters that mix Latin letters with Cyrillic or Greek ones that look
 * Latin ("pаypal" with a Cyrillic а): spelling that reads as a brand or a word to people and as
 * an unknown word to filters. A word with other Cyrillic or Greek letters is not one: that is
 * text in two languages, or mojibake ("bisonпїЅone", UTF-8 read as Windows-1251). Returns the
 * first, or undefined.
 */
export function mixedScriptWord(text: string): string | undefined {
  for (const [word] of text.matchAll(WORDS)) {
    if (!LATIN.test(word)) continue;
    const foreign = word.match(CYRILLIC_OR_GREEK);
    if (foreign && foreign.every((c) => LOOKS_LATIN.has(c))) return word;
  }
  return undefined;
}
