/** What anti-spam needs from HTML: visible text and the links with their visible text. */
export interface HtmlContent {
  text: string;
  links: Array<{ href: string; text: string }>;
}

/** HTML input looked at; beyond this a message is not more informative, only slower. */
const MAX_HTML_CHARS = 512 * 1024;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', euro: '€' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Strips tags, scripts, styles and comments; decodes entities; collects `<a href>` with their text. */
export function htmlContent(html: string): HtmlContent {
  const src = html.slice(0, MAX_HTML_CHARS).replace(/<!--[\s\S]*?-->/g, ' ').replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  const links: HtmlContent['links'] = [];
  const re = /<a\b[^>]*?href\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src)) !== null && links.length < 1000) {
    links.push({ href: decodeEntities(m[2] ?? m[3] ?? m[4] ?? '').trim(), text: decodeEntities(m[5]!.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim() });
  }
  const text = decodeEntities(src.replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, '\n').replace(/<[^>]*>/g, ' ')).replace(/[ \t\r\f]+/g, ' ');
  return { text, links };
}
