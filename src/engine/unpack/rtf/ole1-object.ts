import { u32le } from '../common/byte-reader.js';

/** An OLE1 object (MS-OLEDS §2.2.4 ObjectHeader + native data) as embedded in RTF `\objdata`. */
export interface Ole1Object {
  className: string;
  /** Native data, starting at the NativeDataSize field (so a Package parses like an Ole10Native stream). */
  nativeWithSize: Uint8Array;
  native: Uint8Array;
}

/** Length-prefixed ANSI strings in the header are short; longer ones mean the header is not OLE1. */
const MAX_HEADER_STRING = 4096;

export function parseOle1(b: Uint8Array): Ole1Object | undefined {
  const format = u32le(b, 4);
  if (format !== 1 && format !== 2) return undefined;
  let p = 8;
  const str = (): string | undefined => {
    const len = u32le(b, p);
    if (len === undefined || len > MAX_HEADER_STRING || p + 4 + len > b.length) return undefined;
    const s = Buffer.from(b.subarray(p + 4, p + 4 + len)).toString('latin1').replace(/\0+$/u, '');
    p += 4 + len;
    return s;
  };
  const className = str();
  if (className === undefined || str() === undefined || str() === undefined) return undefined;
  const size = u32le(b, p);
  if (size === undefined) return undefined;
  return { className, nativeWithSize: b.subarray(p), native: b.subarray(p + 4, Math.min(b.length, p + 4 + size)) };
}
