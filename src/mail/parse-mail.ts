import { DEFAULT_LIMITS, mergeLimits, type ScanLimits } from '../core/limits.js';
import { decodeCharset, headerValues, parseStructured, readHeaderBlock } from './header-fields.js';
import { decodeTransfer, hasDataAfterPadding, hasUrlSafeBase64 } from './transfer-decoding.js';
import type { HeaderField, MimeAmbiguity, MimePart, ParsedMail } from './types.js';

/**
 * How to resolve what a message leaves ambiguous. `first`: the first of duplicate headers wins
 * and only RFC-exact boundary lines count (most RFC-following clients). `last`: the last duplicate
 * wins and any line starting with the delimiter counts (other clients). The engine scans both.
 */
export type Reading = 'first' | 'last';

export interface ParseOptions {
  limits?: Partial<ScanLimits>;
  reading?: Reading;
  /** Convert text/* parts to strings (`part.text`, for anti-spam and rewriting); the scanner only needs bytes. Default true. */
  decodeText?: boolean;
}

/** Ambiguities kept per message: a handful proves the point; thousands are one attack repeated. */
const MAX_AMBIGUITIES = 200;

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
  decodeText: boolean;
}

/** Records an ambiguity, up to MAX_AMBIGUITIES (a flood of them must not cost memory). */
function flag(ctx: Ctx, a: MimeAmbiguity): void {
  if (ctx.ambiguities.length < MAX_AMBIGUITIES) ctx.ambiguities.push(a);
  else ctx.limitsHit.add('max_ambiguities');
}

/**
 * `Content-Type : x` (space before the colon) is obsolete RFC 5322 syntax: some clients accept
 * the field, others ignore it. The strict reading accepts it, the lenient one drops it.
 */
function mimeFields(ctx: Ctx, fields: HeaderField[], path: string): HeaderField[] {
  const spaced = (f: HeaderField) => f.name.toLowerCase().startsWith('content-') && /^[^:]*[ \t]:/.test(Buffer.from(f.raw.subarray(0, f.name.length + 8)).toString('latin1'));
  if (!fields.some(spaced)) return fields;
  flag(ctx, { kind: 'header_name_whitespace', detail: fields.filter(spaced).map((f) => f.name).join(','), path });
  return ctx.reading === 'last' ? fields.filter((f) => !spaced(f)) : fields;
}

function choose(values: string[], ctx: Ctx, path: string, kind: string): string | undefined {
  const distinct = [...new Set(values.map((v) => v.toLowerCase().replace(/\s+/g, '')))];
  if (distinct.length > 1) flag(ctx, { kind, detail: values.join(' | '), path });
  return ctx.reading === 'first' ? values[0] : values[values.length - 1];
}

interface Delimiter {
  /** Start of the delimiter line. */
  lineStart: number;
  /** Start of the next line. */
  next: number;
  close: boolean;
}

const NL_DASH = Buffer.from('\n--', 'latin1');

/** Start of the next line at or after `from` that begins with `--` (only those can be delimiters), or `end`. */
function nextDashLine(buf: Buffer, from: number, end: number): number {
  const i = buf.indexOf(NL_DASH, from);
  return i < 0 || i + 1 >= end ? end : i + 1;
}

function findDelimiters(ctx: Ctx, start: number, end: number, boundary: string, path: string): Delimiter[] {
  const buf = Buffer.from(ctx.buf.buffer, ctx.buf.byteOffset, ctx.buf.length);
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const lowerDelim = delim.toString('latin1').toLowerCase();
  const found: Delimiter[] = [];
  let pos = buf[start] === 45 && buf[start + 1] === 45 ? start : nextDashLine(buf, start, end);
  while (pos < end) {
    const nl = buf.indexOf(10, pos);
    const lineEnd = nl < 0 || nl >= end ? end : nl + 1;
    const long = lineEnd - pos >= delim.length;
    const exactPrefix = long && buf.compare(delim, 0, delim.length, pos, pos + delim.length) === 0;
    // RFC 2046 boundaries are case-sensitive; some clients compare them case-insensitively.
    const folded = !exactPrefix && long && buf.toString('latin1', pos, pos + delim.length).toLowerCase() === lowerDelim;
    if (folded) flag(ctx, { kind: 'boundary_case_mismatch', detail: buf.toString('latin1', pos, pos + delim.length).slice(0, 72), path });
    if (exactPrefix || (folded && ctx.reading === 'last')) {
      const rest = buf.toString('latin1', pos + delim.length, lineEnd);
      const close = rest.startsWith('--');
      const tail = close ? rest.slice(2) : rest;
      const exact = /^[ \t]*\r?\n?$/.test(tail);
      if (!exact) flag(ctx, { kind: 'boundary_line_with_trailing_text', detail: rest.trim().slice(0, 60), path });
      if (exact || ctx.reading === 'last') {
        found.push({ lineStart: pos, next: lineEnd, close });
      }
    }
    pos = lineEnd >= end ? end : nextDashLine(buf, lineEnd - 1, end);
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
  const hb = readHeaderBlock(ctx.buf, start, end, ctx.limits.maxHeaderBytes, ctx.reading === 'last');
  if (hb.truncated) ctx.limitsHit.add('max_header_bytes');
  if (hb.malformedLines > 0) flag(ctx, { kind: 'malformed_header_line', detail: `${hb.malformedLines} line(s) without "Name:"`, path });
  const fields = mimeFields(ctx, hb.fields, path);
  const ctRaw = choose(headerValues(fields, 'content-type'), ctx, path, 'duplicate_content_type');
  const cteRaw = choose(headerValues(fields, 'content-transfer-encoding'), ctx, path, 'duplicate_transfer_encoding');
  const cdRaw = choose(headerValues(fields, 'content-disposition'), ctx, path, 'duplicate_content_disposition');
  let ct = parseStructured(ctRaw ?? defaultType);
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(ct.value)) {
    if (ctRaw !== undefined) flag(ctx, { kind: 'invalid_content_type', detail: ctRaw.slice(0, 80), path });
    // Lenient readers go by the main type alone (`multipart/mi:ed` is still a multipart to them).
    const main = ctx.reading === 'last' ? /^\s*(multipart|message)\s*\//.exec(ct.value)?.[1] : undefined;
    ct = { ...parseStructured(main === 'multipart' ? 'multipart/mixed' : main === 'message' ? 'message/rfc822' : defaultType), params: ct.params };
  }
  if (ct.duplicateParams.length) {
    flag(ctx, { kind: 'duplicate_parameter', detail: ct.duplicateParams.join(','), path });
    if (ctx.reading === 'last') ct = { ...ct, params: { ...ct.params, ...ct.lastParams } };
  }
  if (ct.hadComment && ctRaw !== undefined) {
    // Readers that do not strip comments take the first `boundary=` they see, even inside one.
    const naive = /boundary\s*=\s*"?([^";\s)]+)/i.exec(ctRaw)?.[1];
    if (naive !== undefined && naive !== ct.params.boundary) {
      flag(ctx, { kind: 'boundary_in_comment', detail: `${ct.params.boundary ?? '(none)'} vs ${naive}`, path });
      if (ctx.reading === 'last') ct = { ...ct, params: { ...ct.params, boundary: naive } };
    }
  }
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
    // Without an opening delimiter there are no parts: the body is read as one text leaf.
    if (!boundary || !delims.some((d) => !d.close)) {
      flag(ctx, { kind: boundary ? 'boundary_not_found' : 'multipart_without_boundary', detail: boundary ?? '', path });
    } else {
      const childDefault = ct.value === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      const firstClose = delims.findIndex((d) => d.close);
      if (firstClose < 0) flag(ctx, { kind: 'missing_closing_boundary', detail: boundary, path });
      else if (delims.slice(firstClose + 1).some((d) => !d.close)) flag(ctx, { kind: 'parts_after_closing_boundary', detail: boundary, path });
      for (let i = 0; i < delims.length; i++) {
        const d = delims[i]!;
        // Strict readers stop at the closing delimiter; lenient ones read parts after it too.
        if (d.close && ctx.reading === 'first') break;
        if (d.close) continue;
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
  if (ct.value === 'message/partial') flag(ctx, { kind: 'message_partial', detail: 'fragment of a larger message; fragments are scanned separately', path });
  if (!tooDeep && isEncapsulated(ctx, ct.value) && ['7bit', '8bit', 'binary'].includes(transferEncoding)) {
    part.children.push(parsePart(ctx, hb.bodyStart, end, childPath(1), depth + 1, 'text/plain'));
    return part;
  }
  const body = ctx.buf.subarray(hb.bodyStart, end);
  if (ctx.decodedBytes >= ctx.limits.maxScanBytes) {
    ctx.limitsHit.add('max_scan_bytes');
    part.decoded = new Uint8Array(0);
    return part;
  }
  if (transferEncoding === 'base64') {
    if (hasDataAfterPadding(body)) flag(ctx, { kind: 'base64_data_after_padding', detail: 'decoders that stop at the padding see less', path });
    if (hasUrlSafeBase64(body)) flag(ctx, { kind: 'base64_url_safe_chars', detail: '`-` or `_` in a base64 body: some decoders skip them', path });
  }
  const decoded = decodeTransfer(effectiveEncoding(ctx, transferEncoding, path), body, ctx.reading === 'last');
  part.decoded = decoded.subarray(0, Math.max(0, ctx.limits.maxScanBytes - ctx.decodedBytes));
  ctx.decodedBytes += part.decoded.length;
  if (ctx.decodeText && ct.value.startsWith('text/')) part.text = decodeCharset(part.decoded.subarray(0, MAX_TEXT_CHARS), part.charset);
  return part;
}

const KNOWN_ENCODINGS = new Set(['7bit', '8bit', 'binary', 'base64', 'quoted-printable', 'x-uuencode', 'uuencode', 'x-uue']);

/**
 * An unknown Content-Transfer-Encoding (`base-64`, `b64`, `quoted printable`) is left as is by
 * strict readers and guessed by lenient ones: the `last` reading guesses too.
 */
function effectiveEncoding(ctx: Ctx, encoding: string, path: string): string {
  if (KNOWN_ENCODINGS.has(encoding)) return encoding;
  flag(ctx, { kind: 'unknown_transfer_encoding', detail: encoding.slice(0, 60), path });
  if (ctx.reading === 'first') return encoding;
  if (/b(ase)?[\s_-]*64/.test(encoding)) return 'base64';
  if (/quoted|^qp$/.test(encoding)) return 'quoted-printable';
  if (/uu/.test(encoding)) return 'x-uuencode';
  return encoding;
}

/** message/rfc822 and message/global hold a message; lenient readers treat any message/* that way. */
function isEncapsulated(ctx: Ctx, type: string): boolean {
  if (type === 'message/rfc822' || type === 'message/global') return true;
  return ctx.reading === 'last' && type.startsWith('message/') && type !== 'message/partial' && type !== 'message/external-body';
}

function leavesOf(part: MimePart, out: MimePart[]): MimePart[] {
  if (part.children.length === 0) out.push(part);
  for (const c of part.children) leavesOf(c, out);
  return out;
}

/** Position of the first CR not followed by LF, or -1. */
function firstBareCr(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = buf.indexOf(13); i >= 0; i = buf.indexOf(13, i + 1)) if (buf[i + 1] !== 10) return i;
  return -1;
}

/**
 * A bare CR is not a line break for Moat's strict reading (nor for most MTAs), but some clients
 * and Windows tools break lines there, which can reveal other headers and boundaries. The lenient
 * reading turns each bare CR into LF: same length, so every offset still holds.
 */
function lenientLineBreaks(bytes: Uint8Array): Uint8Array {
  const out = Buffer.from(bytes);
  for (let i = out.indexOf(13); i >= 0; i = out.indexOf(13, i + 1)) if (out[i + 1] !== 10) out[i] = 10;
  return out;
}

/** Parses a message into its part tree. Never throws; limits reached are listed in `limitsHit`. */
export function parseMail(bytes: Uint8Array, options: ParseOptions = {}): ParsedMail {
  const reading = options.reading ?? 'first';
  const bareCr = firstBareCr(bytes);
  const ctx: Ctx = {
    buf: bareCr >= 0 && reading === 'last' ? lenientLineBreaks(bytes) : bytes,
    limits: mergeLimits(DEFAULT_LIMITS, options.limits),
    reading,
    parts: 0,
    decodedBytes: 0,
    ambiguities: [],
    limitsHit: new Set(),
    decodeText: options.decodeText ?? true,
  };
  if (bareCr >= 0) flag(ctx, { kind: 'bare_cr_line_break', detail: `first at byte ${bareCr}`, path: '' });
  const root = parsePart(ctx, 0, bytes.length, '', 0, 'text/plain');
  return { root, leaves: leavesOf(root, []), ambiguities: ctx.ambiguities, limitsHit: [...ctx.limitsHit] };
}

/** The message's own header value (decoded), e.g. `Subject`, `From`, `Message-ID`. */
export function getHeader(mail: ParsedMail, name: string): string | undefined {
  return headerValues(mail.root.headers, name)[0];
}

/** Decoded Subject (first field), or undefined. */
export function getSubject(mail: ParsedMail): string | undefined {
  return getHeader(mail, 'subject');
}

/** Decoded From (first field), display name included. */
export function getFrom(mail: ParsedMail): string | undefined {
  return getHeader(mail, 'from');
}

/** Message-ID without the angle brackets, or undefined. */
export function getMessageId(mail: ParsedMail): string | undefined {
  const v = getHeader(mail, 'message-id');
  return v === undefined ? undefined : v.trim().replace(/^<(.*)>$/, '$1');
}
