import { createHash } from 'node:crypto';

/**
 * ClamAV's two container signature schemes, verified with BigInt arithmetic (public keys from
 * ClamAV's published sources; see docs/signatures.md):
 *  - legacy: textbook RSA over the hex MD5 of the CVD body (header field 6);
 *  - "versig2": RSA-2048 with a PSS-like encoding over SHA-256, for `.info` `DSIG:` lines.
 * Signatures are written in a custom base-64 whose digit i contributes `value << 6i`.
 */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
}

export const CVD_LEGACY_KEY: RsaPublicKey = {
  n: 118640995551645342603070001658453189751527774412027743746599405743243142607464144767361060640655844749760788890022283424922762488917565551002467771109669598189410434699034532232228621591089508178591428456220796841621637175567590476666928698770143328137383952820383197532047771780196576957695822641224262693037n,
  e: 100001027n,
};

export const CVD_INFO_KEY: RsaPublicKey = {
  n: 11088894983048545473659556106627194923928941791795047620591658697413581043322715912172496806525381055880964520618400224333320534660299233983755341740679502866829909679955734391392668378361221524205396631090105151641270857277080310734320951653700508941717419168723942507890702904702707587451621691050754307850383399865346487203798464178537392211402786481359824461197231102895415093770394216666324484593935762408468516826633192140826667923494822045805347809932848454845886971706424360558667862775876072059437703365380209101697738577515476935085469455279994113145977994084618328482151013142393373316337519977244732747977n,
  e: 100002049n,
};

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
/** Longest signature text accepted: 2048-bit values need ≤ 342 digits; more is garbage. */
const MAX_SIGNATURE_DIGITS = 400;
const PSS_BYTES = 256;
const PSS_HASH = 32;

export function decodeSignatureNumber(text: string): bigint | undefined {
  if (text.length === 0 || text.length > MAX_SIGNATURE_DIGITS) return undefined;
  let value = 0n;
  for (let i = text.length - 1; i >= 0; i--) {
    const digit = ALPHABET.indexOf(text[i]!);
    if (digit < 0) return undefined;
    value = (value << 6n) | BigInt(digit);
  }
  return value;
}

export function encodeSignatureNumber(value: bigint): string {
  let out = '';
  let v = value;
  do {
    out += ALPHABET[Number(v & 63n)];
    v >>= 6n;
  } while (v > 0n);
  return out;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Big-endian bytes of `value`, left-padded to `length`; undefined if it does not fit. */
function toBytes(value: bigint, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 255n);
    v >>= 8n;
  }
  return v === 0n ? out : undefined;
}

function recover(signature: string, key: RsaPublicKey, length: number): Uint8Array | undefined {
  const c = decodeSignatureNumber(signature);
  if (c === undefined || c >= key.n) return undefined;
  return toBytes(modPow(c, key.e, key.n), length);
}

/** Legacy CVD header signature: the recovered 16 bytes must equal the body's MD5. */
export function verifyLegacySignature(md5Hex: string, signature: string, key: RsaPublicKey = CVD_LEGACY_KEY): boolean {
  if (!/^[0-9a-f]{32}$/.test(md5Hex)) return false;
  const plain = recover(signature, key, 16);
  return plain !== undefined && Buffer.from(plain).toString('hex') === md5Hex;
}

function mgf1Sha256(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, pos = 0; pos < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash('sha256').update(seed).update(c).digest();
    out.set(block.subarray(0, Math.min(block.length, length - pos)), pos);
    pos += block.length;
  }
  return out;
}

/** The PSS-like scheme over a SHA-256 digest (ClamAV's `cli_versig2`). */
export function verifyPssSignature(sha256: Uint8Array, signature: string, key: RsaPublicKey = CVD_INFO_KEY): boolean {
  const em = recover(signature, key, PSS_BYTES);
  if (!em || em[PSS_BYTES - 1] !== 0xbc) return false;
  const dbLength = PSS_BYTES - PSS_HASH - 1;
  const h = em.subarray(dbLength, dbLength + PSS_HASH);
  const mask = mgf1Sha256(h, dbLength);
  const db = new Uint8Array(dbLength);
  for (let i = 0; i < dbLength; i++) db[i] = em[i]! ^ mask[i]!;
  db[0]! &= 0x7f;
  const sep = db.indexOf(0x01);
  if (sep < 0 || dbLength - (sep + 1) !== PSS_HASH) return false;
  const salt = db.subarray(sep + 1);
  const expected = createHash('sha256').update(Buffer.alloc(8)).update(sha256).update(salt).digest();
  return Buffer.from(h).equals(expected);
}

/** Builds a signature with a private exponent — used by tests and by `moat` tooling to sign local databases. */
export function signPss(sha256: Uint8Array, key: RsaPublicKey & { d: bigint }, salt: Uint8Array): string {
  const dbLength = PSS_BYTES - PSS_HASH - 1;
  const h = createHash('sha256').update(Buffer.alloc(8)).update(sha256).update(salt).digest();
  const db = new Uint8Array(dbLength);
  db[dbLength - PSS_HASH - 1] = 0x01;
  db.set(salt, dbLength - PSS_HASH);
  const mask = mgf1Sha256(h, dbLength);
  const em = new Uint8Array(PSS_BYTES);
  for (let i = 0; i < dbLength; i++) em[i] = db[i]! ^ mask[i]!;
  em[0]! &= 0x7f;
  em.set(h, dbLength);
  em[PSS_BYTES - 1] = 0xbc;
  const m = BigInt(`0x${Buffer.from(em).toString('hex')}`);
  return encodeSignatureNumber(modPow(m, key.d, key.n));
}

export function signLegacy(md5Hex: string, key: RsaPublicKey & { d: bigint }): string {
  return encodeSignatureNumber(modPow(BigInt(`0x${md5Hex}`), key.d, key.n));
}
