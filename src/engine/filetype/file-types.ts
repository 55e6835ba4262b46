/**
 * Content-detected object types, named as ClamAV names them (`CL_TYPE_*`) so `.ldb`
 * `Container:`/`Intermediates:` conditions and clamd-compatible output line up.
 * Detection (magic bytes, not names) lives in `detect-file-type.ts`.
 */
export const FILE_TYPES = [
  'CL_TYPE_ANY',
  'CL_TYPE_BINARY_DATA',
  'CL_TYPE_TEXT_ASCII',
  'CL_TYPE_TEXT_UTF8',
  'CL_TYPE_TEXT_UTF16LE',
  'CL_TYPE_TEXT_UTF16BE',
  'CL_TYPE_HTML',
  'CL_TYPE_MAIL',
  'CL_TYPE_MBOX',
  'CL_TYPE_MSEXE',
  'CL_TYPE_ELF',
  'CL_TYPE_MACHO',
  'CL_TYPE_MACHO_UNIBIN',
  'CL_TYPE_MSOLE2',
  'CL_TYPE_OOXML_WORD',
  'CL_TYPE_OOXML_XL',
  'CL_TYPE_OOXML_PPT',
  'CL_TYPE_ODF',
  'CL_TYPE_PDF',
  'CL_TYPE_RTF',
  'CL_TYPE_SWF',
  'CL_TYPE_JAVA',
  'CL_TYPE_GRAPHICS',
  'CL_TYPE_PNG',
  'CL_TYPE_GIF',
  'CL_TYPE_JPEG',
  'CL_TYPE_ZIP',
  'CL_TYPE_GZ',
  'CL_TYPE_BZ',
  'CL_TYPE_XZ',
  'CL_TYPE_7Z',
  'CL_TYPE_RAR',
  'CL_TYPE_MSCAB',
  'CL_TYPE_ARJ',
  'CL_TYPE_CPIO_OLD',
  'CL_TYPE_CPIO_ODC',
  'CL_TYPE_CPIO_NEWC',
  'CL_TYPE_CPIO_CRC',
  'CL_TYPE_POSIX_TAR',
  'CL_TYPE_OLD_TAR',
  'CL_TYPE_TNEF',
  'CL_TYPE_MSSZDD',
  'CL_TYPE_MSCHM',
  'CL_TYPE_UUENCODED',
  'CL_TYPE_BINHEX',
  'CL_TYPE_SCRIPT',
] as const;

export type FileType = (typeof FILE_TYPES)[number];

/** ClamAV target type numbers of `.ndb`/`.ldb` signatures (appendix FileTypes). */
export const TARGET_TYPES = {
  0: 'any',
  1: 'pe',
  2: 'ole2',
  3: 'html',
  4: 'mail',
  5: 'graphics',
  6: 'elf',
  7: 'ascii',
  8: 'unused',
  9: 'macho',
  10: 'pdf',
  11: 'flash',
  12: 'java',
} as const;
export type TargetType = keyof typeof TARGET_TYPES;
