/** What anti-spam needs from HTML: visible text and the links with their visible text. */
export interface HtmlContent {
  text: string;
  links: Array<{ href: string; text: string }>;
}

/** HTML input looked at; beyond this a message is not more informative, only slower. */
const MAX_HTML_CHARS = 512 * 1024;
/** Links kept per part. */
const MAX_LINKS = 1000;

/** Named entities: HTML's own, all of Latin-1 (ISO 8859-1 in HTML 4) and the common typographic ones. */
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
const ENTITIES: Record<string, string> = {
  ...Object.fromEntries(LATIN1_NAMES.split(' ').map((name, i) => [name, String.fromCharCode(0xa0 + i)])),
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  euro: '€',
  trade: '™',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  hellip: '…',
  bull: '•',
  dagger: '†',
  permil: '‰',
  lsaquo: '‹',
  rsaquo: '›',
  OElig: 'Œ',
  oelig: 'œ',
  Scaron: 'Š',
  scaron: 'š',
  Yuml: 'Ÿ',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    // Names are case-sensitive (&Eacute; É, &eacute; é); one unknown in its case is tried lower-cased (&AMP;).
    return ENTITIES[e] ?? ENTITIES[e.toLowerCase()] ?? m;
  });
}

/**
 * Where the comment that starts at `lt` (`<!--`) ends, just past its `-->`; -1 when it never does.
 * `<!-->` and `<!--->` are closed, empty comments to a browser (HTML's abrupt closing).
 */
export function commentEnd(src: string, lt: number): number {
  if (src.startsWith('<!-->', lt)) return lt + 5;
  if (src.startsWith('<!--->', lt)) return lt + 6;
  const close = src.indexOf('-->', lt + 4);
  return close < 0 ? -1 : close + 3;
}

const TAG_NAME = /^(\/?)([a-z][a-z0-9]*)/i;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
/** Tags that end a line of visible text. */
const LINE_BREAKS = new Set(['br', '/p', '/div', '/tr']);

/**
 * Where the tag that starts at `lt` ends (its `>`), -1 when it never does. A `>` inside a quoted
 * attribute value (`href="x?a=<b>"`) does not end it, as in a browser. `noQuoteFrom` remembers, per
 * quote character, the position from which there is none, so unmatched quotes never make the
 * search quadratic.
 */
function tagEnd(src: string, lt: number, noQuoteFrom: Map<string, number>): number {
  let afterEquals = false;
  for (let i = lt + 1; i < src.length; i++) {
    const c = src[i]!;
    if (c === '>') return i;
    if ((c === '"' || c === "'") && afterEquals && i < (noQuoteFrom.get(c) ?? Infinity)) {
      const close = src.indexOf(c, i + 1);
      if (close < 0) noQuoteFrom.set(c, i + 1);
      else i = close;
      afterEquals = false;
      continue;
    }
    if (c === '=') afterEquals = true;
    else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') afterEquals = false;
  }
  return -1;
}

/**
 * Strips tags, scripts, styles and comments; decodes entities; collects `<a href>` with their text
 * (up to `</a>` or the next `<a>`). What a browser would not show is not text: a quoted attribute
 * value (even with `>` in it), and everything after an unclosed comment, script or style.
 *
 * One pass, linear in the input: each search for the end of a comment, tag or script starts where
 * the last one ended, and an end that is missing ends the scan, so no input makes it quadratic (the
 * regexes over the whole part it replaced did: 100 KB of `<` took 4.3 s, bench/antispam/hostile-input.ts).
 */
export function htmlContent(html: string): HtmlContent {
  const src = html.slice(0, MAX_HTML_CHARS);
  const out: string[] = [];
  const links: HtmlContent['links'] = [];
  let link: { href: string; from: number } | undefined;
  const emit = (raw: string) => {
    if (raw) out.push(raw);
  };
  const closeLink = () => {
    if (!link) return;
    if (links.length < MAX_LINKS) links.push({ href: decodeEntities(link.href).trim(), text: decodeEntities(out.slice(link.from).join('')).replace(/\s+/g, ' ').trim() });
    link = undefined;
  };
  const noQuoteFrom = new Map<string, number>();
  let pos = 0;
  while (pos < src.length) {
    const lt = src.indexOf('<', pos);
    if (lt < 0) {
      emit(src.slice(pos));
      break;
    }
    emit(src.slice(pos, lt));
    if (src.startsWith('<!--', lt)) {
      const end = commentEnd(src, lt);
      if (end < 0) break; // an unclosed comment hides the rest, as in a browser
      // A comment shows nothing, not even a space: "vi<!-- -->agra" reads "viagra".
      pos = end;
      continue;
    }
    const gt = tagEnd(src, lt, noQuoteFrom);
    if (gt < 0) {
      // No tag can end any more: the rest is text.
      emit(src.slice(lt));
      break;
    }
    const tag = src.slice(lt + 1, gt);
    const name = TAG_NAME.exec(tag);
    pos = gt + 1;
    if (!name) {
      emit(' ');
      continue;
    }
    const closing = name[1] === '/';
    const lower = name[2]!.toLowerCase();
    if (!closing && (lower === 'script' || lower === 'style')) {
      const endTag = new RegExp(`</${lower}\\s*>`, 'gi');
      endTag.lastIndex = pos;
      const end = endTag.exec(src);
      if (!end) break; // unclosed script or style: nothing after it is visible
      emit(' ');
      pos = end.index + end[0].length;
      continue;
    }
    if (lower === 'a') {
      // A new link ends the one still open, as a browser does.
      closeLink();
      const href = closing ? null : HREF.exec(tag);
      if (href) link = { href: href[1] ?? href[2] ?? href[3] ?? '', from: out.length };
    }
    // Every tag separates words, inline ones too: text URLs must not run into the next word
    // ("https://example.com</b><i>New"); words split by inline markup are HTML_SPLIT_WORDS' job.
    emit(LINE_BREAKS.has(`${closing ? '/' : ''}${lower}`) ? '\n' : ' ');
  }
  const text = decodeEntities(out.join('')).replace(/[ \t\r\f]+/g, ' ');
  return { text, links };
}
