/**
 * Cheap content checks on an extracted object: is it a program, and does its content agree
 * with its name's extension. Full type detection lives in filetype/; these checks only need
 * the few magic numbers where a mismatch is a known lure.
 */

export type ContentKind = 'pe' | 'elf' | 'macho' | 'pdf' | 'zip' | 'ole2' | 'png' | 'jpeg' | 'gif' | 'rar' | '7z' | 'gzip' | 'other';

export function sniffContent(data: Uint8Array): ContentKind {
  const b = data;
  if (b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a) return 'pe';
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) return 'elf';
  if (b.length >= 4) {
    const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const le = ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
    const machO = new Set([0xfeedface, 0xfeedfacf]);
    if (machO.has(be) || machO.has(le)) return 'macho';
  }
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04]) || startsWith(b, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole2';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(b, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return 'rar';
  if (startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return '7z';
  if (startsWith(b, [0x1f, 0x8b])) return 'gzip';
  return 'other';
}

function startsWith(b: Uint8Array, magic: number[]): boolean {
  if (b.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (b[i] !== magic[i]) return false;
  return true;
}

export function isExecutableContent(kind: ContentKind): boolean {
  return kind === 'pe' || kind === 'elf' || kind === 'macho';
}

/** Extensions whose content has a fixed magic number: a different magic is a mismatch. */
const EXPECTED: Readonly<Record<string, readonly ContentKind[]>> = {
  pdf: ['pdf'],
  png: ['png'],
  jpg: ['jpeg'],
  jpeg: ['jpeg'],
  gif: ['gif'],
  zip: ['zip'],
  // Password-protected OOXML is a compound file (EncryptionInfo + EncryptedPackage), not a zip.
  docx: ['zip', 'ole2'],
  xlsx: ['zip', 'ole2'],
  pptx: ['zip', 'ole2'],
  odt: ['zip'],
  ods: ['zip'],
  jar: ['zip'],
  doc: ['ole2'],
  xls: ['ole2'],
  ppt: ['ole2'],
  msg: ['ole2'],
  rar: ['rar'],
  '7z': ['7z'],
  gz: ['gzip'],
  exe: ['pe'],
  dll: ['pe'],
  scr: ['pe'],
};

/** Document/media extensions: a program behind one of them is the dangerous kind of mismatch. */
const BENIGN_LOOKING = new Set(['pdf', 'png', 'jpg', 'jpeg', 'gif', 'txt', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'rtf', 'csv', 'htm', 'html', 'mp3', 'mp4', 'wav', 'avi']);

/** True when the content clearly disagrees with the extension (unknown extensions never mismatch). */
export function typeMismatch(extension: string, kind: ContentKind): boolean {
  if (extension === '') return false;
  if (isExecutableContent(kind) && BENIGN_LOOKING.has(extension)) return true;
  const expected = EXPECTED[extension];
  if (expected === undefined || kind === 'other') return false;
  return !expected.includes(kind);
}
