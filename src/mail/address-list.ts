import { decodeEncodedWords } from './header-fields.js';

/** One mailbox from an address header: display name (decoded) and the bare address. */
export interface Mailbox {
  name?: string;
  address: string;
}

/** Mailboxes read from one header value; a longer list is an attack on whoever reads it. */
const MAX_MAILBOXES = 1000;
/** Header values longer than this are cut before parsing: no real address list is this long. */
const MAX_VALUE_CHARS = 64 * 1024;

/** Splits on commas outside quotes, angle brackets and comments; group syntax `g: a, b;` flattened. */
function splitTop(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < value.length) cur += value[++i];
      else if (c === '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c === '\\') i++;
      else if (c === '(') comment++;
      else if (c === ')') comment--;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '(') {
      comment++;
      continue;
    } else if (c === '<') angle++;
    else if (c === '>') angle = Math.max(0, angle - 1);
    else if ((c === ',' || c === ';') && angle === 0) {
      out.push(cur);
      cur = '';
      continue;
    } else if (c === ':' && angle === 0 && !cur.includes('@')) {
      // `group-name:` — the name is not a mailbox.
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out;
}

function unquoteName(s: string): string {
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

/**
 * Reads an address header (From, To, Cc, Reply-To...) lightly: `Name <a@b>`, `a@b (comment)`,
 * `"Quoted, Name" <a@b>`, groups. Never throws; entries without an address are skipped. Not a
 * validator: policy and anti-spam need the addresses, not a verdict on the syntax.
 */
export function parseAddressList(value: string): Mailbox[] {
  const out: Mailbox[] = [];
  for (const item of splitTop(value.slice(0, MAX_VALUE_CHARS))) {
    if (out.length >= MAX_MAILBOXES) break;
    const s = item.replace(/\r?\n[ \t]/g, ' ').trim();
    if (!s) continue;
    const lt = s.lastIndexOf('<');
    const gt = s.indexOf('>', lt);
    if (lt >= 0 && gt > lt) {
      const address = s.slice(lt + 1, gt).trim().replace(/^@[^:]*:/, '');
      const name = decodeEncodedWords(unquoteName(s.slice(0, lt)));
      if (address) out.push(name ? { name, address } : { address });
    } else if (s.includes('@')) {
      out.push({ address: s.replace(/\s+/g, '') });
    }
  }
  return out;
}

/** Bare addresses only, as written (local parts are case-sensitive, so nothing is lower-cased). */
export function addressesOf(value: string): string[] {
  return parseAddressList(value).map((m) => m.address);
}
