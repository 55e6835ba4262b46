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

/**
 * How many times a comment or an inline tag sits between two letters in HTML ("vi<!-- x -->agra",
 * "V<b></b>iagra", "mo<font color=#fff>z</font>ney"): a browser shows one word, a filter that reads
 * the markup sees two. One drop capital (`<font size=4>W</font>elcome`) is ordinary layout, so
 * callers count, and decide from how many.
 */
export function wordsSplitByMarkup(html: string): number {
  const src = html.slice(0, MAX_HTML_CHARS);
  let splits = 0;
  let pos = 0;
  for (;;) {
    const lt = src.indexOf('<', pos);
    if (lt < 0) return splits;
    let end: number;
    let inline: boolean;
    if (src.startsWith('<!--', lt)) {
      const close = src.indexOf('-->', lt + 4);
      // An unclosed comment hides the rest of the part, as in a browser; nothing more to count.
      if (close < 0) return splits;
      end = close + 3;
      inline = true;
    } else {
      const gt = src.indexOf('>', lt + 1);
      if (gt < 0) return splits;
      end = gt + 1;
      inline = INLINE.test(src.slice(lt + 1, gt));
    }
    // Several in a row ("v<b><i>iagra") split one place once.
    while (src[end] === '<') {
      const next = src.startsWith('<!--', end) ? src.indexOf('-->', end + 4) : src.indexOf('>', end + 1);
      if (next < 0 || (!src.startsWith('<!--', end) && !INLINE.test(src.slice(end + 1, next)))) break;
      end = src.startsWith('<!--', end) ? next + 3 : next + 1;
    }
    if (inline && lt > 0 && LETTER.test(src[lt - 1]!) && LETTER.test(src[end] ?? '')) splits++;
    pos = Math.max(end, lt + 1);
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
