import iconv from 'iconv-lite';
import type { HeaderField } from './types.js';

/** Where a header block ends and its fields. */
export interface HeaderBlock {
  fields: HeaderField[];
  /** Offset of the body (after the empty line), or `end` when there is no body. */
  bodyStart: number;
  /** Lines that were not `Name: value` (a reading difference between clients). */
  malformedLines: number;
  /** The header block was longer than the limit and was cut there. */
  truncated: boolean;
}

function lineEnd(buf: Uint8Array, from: number, end: number): number {
  const i = buf.indexOf(10, from);
  return i < 0 || i >= end ? end : i + 1;
}

/** `Name:` (obsolete syntax allows blanks before the colon). */
const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * Splits a header block into unfolded fields. Never throws; stops at `maxBytes`. A line that is
 * neither a field nor a continuation is skipped, or with `stopAtMalformed` ends the header block
 * and starts the body there (what many clients do; the two are different readings).
 */
export function readHeaderBlock(buf: Uint8Array, start: number, end: number, maxBytes: number, stopAtMalformed = false): HeaderBlock {
  const fields: HeaderField[] = [];
  let pos = start;
  let malformedLines = 0;
  let truncated = false;
  let current: { start: number; end: number } | undefined;
  const flush = () => {
    if (!current) return;
    const raw = buf.subarray(current.start, current.end);
    const text = Buffer.from(raw).toString('latin1');
    const colon = text.indexOf(':');
    const name = text.slice(0, colon).trim();
    if (colon > 0 && /^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
      const value = text.slice(colon + 1).replace(/\r?\n[ \t]/g, ' ').replace(/\r?\n$/, '').trim();
      fields.push({ name, value: decodeEncodedWords(value), raw });
    } else malformedLines++;
    current = undefined;
  };
  while (pos < end) {
    if (pos - start > maxBytes) {
      truncated = true;
      break;
    }
    const next = lineEnd(buf, pos, end);
    const first = buf[pos];
    if (first === 10 || (first === 13 && buf[pos + 1] === 10)) {
      flush();
      return { fields, bodyStart: next, malformedLines, truncated };
    }
    if ((first === 32 || first === 9) && current) current.end = next;
    else if (stopAtMalformed && !FIELD_START.test(Buffer.from(buf.subarray(pos, Math.min(next, pos + 1000))).toString('latin1'))) {
      flush();
      return { fields, bodyStart: pos, malformedLines: malformedLines + 1, truncated };
    } else {
      flush();
      current = { start: pos, end: next };
    }
    pos = next;
  }
  flush();
  return { fields, bodyStart: pos >= end ? end : pos, malformedLines, truncated };
}

/** Decodes text in a charset, falling back to latin1 for unknown charsets (never throws). */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const cs = (charset ?? 'utf-8').trim().toLowerCase();
  try {
    if (iconv.encodingExists(cs)) return iconv.decode(Buffer.from(bytes), cs);
  } catch {
    // fall through: hostile charset names must not stop the scan
  }
  return Buffer.from(bytes).toString('latin1');
}

/** RFC 2047 encoded words (`=?utf-8?B?...?=`, `=?iso-8859-1?Q?...?=`); whitespace between adjacent words is dropped. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
      const cs = charset.split('*')[0]!;
      const bytes = enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return decodeCharset(bytes, cs);
    });
}

/** A structured header value: `type/subtype; a=1; b="two"` with RFC 2231 continuations decoded. */
export interface StructuredValue {
  value: string;
  params: Record<string, string>;
  /** Parameters given more than once (e.g. two `boundary=`): ambiguous. */
  duplicateParams: string[];
  /** For duplicated parameters, the last value given (`params` holds the first). */
  lastParams: Record<string, string>;
  /** A comment `( … )` outside quotes was removed: naive readers would not remove it. */
  hadComment: boolean;
}

function stripComments(s: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      out += c;
      if (c === '\\' && i + 1 < s.length) out += s[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"' && depth === 0) {
      quoted = true;
      out += c;
    } else if (c === '(') depth++;
    else if (c === ')' && depth > 0) depth--;
    else if (depth === 0) out += c;
  }
  // An unclosed `(` is not a comment: readers keep the rest, so keep it too.
  return depth > 0 ? s : out;
}

function splitParams(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < s.length) cur += s[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      cur += c;
    } else if (c === ';') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function unquote(v: string): string {
  const t = v.trim();
  return t.startsWith('"') && t.endsWith('"') && t.length >= 2 ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
}

export function parseStructured(raw: string): StructuredValue {
  const stripped = stripComments(raw);
  const [head, ...rest] = splitParams(stripped);
  const params: Record<string, string> = {};
  const lastParams: Record<string, string> = {};
  const duplicateParams: string[] = [];
  const continuations = new Map<string, Array<{ index: number; value: string; encoded: boolean }>>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const value = p.slice(eq + 1);
    const m = /^([^*]+)\*(\d+)?(\*)?$/.exec(key);
    if (m) {
      const list = continuations.get(m[1]!) ?? [];
      list.push({ index: m[2] === undefined ? 0 : Number(m[2]), value: m[3] || m[2] === undefined ? value.trim() : unquote(value), encoded: m[3] !== undefined || m[2] === undefined });
      continuations.set(m[1]!, list);
      continue;
    }
    if (key in params) {
      duplicateParams.push(key);
      lastParams[key] = unquote(value);
    } else params[key] = unquote(value);
  }
  for (const [key, list] of continuations) {
    list.sort((a, b) => a.index - b.index);
    let charset: string | undefined;
    const bytes: number[] = [];
    for (const [i, part] of list.entries()) {
      let v = part.value;
      if (part.encoded) {
        if (i === 0) {
          const m = /^([^']*)'[^']*'(.*)$/.exec(v);
          if (m) {
            charset = m[1] || undefined;
            v = m[2]!;
          }
        }
        v.replace(/%([0-9A-Fa-f]{2})|([^%])/g, (_all, hex: string | undefined, ch: string | undefined) => {
          if (hex) bytes.push(parseInt(hex, 16));
          else for (const b of Buffer.from(ch!, 'latin1')) bytes.push(b);
          return '';
        });
      } else for (const b of Buffer.from(v, 'latin1')) bytes.push(b);
    }
    if (key in params) duplicateParams.push(key);
    params[key] = decodeCharset(Uint8Array.from(bytes), charset ?? 'latin1');
  }
  for (const k of Object.keys(params)) params[k] = decodeEncodedWords(params[k]!);
  const hadComment = stripped.length !== raw.length && /\([^)]*\)/.test(raw);
  return { value: (head ?? '').trim().toLowerCase(), params, duplicateParams, lastParams, hadComment };
}

export function headerValues(fields: readonly HeaderField[], name: string): string[] {
  const n = name.toLowerCase();
  return fields.filter((f) => f.name.toLowerCase() === n).map((f) => f.value);
}
