import { DEFAULT_LIMITS, mergeLimits, type ScanLimits } from '../core/limits.js';
import { decodeCharset, headerValues, parseStructured, readHeaderBlock } from './header-fields.js';
import { decodeTransfer } from './transfer-decoding.js';
import type { MimeAmbiguity, MimePart, ParsedMail } from './types.js';

/**
 * How to resolve what a message leaves ambiguous. `first`: the first of duplicate headers wins
 * and only RFC-exact boundary lines count (most RFC-following clients). `last`: the last duplicate
 * wins and any line starting with the delimiter counts (other clients). The engine scans both.
 */
export type Reading = 'first' | 'last';

export interface ParseOptions {
  limits?: Partial<ScanLimits>;
  reading?: Reading;
}

/** Text of text/* parts is converted only up to this size (the engine scans the bytes anyway). */
const MAX_TEXT_CHARS = 4 * 1024 * 1024;

interface Ctx {
  buf: Uint8Array;
  limits: ScanLimits;
  reading: Reading;
  parts: number;
  decodedBytes: number;
  ambiguities: MimeAmbiguity[];
  limitsHit: Set<string>;
}

function choose(values: string[], ctx: Ctx, path: string, kind: string): string | undefined {
  const distinct = [...new Set(values.map((v) => v.toLowerCase().replace(/\s+/g, '')))];
  if (distinct.length > 1) ctx.ambiguities.push({ kind, detail: values.join(' | '), path });
  return ctx.reading === 'first' ? values[0] : values[values.length - 1];
}

interface Delimiter {
  /** Start of the delimiter line. */
  lineStart: number;
  /** Start of the next line. */
  next: number;
  close: boolean;
}

function findDelimiters(ctx: Ctx, start: number, end: number, boundary: string, path: string): Delimiter[] {
  const buf = ctx.buf;
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const found: Delimiter[] = [];
  let pos = start;
  while (pos < end) {
    const nl = buf.indexOf(10, pos);
    const lineEnd = nl < 0 || nl >= end ? end : nl + 1;
    if (lineEnd - pos >= delim.length && Buffer.from(buf.buffer, buf.byteOffset + pos, delim.length).equals(delim)) {
      const rest = Buffer.from(buf.subarray(pos + delim.length, lineEnd)).toString('latin1');
      const close = rest.startsWith('--');
      const tail = close ? rest.slice(2) : rest;
      const exact = /^[ \t]*\r?\n?$/.test(tail);
      if (!exact) ctx.ambiguities.push({ kind: 'boundary_line_with_trailing_text', detail: rest.trim().slice(0, 60), path });
      if (exact || ctx.reading === 'last') {
        found.push({ lineStart: pos, next: lineEnd, close });
        if (close && ctx.reading === 'first') break;
      }
    }
    pos = lineEnd;
  }
  return found;
}

/** End of a part's content: the line break before the delimiter belongs to the delimiter. */
function contentEnd(buf: Uint8Array, from: number, delimiterLine: number): number {
  let e = delimiterLine;
  if (e > from && buf[e - 1] === 10) e--;
  if (e > from && buf[e - 1] === 13) e--;
  return e;
}

function parsePart(ctx: Ctx, start: number, end: number, path: string, depth: number, defaultType: string): MimePart {
  ctx.parts++;
  const hb = readHeaderBlock(ctx.buf, start, end, ctx.limits.maxHeaderBytes);
  if (hb.truncated) ctx.limitsHit.add('max_header_bytes');
  if (hb.malformedLines > 0) ctx.ambiguities.push({ kind: 'malformed_header_line', detail: `${hb.malformedLines} line(s) without "Name:"`, path });
  const ctRaw = choose(headerValues(hb.fields, 'content-type'), ctx, path, 'duplicate_content_type');
  const cteRaw = choose(headerValues(hb.fields, 'content-transfer-encoding'), ctx, path, 'duplicate_transfer_encoding');
  const cdRaw = choose(headerValues(hb.fields, 'content-disposition'), ctx, path, 'duplicate_content_disposition');
  let ct = parseStructured(ctRaw ?? defaultType);
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(ct.value)) {
    if (ctRaw !== undefined) ctx.ambiguities.push({ kind: 'invalid_content_type', detail: ctRaw.slice(0, 80), path });
    ct = { ...parseStructured(defaultType), params: ct.params };
  }
  if (ct.duplicateParams.length) ctx.ambiguities.push({ kind: 'duplicate_parameter', detail: ct.duplicateParams.join(','), path });
  const cd = cdRaw !== undefined ? parseStructured(cdRaw) : undefined;
  const transferEncoding = (cteRaw ?? '7bit').trim().toLowerCase().replace(/^"|"$/g, '');
  const part: MimePart = {
    path,
    headers: hb.fields,
    contentType: ct.value,
    contentTypeParams: ct.params,
    transferEncoding,
    start,
    end,
    bodyStart: hb.bodyStart,
    bodyEnd: end,
    children: [],
  };
  if (cd) part.disposition = cd.value;
  const filename = cd?.params.filename ?? ct.params.name;
  if (filename !== undefined) part.filename = filename;
  if (ct.params.charset !== undefined) part.charset = ct.params.charset;

  const tooDeep = depth >= ctx.limits.maxDepth;
  if (tooDeep) ctx.limitsHit.add('max_depth');
  const childPath = (i: number) => (path === '' ? String(i) : `${path}.${i}`);

  if (!tooDeep && ct.value.startsWith('multipart/')) {
    const boundary = ct.params.boundary;
    const delims = boundary ? findDelimiters(ctx, hb.bodyStart, end, boundary, path) : [];
    if (!boundary || delims.length === 0) {
      ctx.ambiguities.push({ kind: boundary ? 'boundary_not_found' : 'multipart_without_boundary', detail: boundary ?? '', path });
    } else {
      const childDefault = ct.value === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      if (!delims[delims.length - 1]!.close) ctx.ambiguities.push({ kind: 'missing_closing_boundary', detail: boundary, path });
      for (let i = 0; i < delims.length; i++) {
        const d = delims[i]!;
        if (d.close) break;
        if (ctx.parts >= ctx.limits.maxMimeParts) {
          ctx.limitsHit.add('max_mime_parts');
          break;
        }
        const next = delims[i + 1];
        const partEnd = next ? contentEnd(ctx.buf, d.next, next.lineStart) : end;
        part.children.push(parsePart(ctx, d.next, partEnd, childPath(part.children.length + 1), depth + 1, childDefault));
      }
      return part;
    }
  }
  if (ct.value === 'message/partial') ctx.ambiguities.push({ kind: 'message_partial', detail: 'fragment of a larger message; fragments are scanned separately', path });
  if (!tooDeep && (ct.value === 'message/rfc822' || ct.value === 'message/global') && ['7bit', '8bit', 'binary'].includes(transferEncoding)) {
    part.children.push(parsePart(ctx, hb.bodyStart, end, childPath(1), depth + 1, 'text/plain'));
    return part;
  }
  const body = ctx.buf.subarray(hb.bodyStart, end);
  if (ctx.decodedBytes >= ctx.limits.maxScanBytes) {
    ctx.limitsHit.add('max_scan_bytes');
    part.decoded = new Uint8Array(0);
    return part;
  }
  const decoded = decodeTransfer(transferEncoding, body);
  part.decoded = decoded.subarray(0, Math.max(0, ctx.limits.maxScanBytes - ctx.decodedBytes));
  ctx.decodedBytes += part.decoded.length;
  if (ct.value.startsWith('text/')) part.text = decodeCharset(part.decoded.subarray(0, MAX_TEXT_CHARS), part.charset);
  return part;
}

function leavesOf(part: MimePart, out: MimePart[]): MimePart[] {
  if (part.children.length === 0) out.push(part);
  for (const c of part.children) leavesOf(c, out);
  return out;
}

/** Parses a message into its part tree. Never throws; limits reached are listed in `limitsHit`. */
export function parseMail(bytes: Uint8Array, options: ParseOptions = {}): ParsedMail {
  const ctx: Ctx = {
    buf: bytes,
    limits: mergeLimits(DEFAULT_LIMITS, options.limits),
    reading: options.reading ?? 'first',
    parts: 0,
    decodedBytes: 0,
    ambiguities: [],
    limitsHit: new Set(),
  };
  const root = parsePart(ctx, 0, bytes.length, '', 0, 'text/plain');
  return { root, leaves: leavesOf(root, []), ambiguities: ctx.ambiguities, limitsHit: [...ctx.limitsHit] };
}

/** The message's own header value (decoded), e.g. `Subject`, `From`, `Message-ID`. */
export function getHeader(mail: ParsedMail, name: string): string | undefined {
  return headerValues(mail.root.headers, name)[0];
}
