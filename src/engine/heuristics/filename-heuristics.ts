/**
 * Filename spoofing (threats §5): bidi controls such as RTLO (U+202E), zero-width characters,
 * double extensions (`invoice.pdf.exe`), padding with spaces or dots before the real extension.
 * The name is only ever inspected, never used as a path.
 */

/** Bidi embedding/override/isolate controls and marks: U+200E/F, U+202A–U+202E, U+2066–U+2069, U+061C. */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/u;
/** Zero-width and invisible formatting characters. */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u00ad]/gu;
const BIDI_ALL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/gu;
/** Percent- or byte-encoded RTLO that survived decoding as text (`%E2%80%AE`). */
const ENCODED_RTLO = /%e2%80%ae|%u202e/i;

/** Extensions that run code when opened on a desktop. */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe', 'scr', 'com', 'pif', 'bat', 'cmd', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta', 'msi', 'msp', 'cpl',
  'jar', 'ps1', 'lnk', 'reg', 'dll', 'sys', 'scf', 'iso', 'img', 'vhd', 'vhdx', 'appx', 'msix', 'application', 'gadget',
  'chm', 'inf', 'url', 'xll', 'wll', 'sct', 'elf', 'sh', 'app', 'docm', 'xlsm', 'pptm',
]);

/** Extensions users read as harmless documents or media: the decoy part of a double extension. */
const DECOY_EXTENSIONS: ReadonlySet<string> = new Set([
  'pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'rtf', 'txt', 'jpg', 'jpeg', 'png', 'gif', 'bmp', 'tif', 'tiff',
  'mp3', 'mp4', 'avi', 'mov', 'wav', 'htm', 'html', 'odt', 'ods', 'csv', 'zip', 'rar', '7z', 'eml', 'msg', 'xml', 'json',
]);

/** Longest name inspected; a longer one is truncated for the checks (names are bounded by the MIME/archive parsers too). */
const MAX_NAME_CHARS = 4096;

export interface NameFindings {
  /** NFC, bidi and zero-width removed, trailing dots/spaces trimmed, basename only, lower case. */
  normalized: string;
  /** Final extension of the normalised name ('' when none). */
  extension: string;
  bidi: boolean;
  doubleExtension: boolean;
}

export function normalizeFileName(raw: string): string {
  let name = raw.length > MAX_NAME_CHARS ? raw.slice(0, MAX_NAME_CHARS) : raw;
  name = name.normalize('NFC').replace(BIDI_ALL, '').replace(INVISIBLE, '');
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  if (slash >= 0) name = name.slice(slash + 1);
  return name.replace(/[\s.]+$/u, '').toLowerCase();
}

export function inspectFileName(raw: string): NameFindings {
  const bidi = BIDI.test(raw) || ENCODED_RTLO.test(raw) || /[\u200b-\u200d\u2060]/u.test(raw);
  const normalized = normalizeFileName(raw);
  const parts = normalized.split('.');
  const extension = parts.length > 1 ? parts[parts.length - 1]! : '';
  let doubleExtension = false;
  if (parts.length > 2 && EXECUTABLE_EXTENSIONS.has(extension)) {
    const before = parts[parts.length - 2]!.trim();
    // `report.pdf.exe`, `report.pdf      .exe` (space padding), `photo.jpg..exe`.
    if (DECOY_EXTENSIONS.has(before) || (before === '' && parts.length > 3 && DECOY_EXTENSIONS.has(parts[parts.length - 3]!.trim()))) {
      doubleExtension = true;
    }
  }
  // Long runs of spaces before the real extension hide it in most file dialogs.
  if (!doubleExtension && EXECUTABLE_EXTENSIONS.has(extension) && /\s{4,}\.[^.]+$/u.test(normalized)) doubleExtension = true;
  return { normalized, extension, bidi, doubleExtension };
}
