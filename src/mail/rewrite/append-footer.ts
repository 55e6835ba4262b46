import iconv from 'iconv-lite';
import { parseMail } from '../parse-mail.js';
import { decodeBase64 } from '../transfer-decoding.js';
import type { MimePart } from '../types.js';
import { eolOf } from './header-encoding.js';

/** RFC 2045 caps encoded lines at 76 characters (base64 and quoted-printable). */
const ENCODED_LINE = 76;

/** The part a footer goes into: a text/plain body that is not an attachment, through mixed/alternative/related only. */
function footerTarget(part: MimePart): MimePart | undefined {
  if (part.children.length === 0) {
    const inline = part.disposition === undefined || part.disposition === 'inline';
    return part.contentType === 'text/plain' && inline && part.decoded !== undefined ? part : undefined;
  }
  if (!['multipart/mixed', 'multipart/alternative', 'multipart/related'].includes(part.contentType)) return undefined;
  const first = part.children[0];
  return first ? footerTarget(first) : undefined;
}

function encodeText(text: string, charset: string | undefined): Buffer {
  const cs = (charset ?? 'us-ascii').toLowerCase();
  if (cs !== 'utf-8' && cs !== 'utf8' && iconv.encodingExists(cs) && !/^(us-)?ascii$/.test(cs)) return iconv.encode(text, cs);
  return Buffer.from(text, 'utf8');
}

/** Quoted-printable with soft breaks; the footer's own line breaks become `eol`. */
export function encodeQuotedPrintable(bytes: Uint8Array, eol: string): string {
  const out: string[] = [];
  let line = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 10) {
      out.push(line.replace(/([ \t])$/, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`));
      line = '';
      continue;
    }
    if (b === 13 && bytes[i + 1] === 10) continue;
    const lit = (b >= 33 && b <= 126 && b !== 61) || b === 32 || b === 9;
    const tok = lit ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + tok.length > ENCODED_LINE - 1) {
      out.push(`${line}=`);
      line = '';
    }
    line += tok;
  }
  out.push(line);
  return out.join(eol);
}

function base64Lines(bytes: Uint8Array, eol: string): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += ENCODED_LINE) lines.push(b64.slice(i, i + ENCODED_LINE));
  return lines.join(eol) + eol;
}

/**
 * Appends `text` to the message's text/plain body (the message itself, or the first inline
 * text/plain of a mixed/alternative/related multipart). 7bit/8bit bodies get the text as is
 * (in the part's charset), quoted-printable bodies get it QP-encoded, base64 bodies are re-encoded.
 * Every byte outside that body is kept. Returns undefined when there is no such body (HTML only,
 * other encodings, unusual structure): the caller then leaves the message alone.
 */
export function appendFooter(message: Uint8Array, text: string): Buffer | undefined {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.length);
  const mail = parseMail(buf);
  if (mail.limitsHit.length) return undefined;
  const target = footerTarget(mail.root);
  if (!target) return undefined;
  const eol = eolOf(buf);
  const body = buf.subarray(target.bodyStart, target.bodyEnd);
  const lead = body.length === 0 || body[body.length - 1] === 10 ? '' : eol;
  const isRoot = target === mail.root;
  const footerText = text.replace(/\r?\n/g, '\n') + (isRoot && !text.endsWith('\n') ? '\n' : '');
  const footerBytes = encodeText(footerText, target.charset);
  let insert: Buffer;
  switch (target.transferEncoding) {
    case '7bit':
    case '8bit':
    case 'binary':
      insert = Buffer.concat([Buffer.from(lead, 'latin1'), Buffer.from(footerBytes.toString('latin1').replace(/\n/g, eol), 'latin1')]);
      break;
    case 'quoted-printable':
      insert = Buffer.from(lead + encodeQuotedPrintable(footerBytes, eol), 'latin1');
      break;
    case 'base64': {
      const decoded = decodeBase64(body);
      const newline = /\r\n/.test(Buffer.from(decoded).toString('latin1')) ? '\r\n' : '\n';
      const joined = Buffer.concat([decoded, Buffer.from(decoded.length && decoded[decoded.length - 1] !== 10 ? newline : ''), Buffer.from(footerBytes.toString('latin1').replace(/\n/g, newline), 'latin1')]);
      const encoded = base64Lines(joined, eol);
      return Buffer.concat([buf.subarray(0, target.bodyStart), Buffer.from(isRoot ? encoded : encoded.slice(0, -eol.length), 'latin1'), buf.subarray(target.bodyEnd)]);
    }
    default:
      return undefined;
  }
  return Buffer.concat([buf.subarray(0, target.bodyEnd), insert, buf.subarray(target.bodyEnd)]);
}
