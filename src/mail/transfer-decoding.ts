/** Content-Transfer-Encoding decoders, tolerant as mail clients are (a scanner must see what they see). */

const B64 = new Uint8Array(256).fill(255);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;
B64['-'.charCodeAt(0)] = 62; // URL-safe alphabet, which some clients accept
B64['_'.charCodeAt(0)] = 63;

/**
 * Base64 ignoring junk and whitespace, tolerant of missing padding. By default it goes on after
 * `=` padding (concatenated chunks) and accepts the URL-safe `-` `_`; with `standard` it stops at
 * the padding and skips `-` `_` as junk, as most decoders do. A message can hide data from one
 * kind or the other, so the two readings use both.
 */
export function decodeBase64(input: Uint8Array, standard = false): Uint8Array {
  if (isPlainBase64(input)) return decodePlainBase64(input);
  const out = new Uint8Array(Math.floor((input.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 61 /* = */) {
      if (standard && n > 0) break;
      // Padding ends a quantum; data after it (concatenated base64) continues a new one.
      acc = 0;
      bits = 0;
      continue;
    }
    const v = B64[c]!;
    if (v === 255 || (standard && (c === 45 || c === 95))) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

/** Bytes a well-formed body may hold before its padding: the standard alphabet and CR/LF. */
const PLAIN = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/\r\n') PLAIN[c.charCodeAt(0)] = 1;

/**
 * True for the common, unambiguous case: only the standard alphabet and line breaks, `=` only at
 * the end. Every decoder reads such a body the same way, so the native decoder may do it (~8x faster).
 */
function isPlainBase64(input: Uint8Array): boolean {
  let i = 0;
  while (i < input.length && PLAIN[input[i]!] === 1) i++;
  for (; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 61 && c !== 13 && c !== 10 && c !== 32 && c !== 9) return false;
  }
  return true;
}

function decodePlainBase64(input: Uint8Array): Uint8Array {
  const text = Buffer.from(input.buffer, input.byteOffset, input.length).toString('latin1');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** True when the body has `-` or `_`, which only URL-safe-tolerant decoders count. */
export function hasUrlSafeBase64(input: Uint8Array): boolean {
  return input.includes(45) || input.includes(95);
}

/** True when base64 letters follow `=` padding (decoders differ on whether they count). */
export function hasDataAfterPadding(input: Uint8Array): boolean {
  const pad = input.indexOf(61);
  if (pad < 0) return false;
  for (let i = pad + 1; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 61 && B64[c] !== 255) return true;
  }
  return false;
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Quoted-printable: `=XX`, soft line breaks `=\r\n` / `=\n`; invalid escapes are kept literally. */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== 61) {
      out[n++] = c;
      continue;
    }
    if (input[i + 1] === 10) {
      i += 1;
      continue;
    }
    if (input[i + 1] === 13 && input[i + 2] === 10) {
      i += 2;
      continue;
    }
    const h = hex(input[i + 1] ?? 0);
    const l = hex(input[i + 2] ?? 0);
    if (h >= 0 && l >= 0) {
      out[n++] = (h << 4) | l;
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}

/** The body lines of one uuencoded file (between `begin` and `end`). */
export function decodeUuencodeLines(lines: readonly string[]): Uint8Array {
  const out: number[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const len = (line.charCodeAt(0) - 32) & 63;
    if (len === 0) continue;
    const bytes: number[] = [];
    for (let i = 1; i + 3 < line.length + 3 && bytes.length < len; i += 4) {
      const q = [1, 2, 3, 4].map((k) => ((line.charCodeAt(i + k - 1) || 32) - 32) & 63);
      bytes.push(((q[0]! << 2) | (q[1]! >> 4)) & 255, ((q[1]! << 4) | (q[2]! >> 2)) & 255, ((q[2]! << 6) | q[3]!) & 255);
    }
    out.push(...bytes.slice(0, len));
  }
  return Uint8Array.from(out);
}

export interface UuencodedFile {
  name: string;
  data: Uint8Array;
}

/** Finds `begin MODE NAME` … `end` blocks in text (uuencode inside a body, or x-uuencode bodies). */
export function findUuencoded(text: string, maxFiles: number): UuencodedFile[] {
  const files: UuencodedFile[] = [];
  const re = /^begin(-base64)? [0-7]{3,4} ([^\r\n]+)\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && files.length < maxFiles) {
    const start = m.index + m[0].length + 1;
    // `begin-base64` (uuencode -m) carries base64 lines ended by `====`.
    const b64 = m[1] !== undefined;
    const terminator = b64 ? '\n====' : '\nend';
    const endAt = text.indexOf(terminator, start);
    const raw = text.slice(start, endAt < 0 ? text.length : endAt);
    const data = b64 ? decodeBase64(Buffer.from(raw, 'latin1')) : decodeUuencodeLines(raw.split(/\r?\n/));
    files.push({ name: m[2]!.trim(), data });
    re.lastIndex = endAt < 0 ? text.length : endAt + terminator.length;
  }
  return files;
}

export function decodeTransfer(encoding: string, body: Uint8Array, standardBase64 = false): Uint8Array {
  switch (encoding) {
    case 'base64':
      return decodeBase64(body, standardBase64);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    case 'x-uuencode':
    case 'uuencode':
    case 'x-uue': {
      const files = findUuencoded(Buffer.from(body).toString('latin1'), 1);
      return files[0]?.data ?? body;
    }
    default:
      return body;
  }
}
