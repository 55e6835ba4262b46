import type { MessageView } from '../message-view.js';
import { urlHost } from '../message-view.js';

/** Tokens per message kept for Bayes; more adds noise and store traffic. */
export const MAX_TOKENS = 3000;
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{N}'$._-]{1,38}[\p{L}\p{N}$]/gu;
const HEADERS = ['subject', 'from', 'to', 'reply-to', 'x-mailer', 'user-agent', 'content-type', 'message-id', 'list-id', 'received'];

/**
 * Tokens for the Bayes classifier: words of the visible text (HTML normalised), header words
 * prefixed by the header name, URL hosts and their registered-domain tail, and a few shape tokens.
 */
export function tokenize(view: MessageView): string[] {
  const tokens = new Set<string>();
  const add = (t: string) => {
    if (tokens.size < MAX_TOKENS) tokens.add(t);
  };
  for (const w of view.text.toLowerCase().match(WORD_RE) ?? []) if (!/^\d+$/.test(w) || w.length <= 4) add(w.replace(/[.]+$/, ''));
  for (const name of HEADERS) {
    for (const value of view.headers(name).slice(0, 3)) {
      const v = name === 'received' ? value.replace(/\d{1,3}(\.\d{1,3}){3}/g, (ip) => ip.split('.').slice(0, 3).join('.')) : value;
      for (const w of v.toLowerCase().match(WORD_RE) ?? []) add(`H${name}:${w}`);
    }
  }
  for (const url of view.urls.slice(0, 200)) {
    const host = urlHost(url);
    if (!host) continue;
    add(`U:${host}`);
    add(`U:${host.split('.').slice(-2).join('.')}`);
  }
  add(`S:html=${view.hasHtml}:plain=${view.hasTextPlain}`);
  add(`S:parts=${Math.min(view.mail.leaves.length, 10)}`);
  return [...tokens];
}
