/**
 * Content-based type detection (never by name: the name hint only breaks ties between
 * equally plausible text types). Order: magic numbers at fixed offsets → mail headers →
 * text vs binary (first 1 KiB, as ClamAV's magic buffer) → HTML markers inside text.
 * Total on hostile input: bounds-checked, never throws.
 */
import type { FileType } from './file-types.js';

/** Bytes inspected for magic numbers and the text/binary decision (ClamAV's magic buffer). */
const MAGIC_BUFFER = 1024;
/** Text inspected for HTML markers: enough for any real document's head. */
const HTML_SCAN = 64 * 1024;

interface Magic {
  at: number;
  bytes: number[];
  type: FileType;
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Fixed-offset magic numbers (facts from file-format specifications and ClamAV's type list). */
const MAGICS: Magic[] = [
  { at: 0, bytes: [0x7f, 0x45, 0x4c, 0x46], type: 'CL_TYPE_ELF' },
  { at: 0, bytes: [0xce, 0xfa, 0xed, 0xfe], type: 'CL_TYPE_MACHO' },
  { at: 0, bytes: [0xcf, 0xfa, 0xed, 0xfe], type: 'CL_TYPE_MACHO' },
  { at: 0, bytes: [0xfe, 0xed, 0xfa, 0xce], type: 'CL_TYPE_MACHO' },
  { at: 0, bytes: [0xfe, 0xed, 0xfa, 0xcf], type: 'CL_TYPE_MACHO' },
  { at: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], type: 'CL_TYPE_MSOLE2' },
  { at: 0, bytes: [0x50, 0x4b, 0x03, 0x04], type: 'CL_TYPE_ZIP' },
  { at: 0, bytes: [0x50, 0x4b, 0x05, 0x06], type: 'CL_TYPE_ZIP' },
  { at: 0, bytes: [0x1f, 0x8b], type: 'CL_TYPE_GZ' },
  { at: 0, bytes: ascii('BZh'), type: 'CL_TYPE_BZ' },
  { at: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], type: 'CL_TYPE_XZ' },
  { at: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], type: 'CL_TYPE_7Z' },
  { at: 0, bytes: ascii('Rar!\x1a\x07'), type: 'CL_TYPE_RAR' },
  { at: 0, bytes: ascii('MSCF'), type: 'CL_TYPE_MSCAB' },
  { at: 0, bytes: [0x60, 0xea], type: 'CL_TYPE_ARJ' },
  { at: 257, bytes: ascii('ustar'), type: 'CL_TYPE_POSIX_TAR' },
  { at: 0, bytes: ascii('070707'), type: 'CL_TYPE_CPIO_ODC' },
  { at: 0, bytes: ascii('070701'), type: 'CL_TYPE_CPIO_NEWC' },
  { at: 0, bytes: ascii('070702'), type: 'CL_TYPE_CPIO_CRC' },
  { at: 0, bytes: [0xc7, 0x71], type: 'CL_TYPE_CPIO_OLD' },
  { at: 0, bytes: [0x71, 0xc7], type: 'CL_TYPE_CPIO_OLD' },
  { at: 0, bytes: [0x78, 0x9f, 0x3e, 0x22], type: 'CL_TYPE_TNEF' },
  { at: 0, bytes: ascii('SZDD'), type: 'CL_TYPE_MSSZDD' },
  { at: 0, bytes: ascii('ITSF'), type: 'CL_TYPE_MSCHM' },
  { at: 0, bytes: ascii('GIF87a'), type: 'CL_TYPE_GIF' },
  { at: 0, bytes: ascii('GIF89a'), type: 'CL_TYPE_GIF' },
  { at: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], type: 'CL_TYPE_PNG' },
  { at: 0, bytes: [0xff, 0xd8, 0xff], type: 'CL_TYPE_JPEG' },
  { at: 0, bytes: ascii('II*\0'), type: 'CL_TYPE_GRAPHICS' },
  { at: 0, bytes: ascii('MM\0*'), type: 'CL_TYPE_GRAPHICS' },
  { at: 0, bytes: ascii('FWS'), type: 'CL_TYPE_SWF' },
  { at: 0, bytes: ascii('CWS'), type: 'CL_TYPE_SWF' },
  { at: 0, bytes: ascii('ZWS'), type: 'CL_TYPE_SWF' },
  { at: 0, bytes: ascii('{\\rtf'), type: 'CL_TYPE_RTF' },
  { at: 0, bytes: ascii('MZ'), type: 'CL_TYPE_MSEXE' },
];

/** Header names that mark a mail message when a file starts with them (ClamAV's list). */
const MAIL_PREFIXES = [
  '>From ', 'Date: ', 'Delivered-To: ', 'Delivery-date: ', 'Envelope-to: ', 'For: ', 'From ', 'From: ', 'Message-ID: ', 'Message-Id: ',
  'Received: ', 'Return-Path: ', 'Return-path: ', 'Subject: ', 'To: ', 'X-Apparently-To: ', 'X-EVS', 'X-Envelope-From: ',
  'X-Original-To: ', 'X-Real-To: ', 'X-Sieve: ', 'X-Symantec-', 'X-UIDL: ', 'v:\nReceived: ', 'v:\r\nReceived: ',
].map(ascii);

const HTML_MARKERS = ['<html>', '<head>', '<script', '<iframe', '<img', '<object', '<table'];

function startsWith(b: Uint8Array, at: number, m: number[]): boolean {
  if (at + m.length > b.length) return false;
  for (let i = 0; i < m.length; i++) if (b[at + i] !== m[i]) return false;
  return true;
}

function indexOfAscii(hay: string, needle: string, from = 0): number {
  return hay.indexOf(needle, from);
}

/**
 * ClamAV's text classes (textdet.c): 0 = never in text, 1 = plain ASCII, 2 = ISO-8859,
 * 3 = other extended ASCII. BEL BS HT LF FF CR ESC are text; VT and DEL are not.
 */
const TEXT_CLASS = ((): Uint8Array => {
  const t = new Uint8Array(256);
  for (const c of [0x07, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1b]) t[c] = 1;
  for (let c = 0x20; c < 0x7f; c++) t[c] = 1;
  for (let c = 0x80; c < 0xa0; c++) t[c] = 3;
  t[0x85] = 1;
  for (let c = 0xa0; c < 0x100; c++) t[c] = 2;
  return t;
})();

type TextKind = 'binary' | 'ascii' | 'utf8' | 'utf16le' | 'utf16be';

/**
 * Same decision as ClamAV's cli_texttype over the magic buffer, so per-target matcher roots
 * line up with clamscan: "ASCII" admits any byte ≥ 0x80; UTF-16 without a BOM is accepted
 * when no 16-bit unit is a non-text ASCII control (which random binary data often passes).
 */
function textKind(all: Uint8Array): TextKind {
  const b = all.subarray(0, Math.min(all.length, MAGIC_BUFFER));
  if (b.every((c) => TEXT_CLASS[c] !== 0)) return 'ascii';
  if (isUtf8(b)) return 'utf8';
  return utf16Kind(b);
}

function isUtf8(b: Uint8Array): boolean {
  let gotone = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if ((c & 0x80) === 0) {
      if (TEXT_CLASS[c] !== 1) return false;
      continue;
    }
    if ((c & 0x40) === 0) return false;
    let following: number;
    if ((c & 0x20) === 0) following = 1;
    else if ((c & 0x10) === 0) following = 2;
    else if ((c & 0x08) === 0) following = 3;
    else if ((c & 0x04) === 0) following = 4;
    else if ((c & 0x02) === 0) following = 5;
    else return false;
    for (let j = 0; j < following; j++) {
      if (++i >= b.length) return gotone;
      if ((b[i]! & 0x80) === 0 || (b[i]! & 0x40) !== 0) return false;
    }
    gotone = true;
  }
  return gotone;
}

function utf16Kind(b: Uint8Array): TextKind {
  if (b.length < 2) return 'binary';
  let be = true;
  let nobom = false;
  if (b[0] === 0xff && b[1] === 0xfe) be = false;
  else if (!(b[0] === 0xfe && b[1] === 0xff)) nobom = true;
  let bad = 0;
  for (let i = 2; i + 1 < b.length; i += 2) {
    const c = be ? b[i + 1]! + 256 * b[i]! : b[i]! + 256 * b[i + 1]!;
    if (c === 0xfffe) return 'binary';
    if (c < 128 && TEXT_CLASS[c] !== 1) {
      if (nobom) return 'binary';
      bad++;
    }
  }
  if (!nobom && bad >= b.length / 2) return 'binary';
  return be ? 'utf16be' : 'utf16le';
}

function looksLikeMimeMail(head: string): boolean {
  const lower = head.toLowerCase();
  const from = lower.indexOf('\nfrom: ');
  const mime = lower.indexOf('\nmime-version: ');
  const ctype = lower.indexOf('\ncontent-type: ');
  return (from >= 0 && (mime > from || ctype > from)) || (mime >= 0 && ctype > mime) || (lower.indexOf('\nmessage-id: ') >= 0 && ctype >= 0);
}

function looksLikeHtml(text: string): boolean {
  const lower = text.toLowerCase();
  for (const m of HTML_MARKERS) {
    let at = indexOfAscii(lower, m);
    while (at >= 0) {
      const next = lower[at + m.length];
      if (m.endsWith('>') || next === undefined || ' \t\n\x0b\x0c\r>/'.includes(next)) return true;
      at = indexOfAscii(lower, m, at + 1);
    }
  }
  return /<a\s[^>]*href/.test(lower);
}

export function detectFileType(bytes: Uint8Array, nameHint?: string): FileType {
  if (bytes.length === 0) return 'CL_TYPE_BINARY_DATA';
  if (startsWith(bytes, 0, [0xca, 0xfe, 0xba, 0xbe]) && bytes.length >= 8) {
    // Java class and Mach-O universal share a magic; a small architecture count means Mach-O.
    const n = (bytes[4]! << 24) | (bytes[5]! << 16) | (bytes[6]! << 8) | bytes[7]!;
    return n > 0 && n < 20 ? 'CL_TYPE_MACHO_UNIBIN' : 'CL_TYPE_JAVA';
  }
  for (const m of MAGICS) if (startsWith(bytes, m.at, m.bytes)) return m.type;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAGIC_BUFFER)).toString('latin1');
  if (indexOfAscii(head, '%PDF-') >= 0) return 'CL_TYPE_PDF';
  if (MAIL_PREFIXES.some((p) => startsWith(bytes, 0, p))) return 'CL_TYPE_MAIL';
  const kind = textKind(bytes);
  // ClamAV also looks for HTML markers in "binary" magic buffers (HTML with odd bytes).
  if (kind === 'binary') return looksLikeHtml(head) ? 'CL_TYPE_HTML' : 'CL_TYPE_BINARY_DATA';
  if (kind === 'utf16le') return 'CL_TYPE_TEXT_UTF16LE';
  if (kind === 'utf16be') return 'CL_TYPE_TEXT_UTF16BE';
  if (looksLikeMimeMail(head)) return 'CL_TYPE_MAIL';
  if (startsWith(bytes, 0, ascii('begin ')) && /^begin [0-7]{3,4} /.test(head)) return 'CL_TYPE_UUENCODED';
  if (head.includes('(This file must be converted with BinHex')) return 'CL_TYPE_BINHEX';
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, HTML_SCAN)).toString('latin1');
  if (looksLikeHtml(text)) return 'CL_TYPE_HTML';
  if (kind === 'ascii' && nameHint && /\.(html?|xhtml)$/i.test(nameHint) && text.includes('<')) return 'CL_TYPE_HTML';
  return kind === 'utf8' ? 'CL_TYPE_TEXT_UTF8' : 'CL_TYPE_TEXT_ASCII';
}
