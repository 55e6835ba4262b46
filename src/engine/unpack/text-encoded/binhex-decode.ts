import type { TextEncodedFile } from './yenc-decode.js';

/** BinHex 4.0 (`.hqx`): Macintosh files as 6-bit text with run-length encoding, still seen in mail. */

const ALPHABET = '!"#$%&\'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr';
const MARKER = '(This file must be converted with BinHex';

/** CRC-16/XMODEM, what BinHex stores after the header and each fork. */
export function crc16Xmodem(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** 6-bit text between the colons → bytes, then RLE (0x90 n: repeat the previous byte n-1 more times; 0x90 0 is 0x90). */
function decodeStream(text: string, maxBytes: number): { bytes: Uint8Array; cut: boolean } {
  const raw: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const v = ALPHABET.indexOf(text[i]!);
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw.push((acc >> bits) & 255);
    }
  }
  const out = new Uint8Array(Math.min(maxBytes, raw.length * 255));
  let n = 0;
  let cut = false;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 0x90) {
      if (n >= out.length) return { bytes: out.subarray(0, n), cut: true };
      out[n++] = b;
      continue;
    }
    const count = raw[++i] ?? 0;
    if (count === 0) {
      if (n >= out.length) return { bytes: out.subarray(0, n), cut: true };
      out[n++] = 0x90;
    } else {
      const prev = n > 0 ? out[n - 1]! : 0;
      for (let k = 1; k < count; k++) {
        if (n >= out.length) {
          cut = true;
          break;
        }
        out[n++] = prev;
      }
    }
  }
  return { bytes: out.subarray(0, n), cut };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/** Every BinHex 4.0 block in `text`: the data fork (and the resource fork, if any) as files. */
export function findBinhex(text: string, maxFiles: number, maxBytes: number): TextEncodedFile[] {
  const files: TextEncodedFile[] = [];
  let from = 0;
  while (files.length < maxFiles) {
    const at = text.indexOf(MARKER, from);
    if (at < 0) break;
    const open = text.indexOf('\n:', at);
    if (open < 0) break;
    const close = text.indexOf(':', open + 2);
    const body = text.slice(open + 2, close < 0 ? text.length : close);
    from = close < 0 ? text.length : close + 1;
    const notes: string[] = close < 0 ? ['BinHex block without closing colon (truncated)'] : [];
    const { bytes, cut } = decodeStream(body, maxBytes);
    if (cut) notes.push('BinHex block larger than the object size limit; cut there');
    const nameLen = bytes[0] ?? 0;
    const hdrEnd = 1 + nameLen + 1 + 4 + 4 + 2 + 4 + 4;
    if (nameLen < 1 || nameLen > 63 || bytes.length < hdrEnd + 2) {
      files.push({ name: 'binhex.bin', data: bytes, notes: [...notes, 'BinHex header unreadable; raw stream scanned'] });
      continue;
    }
    const name = Buffer.from(bytes.subarray(1, 1 + nameLen)).toString('latin1');
    const dataLen = u32(bytes, hdrEnd - 8);
    const rsrcLen = u32(bytes, hdrEnd - 4);
    if (crc16Xmodem(bytes.subarray(0, hdrEnd)) !== ((bytes[hdrEnd]! << 8) | bytes[hdrEnd + 1]!)) notes.push('BinHex header CRC mismatch');
    const dataStart = hdrEnd + 2;
    const data = bytes.subarray(dataStart, Math.min(bytes.length, dataStart + dataLen));
    if (data.length < dataLen) notes.push('BinHex data fork truncated');
    else if (bytes.length >= dataStart + dataLen + 2 && crc16Xmodem(data) !== ((bytes[dataStart + dataLen]! << 8) | bytes[dataStart + dataLen + 1]!)) notes.push('BinHex data fork CRC mismatch');
    files.push({ name, data, notes });
    const rsrcStart = dataStart + dataLen + 2;
    if (rsrcLen > 0 && rsrcStart < bytes.length && files.length < maxFiles) {
      files.push({ name: `${name}.rsrc`, data: bytes.subarray(rsrcStart, Math.min(bytes.length, rsrcStart + rsrcLen)), notes: ['BinHex resource fork'] });
    }
  }
  return files;
}
