import type { MessageView } from '../message-view.js';
import { urlHost } from '../message-view.js';

/** The last two labels of a host name, lower-cased: close enough to a registered domain for comparisons. */
const registeredDomain = (host: string) => host.trim().toLowerCase().split('.').slice(-2).join('.');

/** Structural checks a pattern cannot express; rules refer to them by name (`check = "..."`). */
export const BUILTIN_CHECKS: Record<string, (v: MessageView) => boolean> = {
  missing_date: (v) => v.header('date') === undefined,
  missing_message_id: (v) => v.header('message-id') === undefined,
  missing_subject: (v) => v.header('subject') === undefined,
  subject_all_caps: (v) => {
    const letters = v.subject.replace(/[^\p{L}]/gu, '');
    return letters.length >= 10 && letters === letters.toUpperCase();
  },
  subject_exclamations: (v) => /!{2,}|(!.*){3,}/.test(v.subject),
  html_only: (v) => v.hasHtml && !v.hasTextPlain,
  /** Link text that shows a URL or domain other than the one the link goes to (phishing). */
  link_text_mismatch: (v) =>
    v.links.some((l) => {
      const shown = /^(https?:\/\/)?([a-z0-9-]+\.)+[a-z]{2,}(\/\S*)?$/i.exec(l.text.trim());
      if (!shown) return false;
      const shownHost = urlHost(/^https?:/i.test(l.text) ? l.text : `http://${l.text.trim()}`);
      const realHost = urlHost(l.href);
      return shownHost !== undefined && realHost !== undefined && shownHost.replace(/^www\./, '') !== realHost.replace(/^www\./, '');
    }),
  /** URL pointing at a bare IP address. */
  url_numeric_ip: (v) => v.urls.some((u) => /^https?:\/\/\d{1,3}(\.\d{1,3}){3}([:/]|$)/i.test(u)),
  many_urls: (v) => v.urls.length > 15,
  /** A text/plain part sent base64-encoded (normal clients rarely do; bulk tools often). */
  base64_text_plain: (v) => v.mail.leaves.some((l) => l.contentType === 'text/plain' && l.transferEncoding === 'base64'),
  /** Display name that shows an address in another domain than the real one ("a@bank.com" <x@evil.top>). */
  from_display_address_mismatch: (v) => {
    const m = /^\s*"?[^"<]*?([^\s"<@]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+))[^"<]*"?\s*<[^>@]*@([^>]+)>/i.exec(v.header('from') ?? '');
    return m !== null && registeredDomain(m[2]!) !== registeredDomain(m[3]!);
  },
  suspicious_tld: (v) => v.urls.some((u) => /\.(top|xyz|click|loan|work|gq|tk|ml|cf|ga|men|date|racing|win|bid|stream|review|country|kim|science|party)$/i.test(urlHost(u) ?? '')),
  /** Very little text next to an image: image spam. */
  image_only: (v) => /<img\b/i.test(v.html) && v.text.replace(/\s+/g, '').length < 200,
};
