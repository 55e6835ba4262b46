/**
 * Builds ClamAV-format `.cvd`/`.cld` containers signed with a throw-away RSA key, so tests can
 * exercise verification end to end (only Talos can sign with the official key).
 */
import { createHash, generatePrimeSync, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { signLegacy, signPss, type RsaPublicKey } from '../../src/engine/sigdb/cvd-signature.js';

export type PrivateKey = RsaPublicKey & { d: bigint };

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

export function generateKey(bits: number, e: bigint): PrivateKey {
  for (;;) {
    const p = generatePrimeSync(bits / 2, { bigint: true });
    const q = generatePrimeSync(bits / 2, { bigint: true });
    const phi = (p - 1n) * (q - 1n);
    try {
      const n = p * q;
      if (n.toString(2).length !== bits) continue;
      return { n, e, d: modInverse(e, phi) };
    } catch {
      continue;
    }
  }
}

export function tar(members: Array<{ name: string; data: Uint8Array }>): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const h = Buffer.alloc(512);
    h.write(m.name, 0, 'latin1');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${m.data.length.toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h[156] = 48;
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, Buffer.from(m.data), Buffer.alloc((512 - (m.data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export interface ContainerSpec {
  name: string;
  version: number;
  members: Record<string, string | Uint8Array>;
  legacyKey: PrivateKey;
  infoKey: PrivateKey;
  kind?: 'cvd' | 'cld';
  /** Members present in the archive but left out of the signed .info. */
  unlisted?: Record<string, string>;
  buildEpoch?: number;
}

export function buildContainer(spec: ContainerSpec): Buffer {
  const members = Object.entries(spec.members).map(([name, data]) => ({ name, data: typeof data === 'string' ? Buffer.from(data) : Buffer.from(data) }));
  const headerLine = `ClamAV-VDB:22 Nov 2026 10-00 +0000:${spec.version}:${members.length}:210:`;
  let info = `${headerLine}\n`;
  for (const m of members) info += `${m.name}:${m.data.length}:${createHash('sha256').update(m.data).digest('hex')}\n`;
  const dsig = signPss(createHash('sha256').update(info).digest(), spec.infoKey, randomBytes(32));
  info += `DSIG:${dsig}\n`;
  const all = [{ name: 'COPYING', data: Buffer.from('test licence\n') }, ...members, { name: `${spec.name}.info`, data: Buffer.from(info) }];
  for (const [name, data] of Object.entries(spec.unlisted ?? {})) all.push({ name, data: Buffer.from(data) });
  const tarred = tar(all);
  const body = spec.kind === 'cld' ? tarred : gzipSync(tarred);
  const md5 = createHash('md5').update(body).digest('hex');
  const sig = spec.kind === 'cld' ? 'X' : signLegacy(md5, spec.legacyKey);
  const header = Buffer.alloc(512, ' ');
  header.write(`ClamAV-VDB:22 Nov 2026 10-00 +0000:${spec.version}:${members.length}:210:${md5}:${sig}:moat-test:${spec.buildEpoch ?? 1795000000}`, 'latin1');
  return Buffer.concat([header, body]);
}
