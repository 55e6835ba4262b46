import type { FilterSpec } from './pdf-filters.js';
import { MAX_FILTER_CHAIN } from './pdf-filters.js';
import { dictString } from './pdf-strings.js';

/** One indirect object found by scanning for `N G obj`: its dictionary text and raw stream bytes. */
export interface PdfObject {
  num: number;
  gen: number;
  /** Dictionary (and any direct value) between `obj` and `stream`/`endobj`, names #-decoded. */
  dict: string;
  stream?: Uint8Array;
  /** True when /Length was missing or wrong and `endstream` was searched instead. */
  lengthGuessed?: boolean;
}

/** Dictionary text longer than this is cut: keys we look for sit near the start, and it bounds regex work. */
const MAX_DICT_CHARS = 64 * 1024;

/** Decodes `#xx` escapes in names (`/J#61vaScript` → `/JavaScript`), a known evasion. */
export function decodeNames(s: string): string {
  return s.replace(/\/([^\s/<>[\]()]*#[0-9a-fA-F]{2}[^\s/<>[\]()]*)/gu, (_m, name: string) =>
    '/' + name.replace(/#([0-9a-fA-F]{2})/gu, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
  );
}

function isEol(c: number | undefined): boolean {
  return c === 0x0a || c === 0x0d;
}

/** Characters allowed between a dictionary's `>>` and its `stream` keyword (whitespace, comments, junk writers leave). */
const STREAM_KEYWORD_WINDOW = 256;

/**
 * End of the object's value starting at `i`: the `>>` closing its top-level dictionary, or
 * `stream`/`endobj`/`obj` met outside any dictionary and string. Strings (with escapes and
 * nesting) and comments are skipped, so a fake `1 0 obj` or `>>` inside a string cannot cut
 * the dictionary short. Costs the length of the value, at most `max - i`.
 */
function valueEnd(text: string, i: number, max: number): number {
  let depth = 0;
  while (i < max) {
    const c = text.charCodeAt(i);
    if (c === 0x28) {
      // literal string: balanced parentheses, backslash escapes
      let d = 1;
      i++;
      while (i < max && d > 0) {
        const x = text.charCodeAt(i);
        if (x === 0x5c) i++;
        else if (x === 0x28) d++;
        else if (x === 0x29) d--;
        i++;
      }
      continue;
    }
    if (c === 0x25) {
      // comment to end of line
      while (i < max && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
      continue;
    }
    if (c === 0x3c && text.charCodeAt(i + 1) === 0x3c) { depth++; i += 2; continue; }
    if (c === 0x3e && text.charCodeAt(i + 1) === 0x3e) {
      i += 2;
      if (--depth <= 0) return i;
      continue;
    }
    if (depth === 0 && (text.startsWith('stream', i) || text.startsWith('endobj', i) || text.startsWith('obj', i))) return i;
    i++;
  }
  return max;
}

/**
 * Scans the whole file for objects (ignoring the xref table, which attackers break on
 * purpose; incremental updates just add later objects). Linear in the input size: each
 * object costs the length of its own dictionary, whether or not it has an `endobj`.
 */
export function scanObjects(b: Uint8Array, text: string, maxObjects: number): PdfObject[] {
  const out: PdfObject[] = [];
  const re = /(\d{1,10})[ \t\r\n\f\0]+(\d{1,5})[ \t\r\n\f\0]+obj\b/gu;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < maxObjects) {
    const bodyStart = m.index + m[0].length;
    const end = valueEnd(text, bodyStart, Math.min(text.length, bodyStart + MAX_DICT_CHARS));
    const dict = decodeNames(text.slice(bodyStart, end));
    const obj: PdfObject = { num: Number(m[1]), gen: Number(m[2]), dict };
    const after = text.slice(end, end + STREAM_KEYWORD_WINDOW);
    let rel = after.indexOf('stream');
    const stop = Math.min(...['endobj', ' obj'].map((k) => after.indexOf(k)).filter((x) => x >= 0), after.length);
    if (rel > stop) rel = -1;
    if (rel >= 0) {
      let start = end + rel + 6;
      if (b[start] === 0x0d && b[start + 1] === 0x0a) start += 2;
      else if (isEol(b[start])) start += 1;
      const declared = /\/Length\s+(\d{1,12})\b(?!\s+\d+\s+R)/u.exec(dict);
      const len = declared ? Number(declared[1]) : -1;
      const tail = len >= 0 ? text.slice(start + len, start + len + 32) : '';
      if (len >= 0 && start + len <= b.length && /^\s*endstream/u.test(tail)) {
        obj.stream = b.subarray(start, start + len);
      } else {
        const es = text.indexOf('endstream', start);
        let stopAt = es < 0 ? b.length : es;
        if (stopAt > start && b[stopAt - 1] === 0x0a) stopAt--;
        if (stopAt > start && b[stopAt - 1] === 0x0d) stopAt--;
        obj.stream = b.subarray(start, Math.max(start, stopAt));
        obj.lengthGuessed = true;
      }
      re.lastIndex = Math.max(re.lastIndex, start + obj.stream.length);
    } else {
      re.lastIndex = Math.max(re.lastIndex, end);
    }
    out.push(obj);
  }
  return out;
}

/** The /Filter chain with each filter's /DecodeParms (array or single). */
export function filterChain(dict: string): FilterSpec[] {
  const m = /\/Filter\s*(\[[^\]]{0,2000}\]|\/[A-Za-z0-9]+)/u.exec(dict);
  if (!m) return [];
  const names = [...m[1]!.matchAll(/\/([A-Za-z0-9]+)/gu)].map((x) => x[1]!).slice(0, MAX_FILTER_CHAIN + 1);
  const parms = decodeParms(dict);
  return names.map((name, i) => ({ name, ...(parms[i] ?? parms[0] ?? {}) }));
}

function decodeParms(dict: string): Array<Partial<FilterSpec>> {
  const at = dict.indexOf('/DecodeParms');
  if (at < 0) return [];
  const region = dict.slice(at, at + 2000);
  const dicts = region.match(/<<[^<>]*>>/gu) ?? [];
  return dicts.map((d) => {
    const num = (k: string): number | undefined => {
      const x = new RegExp(`/${k}\\s+(\\d{1,6})`, 'u').exec(d);
      return x ? Number(x[1]) : undefined;
    };
    const p: Partial<FilterSpec> = {};
    const pred = num('Predictor');
    if (pred !== undefined) p.predictor = pred;
    const colors = num('Colors');
    if (colors !== undefined) p.colors = colors;
    const bpc = num('BitsPerComponent');
    if (bpc !== undefined) p.bpc = bpc;
    const columns = num('Columns');
    if (columns !== undefined) p.columns = columns;
    const ec = num('EarlyChange');
    if (ec !== undefined) p.earlyChange = ec;
    return p;
  });
}

/** Names of embedded files: filespec objects map `/EF << /F n 0 R >>` to their `/UF` or `/F` string. */
export function embeddedFileNames(objects: PdfObject[], decrypt: (o: PdfObject, b: Uint8Array) => Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  for (const o of objects) {
    const ef = /\/EF\s*<<[^>]*?\/(?:UF|F)\s+(\d+)\s+\d+\s+R/u.exec(o.dict);
    if (!ef) continue;
    const raw = dictString(o.dict, 'UF') ?? dictString(o.dict, 'F');
    names.set(Number(ef[1]), raw ? textString(decrypt(o, raw)) : `embedded-${ef[1]}`);
  }
  return names;
}

/** PDF text string: UTF-16BE with BOM, else PDFDocEncoding read as Latin-1; cut to a sane name length. */
function textString(b: Uint8Array): string {
  const buf = Buffer.from(b.subarray(0, 1024));
  if (buf[0] === 0xfe && buf[1] === 0xff) return Buffer.from(buf.subarray(2, buf.length - (buf.length % 2))).swap16().toString('utf16le');
  return buf.toString('latin1');
}

/** Objects packed in a decoded object stream (`/N` pairs of number and offset, data from `/First`). */
export function objectStreamMembers(container: PdfObject, decoded: Uint8Array): PdfObject[] {
  const n = /\/N\s+(\d{1,7})/u.exec(container.dict);
  const first = /\/First\s+(\d{1,10})/u.exec(container.dict);
  if (!n || !first) return [];
  const text = Buffer.from(decoded.buffer, decoded.byteOffset, decoded.length).toString('latin1');
  const firstAt = Number(first[1]);
  const header = text.slice(0, Math.min(firstAt, text.length)).trim().split(/\s+/u).map(Number);
  const out: PdfObject[] = [];
  const count = Math.min(Number(n[1]), Math.floor(header.length / 2));
  for (let i = 0; i < count; i++) {
    const num = header[i * 2]!;
    const start = firstAt + header[i * 2 + 1]!;
    const end = i + 1 < count ? firstAt + header[i * 2 + 3]! : text.length;
    if (!Number.isFinite(num) || !Number.isFinite(start) || start < firstAt || start > text.length) continue;
    out.push({ num, gen: 0, dict: decodeNames(text.slice(start, Math.min(Math.max(start, end), start + MAX_DICT_CHARS))) });
  }
  return out;
}
