import { findUuencoded } from '../../../mail/transfer-decoding.js';
import { findBinhex } from './binhex-decode.js';
import { findYenc, type TextEncodedFile } from './yenc-decode.js';

export type { TextEncodedFile } from './yenc-decode.js';

/**
 * Whether a part can hold a uuencode ("begin"), yEnc ("=ybegin") or BinHex block at all: a memchr-speed
 * test that spares the latin1 copy and the searches for the great majority of parts.
 */
export function mayHoldTextEncoded(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return b.includes('begin') || b.includes('BinHex');
}

/**
 * Files carried as text inside a body: uuencode, yEnc and BinHex 4.0 blocks. Clients such as
 * Outlook Express and news readers show them as attachments, so the scanner must open them too.
 * `text` is the latin1 view of the bytes (one character per byte).
 */
export function findTextEncoded(text: string, maxFiles: number, maxBytes: number): TextEncodedFile[] {
  const out: TextEncodedFile[] = [];
  if (/^begin(-base64)? [0-7]{3,4} /m.test(text)) {
    for (const f of findUuencoded(text, maxFiles)) out.push({ name: f.name, data: f.data.subarray(0, maxBytes), notes: ['uuencoded inside a text part'] });
  }
  if (text.includes('=ybegin ')) for (const f of findYenc(text, maxFiles - out.length, maxBytes)) out.push({ ...f, notes: ['yEnc inside a text part', ...f.notes] });
  if (text.includes('BinHex')) for (const f of findBinhex(text, maxFiles - out.length, maxBytes)) out.push({ ...f, notes: ['BinHex inside a text part', ...f.notes] });
  return out.slice(0, maxFiles);
}
