/** Content-Transfer-Encoding decoders, tolerant as mail clients are (a scanner must see what they see). */

const B64 = new Uint8Array(256).fill(255);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) B64[c.charCodeAt(0)] = i;
B64['-'.charCodeAt(0)] = 62; // URL-safe alphabet, which some clients accept
B64['_'.charCodeAt(0)] = 63;

/** Base64 ignoring junk and whitespace, tolerant of missing padding; stops at the first `=` pad run. */
export function decodeBase64(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((input.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === 61 /* = */) {
      // Padding ends a quantum; data after it (concatenated base64) continues a new one.
      acc = 0;
      bits = 0;
      continue;
    }
    const v = B64[c]!;
    if (v === 255) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
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
  const re = /^begin(?:-base64)? [0-7]{3,4} ([^\r\n]+)\r?$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && files.length < maxFiles) {
    const start = m.index + m[0].length + 1;
    const endAt = text.indexOf('\nend', start);
    const body = text.slice(start, endAt < 0 ? text.length : endAt).split(/\r?\n/);
    files.push({ name: m[1]!.trim(), data: decodeUuencodeLines(body) });
    re.lastIndex = endAt < 0 ? text.length : endAt + 4;
  }
  return files;
}

export function decodeTransfer(encoding: string, body: Uint8Array): Uint8Array {
  switch (encoding) {
    case 'base64':
      return decodeBase64(body);
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
