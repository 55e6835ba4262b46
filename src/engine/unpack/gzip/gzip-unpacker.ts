import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { gunzipCapped } from '../common/capped-inflate.js';

/** Longest original-name field read from the header; RFC 1952 sets no limit, names past this are cut. */
const MAX_NAME_BYTES = 1024;

/** The FNAME field of the first member (RFC 1952 §2.3.1), when present and well-formed. */
export function gzipOriginalName(b: Uint8Array): string | undefined {
  if (b.length < 10 || b[0] !== 0x1f || b[1] !== 0x8b) return undefined;
  const flags = b[3]!;
  let p = 10;
  if (flags & 0x04) {
    if (p + 2 > b.length) return undefined;
    p += 2 + (b[p]! | (b[p + 1]! << 8));
  }
  if (!(flags & 0x08)) return undefined;
  const end = b.indexOf(0, p);
  if (end < 0) return undefined;
  return Buffer.from(b.subarray(p, Math.min(end, p + MAX_NAME_BYTES))).toString('latin1');
}

/** gzip through node:zlib (all members of a multi-member file), output capped by the budget. */
export const gzipUnpacker: Unpacker = {
  name: 'gzip',
  types: ['CL_TYPE_GZ'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    const name = gzipOriginalName(data);
    const cap = em.cap(data.length);
    const res = gunzipCapped(data, cap.bytes);
    if (!res.ok) {
      yield res.reason === 'too_big' ? em.limited(name, cap.reason) : em.state(name, res.reason, [], [res.note]);
      return;
    }
    yield em.member(name, res.data);
  },
};
