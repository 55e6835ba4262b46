import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { BLOCK, isZeroBlock, parseHeader, parsePax } from './tar-header.js';

/** GNU long names and pax headers larger than this are not names but an attack: cut. */
const MAX_META_BYTES = 1024 * 1024;
/** Type flags that carry a file's content. GNU sparse ('S') is scanned as stored, without its map. */
const CONTENT_TYPES = new Set(['0', '7', 'S']);

/**
 * tar: ustar, GNU (long names, base-256 sizes), pax (path/size overrides) and v7. Own code:
 * the format is 512-byte blocks, and a few bounds checks make it safe.
 */
export const tarUnpacker: Unpacker = {
  name: 'tar',
  types: ['CL_TYPE_POSIX_TAR', 'CL_TYPE_OLD_TAR'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    let pos = 0;
    let longName: string | undefined;
    let pax: { path?: string; size?: number } = {};
    let found = 0;
    while (pos + BLOCK <= data.length) {
      if (ctx.signal.aborted) return yield em.aborted();
      if (!em.canContinue()) return;
      const block = data.subarray(pos, pos + BLOCK);
      if (isZeroBlock(block)) break;
      const h = parseHeader(block);
      if (h === undefined) {
        if (found === 0) yield em.finding('corrupted', [], ['not a tar header at offset 0']);
        else yield em.finding('corrupted', [], [`bad tar header at offset ${pos}: archive cut short`]);
        return;
      }
      found++;
      const size = h.type === 'x' || h.type === 'g' || h.type === 'L' || h.type === 'K' ? h.size : (pax.size ?? h.size);
      const start = pos + BLOCK;
      const end = start + size;
      const body = data.subarray(start, Math.min(end, data.length));
      const next = start + Math.ceil(size / BLOCK) * BLOCK;
      if (h.type === 'L' || h.type === 'x' || h.type === 'K' || h.type === 'g') {
        const meta = body.subarray(0, MAX_META_BYTES);
        if (h.type === 'L') longName = Buffer.from(meta).toString('utf8').replace(/\0.*$/su, '');
        if (h.type === 'x') pax = parsePax(meta);
        pos = next;
        continue;
      }
      const name = pax.path ?? longName ?? h.name;
      longName = undefined;
      pax = {};
      if (CONTENT_TYPES.has(h.type)) {
        if (!em.hasObjectRoom()) return yield em.filesLimit();
        const cap = em.cap();
        if (body.length > cap.bytes) yield em.limited(name, cap.reason);
        else {
          const notes = body.length < size ? ['tar member truncated: partial content'] : [];
          if (h.type === 'S') notes.push('GNU sparse member scanned without its map');
          yield em.member(name, body, notes.length > 0 ? { notes } : {});
        }
      }
      pos = next;
      await Promise.resolve();
    }
  },
};
