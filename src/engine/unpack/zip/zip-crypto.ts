/**
 * Traditional PKWARE ("ZipCrypto") decryption, APPNOTE §6.1. Used only with candidate
 * passwords from the message; the 12-byte header's check byte rejects ~255/256 wrong
 * passwords before any data is decrypted.
 */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crcUpdate(crc: number, b: number): number {
  return (CRC_TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8)) >>> 0;
}

class Keys {
  k0 = 0x12345678;
  k1 = 0x23456789;
  k2 = 0x34567890;

  update(b: number): void {
    this.k0 = crcUpdate(this.k0, b);
    this.k1 = (Math.imul((this.k1 + (this.k0 & 0xff)) >>> 0, 134775813) + 1) >>> 0;
    this.k2 = crcUpdate(this.k2, this.k1 >>> 24);
  }

  stream(): number {
    const t = (this.k2 | 2) & 0xffff;
    return (Math.imul(t, t ^ 1) >>> 8) & 0xff;
  }
}

/**
 * Decrypts `data` (12-byte header + ciphertext) with `password`; undefined when the check
 * byte says the password is wrong. `check` is the CRC's high byte, or the DOS time's high
 * byte when the member uses a data descriptor (flag bit 3).
 */
export function zipDecrypt(data: Uint8Array, password: string, check: number): Uint8Array | undefined {
  if (data.length < 12) return undefined;
  const keys = new Keys();
  for (const b of Buffer.from(password, 'utf8')) keys.update(b);
  const out = new Uint8Array(data.length - 12);
  let last = 0;
  for (let i = 0; i < data.length; i++) {
    const p = data[i]! ^ keys.stream();
    keys.update(p);
    if (i < 12) last = p;
    else out[i - 12] = p;
    if (i === 11 && last !== check) return undefined;
  }
  return out;
}
