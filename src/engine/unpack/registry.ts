import type { Unpacker } from './unpacker.js';
import { zipUnpacker } from './zip/zip-unpacker.js';
import { gzipUnpacker } from './gzip/gzip-unpacker.js';
import { bzip2Unpacker } from './bzip2/bzip2-unpacker.js';
import { xzUnpacker } from './xz/xz-unpacker.js';
import { tarUnpacker } from './tar/tar-unpacker.js';
import { cpioUnpacker } from './cpio/cpio-unpacker.js';
import { ole2Unpacker } from './ole2/ole2-unpacker.js';
import { pdfUnpacker } from './pdf/pdf-unpacker.js';
import { rtfUnpacker } from './rtf/rtf-unpacker.js';
import { htmlUnpacker } from './html/html-unpacker.js';
import { szddUnpacker } from './szdd/szdd-unpacker.js';
import { mailUnpacker } from './mail/mail-unpacker.js';
import { tnefUnpacker } from './tnef/tnef-unpacker.js';
import { sevenZipArchiveUnpacker, rarUnpacker, cabUnpacker, arjUnpacker, chmUnpacker } from './sevenzip/seven-zip-formats.js';

/** Every unpacker the engine knows, looked up by content type (CL_TYPE_*). One line per unpacker. */
export const DEFAULT_UNPACKERS: Unpacker[] = [
  zipUnpacker,
  gzipUnpacker,
  bzip2Unpacker,
  xzUnpacker,
  tarUnpacker,
  cpioUnpacker,
  ole2Unpacker,
  pdfUnpacker,
  rtfUnpacker,
  htmlUnpacker,
  sevenZipArchiveUnpacker,
  rarUnpacker,
  cabUnpacker,
  arjUnpacker,
  chmUnpacker,
  szddUnpacker,
  mailUnpacker,
  tnefUnpacker,
];
