import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { dictInt, dictName, dictString, parsePdfString } from './pdf-strings.js';

/**
 * PDF Standard security handler (ISO 32000-2 §7.6.4) for what a scanner can open:
 * documents with an empty user password ("owner password only") and documents whose user
 * password is among the candidates from the message. Supports R2–R4 (RC4, AESV2) and
 * R5/R6 (AESV3). Anything else stays `encrypted`.
 */
const PAD = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');

export interface PdfDecryptor {
  /** Decrypts one stream or string of object `num gen`. */
  decrypt(num: number, gen: number, data: Uint8Array): Uint8Array;
  /** `RC4`, `AESV2` or `AESV3`, for notes. */
  method: string;
}

function md5(...parts: Uint8Array[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RC4 (legacy; OpenSSL 3 does not offer it by default). */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 0xff;
    j = (j + s[i]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 0xff]!;
  }
  return out;
}

function aesCbcDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  if (data.length < 32 || data.length % 16 !== 0) return Buffer.alloc(0);
  const bits = key.length * 8;
  const d = createDecipheriv(`aes-${bits}-cbc`, key, data.subarray(0, 16));
  d.setAutoPadding(false);
  const out = Buffer.concat([d.update(data.subarray(16)), d.final()]);
  const pad = out[out.length - 1]!;
  return pad >= 1 && pad <= 16 ? out.subarray(0, out.length - pad) : out;
}

/** Algorithm 2.B (R6): iterated SHA-2 with AES-128 rounds. */
function hash2B(password: Buffer, salt: Buffer, udata: Buffer): Buffer {
  let k = createHash('sha256').update(password).update(salt).update(udata).digest();
  let e = Buffer.alloc(1);
  // At least 64 rounds, then until the last byte of E is ≤ rounds − 32 (terminates: the byte is < 256).
  for (let i = 0; i < 64 || e[e.length - 1]! > i - 32; i++) {
    const k1 = Buffer.concat(Array.from({ length: 64 }, () => Buffer.concat([password, k, udata])));
    const c = createCipheriv('aes-128-cbc', k.subarray(0, 16), k.subarray(16, 32));
    c.setAutoPadding(false);
    e = Buffer.concat([c.update(k1), c.final()]);
    let sum = 0;
    for (let j = 0; j < 16; j++) sum += e[j]!;
    k = createHash(['sha256', 'sha384', 'sha512'][sum % 3]!).update(e).digest();
  }
  return k.subarray(0, 32);
}

function cryptMethod(dict: string, v: number): string {
  if (v < 4) return 'RC4';
  const stmf = dictName(dict, 'StmF') ?? 'Identity';
  if (stmf === 'Identity') return 'Identity';
  const cf = new RegExp(`/${stmf}\\s*<<([^>]*)>>`, 'u').exec(dict);
  const cfm = cf ? dictName(cf[1]!, 'CFM') : undefined;
  return cfm === 'AESV2' ? 'AESV2' : cfm === 'AESV3' ? 'AESV3' : cfm === 'None' ? 'Identity' : 'RC4';
}

/**
 * Builds a decryptor for the empty user password, or returns why not:
 * `'password'` (a user password is needed) or `'unsupported'` (not the Standard handler).
 */
export function openEncryption(encryptDict: string, firstId: Buffer, password = ''): PdfDecryptor | 'password' | 'unsupported' {
  if (dictName(encryptDict, 'Filter') !== 'Standard') return 'unsupported';
  const v = dictInt(encryptDict, 'V') ?? 0;
  const r = dictInt(encryptDict, 'R') ?? 0;
  const o = dictString(encryptDict, 'O');
  const u = dictString(encryptDict, 'U');
  const p = dictInt(encryptDict, 'P');
  if (o === undefined || u === undefined || p === undefined) return 'unsupported';
  const method = cryptMethod(encryptDict, v);
  if (r >= 5) {
    if (u.length < 48) return 'unsupported';
    const empty = Buffer.alloc(0);
    // R5/R6 passwords are UTF-8, at most 127 bytes (SASLprep is not applied: ASCII passwords are unaffected).
    const pw = Buffer.from(password, 'utf8').subarray(0, 127);
    const check = r === 5 ? createHash('sha256').update(pw).update(u.subarray(32, 40)).digest() : hash2B(pw, u.subarray(32, 40), empty);
    if (!check.equals(u.subarray(0, 32))) return 'password';
    const ue = dictString(encryptDict, 'UE');
    if (ue === undefined || ue.length < 32) return 'unsupported';
    const ik = r === 5 ? createHash('sha256').update(pw).update(u.subarray(40, 48)).digest() : hash2B(pw, u.subarray(40, 48), empty);
    const d = createDecipheriv('aes-256-cbc', ik, Buffer.alloc(16));
    d.setAutoPadding(false);
    const fileKey = Buffer.concat([d.update(ue.subarray(0, 32)), d.final()]);
    return { method: 'AESV3', decrypt: (_n, _g, data) => (method === 'Identity' ? data : aesCbcDecrypt(fileKey, data)) };
  }
  // V4 (crypt filters) always uses 128-bit keys; its /CF sub-dictionaries carry their own /Length in bytes.
  const n = r === 2 ? 5 : v >= 4 ? 16 : Math.min(16, Math.max(5, Math.floor((dictInt(topLevel(encryptDict), 'Length') ?? 40) / 8)));
  const pBytes = Buffer.alloc(4);
  pBytes.writeInt32LE(p | 0);
  const noMeta = r >= 4 && /\/EncryptMetadata\s+false/u.test(encryptDict) ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : Buffer.alloc(0);
  // R2–R4: the password's first 32 bytes, padded with the standard padding string.
  const pwBytes = Buffer.from(password, 'latin1').subarray(0, 32);
  const padded = Buffer.concat([pwBytes, PAD.subarray(0, 32 - pwBytes.length)]);
  let key = md5(padded, o.subarray(0, 32), pBytes, firstId, noMeta).subarray(0, n);
  if (r >= 3) for (let i = 0; i < 50; i++) key = md5(key).subarray(0, n);
  // Algorithm 6: does the empty user password open the document?
  let ok: boolean;
  if (r === 2) ok = rc4(key, PAD).equals(u.subarray(0, 32));
  else {
    let x = rc4(key, md5(PAD, firstId));
    for (let i = 1; i <= 19; i++) x = rc4(Buffer.from(key.map((b) => b ^ i)), x);
    ok = x.equals(u.subarray(0, 16));
  }
  if (!ok) return 'password';
  const objectKey = (num: number, gen: number, aes: boolean): Buffer => {
    const ng = Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, gen & 0xff, (gen >> 8) & 0xff]);
    return md5(key, ng, aes ? Buffer.from('sAlT') : Buffer.alloc(0)).subarray(0, Math.min(n + 5, 16));
  };
  return {
    method,
    decrypt(num, gen, data) {
      if (method === 'Identity') return data;
      if (method === 'AESV2') return aesCbcDecrypt(objectKey(num, gen, true), data);
      return rc4(objectKey(num, gen, false), data);
    },
  };
}

/** First element of the trailer `/ID` array (needed for R2–R4 keys). */
export function firstFileId(text: string): Buffer {
  const m = /\/ID\s*\[/u.exec(text.slice(Math.max(0, text.lastIndexOf('/ID'))));
  if (!m) return Buffer.alloc(0);
  const at = Math.max(0, text.lastIndexOf('/ID'));
  return parsePdfString(text, at + m.index + m[0].length)?.bytes ?? Buffer.alloc(0);
}

/** The dictionary without its nested sub-dictionaries (a few passes: real nesting is shallow). */
function topLevel(dict: string): string {
  let inner = dict.trim().replace(/^<<|>>$/gu, '');
  for (let i = 0; i < 4 && inner.includes('<<'); i++) inner = inner.replace(/<<[^<>]*>>/gu, '');
  return inner;
}
