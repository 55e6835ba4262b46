/** One 512-byte tar header block, decoded (POSIX ustar, GNU, pax and pre-POSIX v7). */
export interface TarHeader {
  name: string;
  size: number;
  type: string;
  linkName: string;
  /** `ustar\0` (POSIX), `ustar ` (GNU) or '' (v7). */
  magic: string;
}

export const BLOCK = 512;

function field(b: Uint8Array, off: number, len: number): string {
  const s = b.subarray(off, off + len);
  const end = s.indexOf(0);
  return Buffer.from(end >= 0 ? s.subarray(0, end) : s).toString('utf8');
}

/** Octal with spaces/NULs, or GNU base-256 (high bit of the first byte). NaN when neither. */
export function numeric(b: Uint8Array, off: number, len: number): number {
  if ((b[off]! & 0x80) !== 0) {
    let v = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + b[off + i]!;
      if (v > Number.MAX_SAFE_INTEGER) return NaN;
    }
    return v;
  }
  const s = Buffer.from(b.subarray(off, off + len)).toString('latin1').replace(/[\0 ]+$/u, '').trim();
  if (s === '') return 0;
  return /^[0-7]+$/u.test(s) ? parseInt(s, 8) : NaN;
}

/** Checksum over the block with the checksum field read as spaces; old tars summed signed bytes. */
function checksumOk(b: Uint8Array): boolean {
  const stored = numeric(b, 148, 8);
  if (Number.isNaN(stored)) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Decodes a header block; undefined when it is not a valid header (bad checksum or size). */
export function parseHeader(b: Uint8Array): TarHeader | undefined {
  if (b.length < BLOCK || !checksumOk(b)) return undefined;
  const size = numeric(b, 124, 12);
  if (Number.isNaN(size) || size < 0) return undefined;
  const magic = Buffer.from(b.subarray(257, 263)).toString('latin1');
  let name = field(b, 0, 100);
  if (magic === 'ustar\0') {
    const prefix = field(b, 345, 155);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const t = b[156] === 0 ? '0' : String.fromCharCode(b[156]!);
  return { name, size, type: t, linkName: field(b, 157, 100), magic: magic.startsWith('ustar') ? magic : '' };
}

/** `path` and `size` from pax extended-header records (`LEN key=value\n`). */
export function parsePax(data: Uint8Array): { path?: string; size?: number } {
  const text = Buffer.from(data).toString('utf8');
  const out: { path?: string; size?: number } = {};
  let p = 0;
  while (p < text.length) {
    const sp = text.indexOf(' ', p);
    if (sp < 0) break;
    const len = parseInt(text.slice(p, sp), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = text.slice(sp + 1, p + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) {
      const key = rec.slice(0, eq);
      const value = rec.slice(eq + 1);
      if (key === 'path') out.path = value;
      if (key === 'size' && /^\d+$/u.test(value)) out.size = Number(value);
    }
    p += len;
  }
  return out;
}
