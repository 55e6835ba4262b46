import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { bunzip2 } from './bzip2-decoder.js';

/** bzip2 (multi-stream) through our own decoder; a truncated or damaged stream keeps the blocks before the damage. */
export const bzip2Unpacker: Unpacker = {
  name: 'bzip2',
  types: ['CL_TYPE_BZ'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    const cap = em.cap(data.length);
    const res = bunzip2(data, cap.bytes);
    if (!res.ok) {
      yield res.reason === 'too_big' ? em.limited(undefined, cap.reason) : em.state(undefined, res.reason, [], [res.note]);
      return;
    }
    yield em.member(undefined, res.data, res.truncated ? { notes: ['bzip2 data truncated or damaged: partial content'] } : {});
  },
};
