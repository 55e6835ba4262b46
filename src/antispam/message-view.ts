import { parseMail } from '../mail/parse-mail.js';
import type { ParsedMail } from '../mail/types.js';
import { htmlContent } from './html-text.js';
import { rawUtf8HeaderValue } from '../mail/raw-utf8-header.js';

/** One message as the anti-spam checks see it: headers, visible text, links and URLs. */
export interface MessageView {
  mail: ParsedMail;
  header(name: string): string | undefined;
  headers(name: string): string[];
  /** Every top-level header field in order, values as the checks read them (raw UTF-8 decoded). */
  fields: ReadonlyArray<{ name: string; value: string }>;
  subject: string;
  /** Visible text of text/plain and (tag-stripped) text/html parts. */
  text: string;
  html: string;
  links: Array<{ href: string; text: string }>;
  /** Every http(s) URL found in text and links. */
  urls: string[];
  hasTextPlain: boolean;
  hasHtml: boolean;
  /** Limits that cut what was read (max_mime_parts, max_depth, max_text_chars, …): the view is partial. */
  truncated: string[];
}

/** Text looked at per message (tokens past this add nothing but time). */
const MAX_TEXT_CHARS = 256 * 1024;
const URL_RE = /\bhttps?:\/\/[^\s"'<>()]+/gi;

export function viewMessage(message: Uint8Array): MessageView {
  const mail = parseMail(message, { limits: { maxMimeParts: 200, maxDepth: 8 } });
  let text = '';
  let html = '';
  const links: MessageView['links'] = [];
  let hasTextPlain = false;
  let hasHtml = false;
  for (const leaf of mail.leaves) {
    if (leaf.text === undefined) continue;
    if (leaf.contentType === 'text/html') {
      hasHtml = true;
      html += leaf.text;
      const c = htmlContent(leaf.text);
      text += `${c.text}\n`;
      links.push(...c.links);
    } else if (leaf.contentType === 'text/plain') {
      hasTextPlain = true;
      text += `${leaf.text}\n`;
    }
    if (text.length > MAX_TEXT_CHARS) break;
  }
  const truncated = [...mail.limitsHit].filter((l) => l !== 'max_ambiguities');
  if (text.length > MAX_TEXT_CHARS) truncated.push('max_text_chars');
  text = text.slice(0, MAX_TEXT_CHARS);
  const urls = [...new Set([...(text.match(URL_RE) ?? []), ...links.map((l) => l.href).filter((h) => /^https?:/i.test(h))])];
  // Checks read header values as written: raw UTF-8 decoded once here (raw-utf8-header.ts).
  const fields = mail.root.headers.map((h) => ({ name: h.name, value: rawUtf8HeaderValue(h.value) }));
  const headers = (name: string) => {
    const wanted = name.toLowerCase();
    return fields.filter((f) => f.name.toLowerCase() === wanted).map((f) => f.value);
  };
  return {
    mail,
    header: (name) => headers(name)[0],
    headers,
    fields,
    subject: headers('subject')[0] ?? '',
    text,
    html,
    links,
    urls,
    hasTextPlain,
    hasHtml,
    truncated,
  };
}

/** Host of a URL, lower-cased; undefined when unparsable. */
export function urlHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
