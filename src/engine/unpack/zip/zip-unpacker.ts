import { crc32 } from 'node:zlib';
import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { H } from '../../heuristics/heuristic-names.js';
import { layoutZip, type ZipMember } from './zip-layout.js';
import { decodeZipMember } from './zip-decompress.js';
import { officeMacroHints } from './office-macro-hints.js';
import { FALLBACK_METHODS, decodeWithSevenZip } from './zip-fallback.js';
import { zipDecrypt } from './zip-crypto.js';
import { openWithPassword } from '../sevenzip/seven-zip-password.js';

/** Members decoded through 7-Zip per archive; more are reported unsupported (each costs a wasm instance). */
const MAX_FALLBACK_MEMBERS = 64;

/**
 * ZIP (and the zip-based OOXML, ODF, JAR formats). Everything happens in memory on the
 * given bytes: member names are only reported, never used as paths.
 */
export const zipUnpacker: Unpacker = {
  name: 'zip',
  types: ['CL_TYPE_ZIP', 'CL_TYPE_OOXML_WORD', 'CL_TYPE_OOXML_XL', 'CL_TYPE_OOXML_PPT', 'CL_TYPE_ODF'],
  unpack: unpackZip,
};

async function* unpackZip(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
  const em = new MemberEmitter(ctx);
  const maxMembers = Math.max(0, Math.min(ctx.budget.limits.maxObjects, ctx.budget.remainingObjects()));
  const layout = layoutZip(data, maxMembers);
  if (layout.overlapping > 0) {
    yield em.finding('corrupted', [H.zipOverlap], [`${layout.overlapping} central-directory entries overlap other members (non-recursive zip bomb); skipped`]);
  }
  if (layout.members.length === 0 && !layout.truncatedList) {
    yield em.finding('corrupted', [], ['no zip members found']);
    return;
  }
  const odfEncrypted = odfManifestSaysEncrypted(data, layout.members);
  if (odfEncrypted) yield em.finding('encrypted', [H.encryptedOdf], ['ODF document is password-protected (manifest encryption-data)']);
  // 7-Zip fallbacks cost an instance each (~20 ms): bounded per archive.
  const fallbacks = { left: MAX_FALLBACK_MEMBERS };
  for (const m of layout.members) {
    if (ctx.signal.aborted) { yield em.aborted(); return; }
    if (!em.canContinue()) return;
    if (!em.hasObjectRoom()) { yield em.filesLimit(); return; }
    let obj = await extractMember(data, m, em, fallbacks);
    // Encrypted ODF parts are deflate over ciphertext: they fail to decode; say why.
    if (odfEncrypted && obj?.state === 'corrupted') obj = { ...obj, state: 'encrypted' };
    if (obj !== undefined) yield obj;
    // Let the event loop (and abort signals) breathe between members.
    await Promise.resolve();
  }
  if (layout.truncatedList && em.canContinue()) yield em.filesLimit();
}

async function extractMember(data: Uint8Array, m: ZipMember, em: MemberEmitter, fallbacks: { left: number }): Promise<ExtractedObject | undefined> {
  const isDir = m.name.endsWith('/') && m.dataEnd <= m.dataStart;
  if (isDir) return undefined;
  const hints = officeMacroHints(m.name);
  if (m.encrypted) {
    const opened = tryPasswords(data, m, em);
    if (opened === undefined) {
      const aes = await tryAesPasswords(data, m, em, fallbacks);
      if (aes !== undefined) return em.member(m.name, aes, { heuristics: [H.encryptedZip, ...hints], notes: [...m.notes, 'decrypted with a candidate password'] });
      return em.state(m.name, 'encrypted', [H.encryptedZip, ...hints], m.notes);
    }
    return decodeMember(opened.plain, m, em, fallbacks, hints, [...m.notes, 'decrypted with a candidate password'], [H.encryptedZip]);
  }
  if (m.missingLocal) return em.state(m.name, 'corrupted', hints, m.notes);
  return decodeMember(data.subarray(m.dataStart, Math.max(m.dataStart, m.dataEnd)), m, em, fallbacks, hints, m.notes, []);
}

async function decodeMember(
  compressed: Uint8Array, m: ZipMember, em: MemberEmitter, fallbacks: { left: number }, hints: string[], memberNotes: string[], found: string[],
): Promise<ExtractedObject> {
  const cap = em.cap(m.method === 0 ? undefined : compressed.length);
  // Declared sizes are untrusted, but a declared size above the cap needs no decoding to refuse.
  if (m.declaredSize > cap.bytes && m.method !== 0) return em.limited(m.name, cap.reason, { heuristics: [...found, ...hints], notes: memberNotes });
  let res = decodeZipMember(m.method, compressed, cap.bytes);
  if (!res.ok && res.reason === 'unsupported' && FALLBACK_METHODS.has(m.method) && fallbacks.left > 0) {
    fallbacks.left--;
    res = await decodeWithSevenZip(m.method, m.flags, compressed, m.declaredSize, m.crc32 >>> 0, cap.bytes);
  }
  if (!res.ok) {
    if (res.reason === 'too_big') return em.limited(m.name, cap.reason, { heuristics: [...found, ...hints], notes: memberNotes });
    return em.state(m.name, res.reason, [...found, ...hints], [...memberNotes, res.note]);
  }
  const notes = [...memberNotes];
  if (res.truncated) notes.push('compressed data truncated or damaged: partial content');
  if (m.crc32 >= 0 && crc32(res.data) !== m.crc32) notes.push('CRC mismatch');
  const extra: Partial<ExtractedObject> = {};
  if (found.length + hints.length > 0) extra.heuristics = [...found, ...hints];
  if (notes.length > 0) extra.notes = notes;
  return em.member(m.name, res.data, extra);
}

/** Largest manifest read to look for encryption: real ones are a few KiB. */
const MAX_MANIFEST = 1024 * 1024;

function odfManifestSaysEncrypted(data: Uint8Array, members: ZipMember[]): boolean {
  const m = members.find((x) => x.name === 'META-INF/manifest.xml' && !x.encrypted && !x.missingLocal);
  if (m === undefined) return false;
  const res = decodeZipMember(m.method, data.subarray(m.dataStart, Math.max(m.dataStart, m.dataEnd)), MAX_MANIFEST);
  return res.ok && Buffer.from(res.data.buffer, res.data.byteOffset, res.data.length).includes('encryption-data');
}

/** Traditional encryption only (AES and strong encryption are left `encrypted`). */
function tryPasswords(data: Uint8Array, m: ZipMember, em: MemberEmitter): { plain: Uint8Array } | undefined {
  const traditional = (m.flags & 0x1) !== 0 && (m.flags & 0x40) === 0 && m.method !== 99 && !m.missingLocal;
  if (!traditional || em.passwords.length === 0) return undefined;
  const cipher = data.subarray(m.dataStart, Math.max(m.dataStart, m.dataEnd));
  const crcHigh = m.crc32 >= 0 ? m.crc32 >>> 24 : (data[m.headerOffset + 17] ?? 0);
  const check = (m.flags & 0x8) !== 0 ? (data[m.headerOffset + 11] ?? 0) : crcHigh;
  for (const pw of em.passwords) {
    const plain = zipDecrypt(cipher, pw, check);
    if (plain === undefined) continue;
    // The check byte lets 1 in 256 wrong passwords through: the stored CRC decides.
    const res = decodeZipMember(m.method, plain, Math.min(em.cap().bytes, Math.max(m.declaredSize, 1)));
    if (res.ok && (m.crc32 < 0 || crc32(res.data) === m.crc32)) return { plain };
  }
  return undefined;
}

/** WinZip AES members: 7-Zip opens the archive with each candidate password; the member's CRC verifies it. */
async function tryAesPasswords(data: Uint8Array, m: ZipMember, em: MemberEmitter, fallbacks: { left: number }): Promise<Uint8Array | undefined> {
  if (m.missingLocal || em.passwords.length === 0) return undefined;
  const cap = em.cap();
  for (const pw of em.passwords) {
    if (fallbacks.left <= 0) return undefined;
    fallbacks.left--;
    const opened = await openWithPassword(data, 'zip', pw, cap.bytes, cap.bytes, new Set([m.name]));
    const bytes = opened.get(m.name);
    if (bytes !== undefined) return bytes;
  }
  return undefined;
}
