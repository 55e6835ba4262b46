import { u16le } from '../common/byte-reader.js';

/** What the BIFF record stream of an Excel 97–2003 `Workbook` says about macros and encryption. */
export interface WorkbookFacts {
  /** Excel 4.0 (XLM) macro sheets: BOUNDSHEET with sheet type 0x01. */
  xlmMacroSheets: number;
  /** FILEPASS record present: the workbook is encrypted. */
  encrypted: boolean;
}

const BOUNDSHEET = 0x0085;
const FILEPASS = 0x002f;
const EOF_RECORD = 0x000a;
/** Globals substream records read at most: real workbooks put BOUNDSHEETs within the first few hundred. */
const MAX_RECORDS = 100_000;

/** Walks the workbook globals substream (BIFF8 records: type u16, length u16, data). */
export function inspectWorkbook(b: Uint8Array): WorkbookFacts {
  const facts: WorkbookFacts = { xlmMacroSheets: 0, encrypted: false };
  let p = 0;
  for (let n = 0; n < MAX_RECORDS && p + 4 <= b.length; n++) {
    const type = u16le(b, p)!;
    const len = u16le(b, p + 2)!;
    if (type === FILEPASS) facts.encrypted = true;
    if (type === BOUNDSHEET && len >= 6 && b[p + 4 + 5] === 0x01) facts.xlmMacroSheets++;
    if (type === EOF_RECORD && n > 0) break;
    p += 4 + len;
  }
  return facts;
}
