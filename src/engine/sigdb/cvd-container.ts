import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { MoatError } from '../../core/errors.js';
import { CVD_INFO_KEY, CVD_LEGACY_KEY, verifyLegacySignature, verifyPssSignature, type RsaPublicKey } from './cvd-signature.js';
import { readTarMembers, type TarMember } from './tar-members.js';

export interface CvdHeader {
  buildTime: string;
  version: number;
  signatureCount: number;
  flevel: number;
  md5: string;
  dsig: string;
  builder: string;
  buildEpoch: number;
}

export interface CvdKeys {
  legacy: RsaPublicKey;
  info: RsaPublicKey;
}

export interface OpenedContainer {
  /** Database name: `main`, `daily`, ... (the file's base name). */
  name: string;
  kind: 'cvd' | 'cld';
  header: CvdHeader;
  /** Verified members, in archive order, without the `.info` manifest and COPYING. */
  members: TarMember[];
}

const HEADER_BYTES = 512;
/** The largest official body (main) unpacks to ~250 MB; 1 GiB bounds a hostile container. */
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;
/** ClamAV refuses a daily database built more than an hour in the future (clock or replay trick). */
const MAX_FUTURE_SECONDS = 3600;

export function parseCvdHeader(data: Uint8Array): CvdHeader | string {
  if (data.length < HEADER_BYTES) return `file is ${data.length} bytes, shorter than the 512-byte header`;
  const text = Buffer.from(data.subarray(0, HEADER_BYTES)).toString('latin1').replace(/[\s\0]+$/, '');
  const f = text.split(':');
  if (f[0] !== 'ClamAV-VDB') return 'not a ClamAV database container (no "ClamAV-VDB" header)';
  if (f.length < 8) return `header has ${f.length} fields, expected at least 8`;
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  const header: CvdHeader = {
    buildTime: f[1]!,
    version: num(f[2]),
    signatureCount: num(f[3]),
    flevel: num(f[4]),
    md5: f[5]!,
    dsig: f[6]!,
    builder: f[7]!,
    buildEpoch: f[8] !== undefined && /^\d+$/.test(f[8]) ? Number(f[8]) : 0,
  };
  if (Number.isNaN(header.version) || Number.isNaN(header.signatureCount) || Number.isNaN(header.flevel)) {
    return 'header version, signature count or functionality level is not a number';
  }
  return header;
}

interface InfoManifest {
  entries: Map<string, { size: number; sha256: string }>;
  signedDigest: Uint8Array;
  dsig: string;
}

function parseInfo(data: Uint8Array): InfoManifest | string {
  const text = Buffer.from(data).toString('latin1');
  const dsigAt = text.search(/(^|\n)DSIG:/);
  if (dsigAt < 0) return '.info manifest has no DSIG line';
  const signedEnd = text[dsigAt] === '\n' ? dsigAt + 1 : dsigAt;
  const signedDigest = createHash('sha256').update(data.subarray(0, signedEnd)).digest();
  const dsig = text.slice(signedEnd + 5).split('\n')[0]!.trim();
  const entries = new Map<string, { size: number; sha256: string }>();
  const lines = text.slice(0, signedEnd).split('\n').map((l) => l.replace(/\r$/, ''));
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line === '') continue;
    const m = /^([A-Za-z0-9._-]+):(\d+):([0-9a-f]{64})$/.exec(line);
    if (!m) return `.info line ${i + 1} is not name:size:sha256`;
    entries.set(m[1]!, { size: Number(m[2]), sha256: m[3]! });
  }
  return { entries, signedDigest, dsig };
}

/**
 * Verifies a `.cvd`/`.cld` like `sigtool --info`: header MD5 of the body and its legacy digital
 * signature (CVD only — a CLD's header no longer describes its body), then the `.info` manifest's
 * DSIG and every member's size and SHA-256. Throws SIGDB_VERIFY naming what failed.
 */
export function openContainer(file: string, data: Uint8Array, options: { keys?: CvdKeys; nowSeconds?: number } = {}): OpenedContainer {
  const keys = options.keys ?? { legacy: CVD_LEGACY_KEY, info: CVD_INFO_KEY };
  const fail = (why: string): never => {
    throw new MoatError('SIGDB_VERIFY', `${file}: ${why}; refusing the whole container`, { file });
  };
  const base = file.slice(file.lastIndexOf('/') + 1);
  const kind = base.endsWith('.cld') ? 'cld' : 'cvd';
  const name = base.replace(/\.(cvd|cld)$/, '');
  const header = parseCvdHeader(data);
  if (typeof header === 'string') return fail(header);
  const body = data.subarray(HEADER_BYTES);
  if (kind === 'cvd') {
    const md5 = createHash('md5').update(body).digest('hex');
    if (md5 !== header.md5) fail(`body MD5 ${md5} does not match the header's ${header.md5} (file altered or truncated)`);
    if (!verifyLegacySignature(md5, header.dsig, keys.legacy)) fail('the header digital signature does not verify with the ClamAV public key');
  }
  if (options.nowSeconds !== undefined && name === 'daily' && header.buildEpoch > options.nowSeconds + MAX_FUTURE_SECONDS) {
    fail(`build time ${header.buildEpoch} is in the future`);
  }
  let tar: Uint8Array = body;
  if (body[0] === 0x1f && body[1] === 0x8b) {
    try {
      tar = gunzipSync(body, { maxOutputLength: MAX_UNPACKED_BYTES });
    } catch (err) {
      fail(`body does not decompress: ${(err as Error).message}`);
    }
  }
  const members = readTarMembers(tar);
  if (typeof members === 'string') return fail(members);
  const infoMember = members.find((m) => m.name === `${name}.info`);
  if (!infoMember) return fail(`no ${name}.info manifest`);
  const info = parseInfo(infoMember.data);
  if (typeof info === 'string') return fail(info);
  if (!verifyPssSignature(info.signedDigest, info.dsig, keys.info)) fail(`${name}.info digital signature does not verify`);
  const verified: TarMember[] = [];
  for (const member of members) {
    if (member === infoMember || member.name === 'COPYING') continue;
    const entry = info.entries.get(member.name);
    if (!entry) fail(`member ${member.name} is not listed in the signed ${name}.info`);
    if (entry!.size !== member.data.length) fail(`member ${member.name} is ${member.data.length} bytes, ${name}.info says ${entry!.size}`);
    const sha = createHash('sha256').update(member.data).digest('hex');
    if (sha !== entry!.sha256) fail(`member ${member.name} SHA-256 does not match ${name}.info`);
    verified.push(member);
  }
  return { name, kind, header, members: verified };
}
