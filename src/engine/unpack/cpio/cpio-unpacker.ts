import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { alignUp, parseCpioHeader } from './cpio-header.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** cpio: odc, newc, crc and old binary in both byte orders. Own code (fixed headers, bounds-checked). */
export const cpioUnpacker: Unpacker = {
  name: 'cpio',
  types: ['CL_TYPE_CPIO_OLD', 'CL_TYPE_CPIO_ODC', 'CL_TYPE_CPIO_NEWC', 'CL_TYPE_CPIO_CRC'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    let pos = 0;
    let found = 0;
    while (pos < data.length) {
      if (ctx.signal.aborted) return yield em.aborted();
      if (!em.canContinue()) return;
      const h = parseCpioHeader(data, pos);
      if (h === undefined) {
        yield em.finding('corrupted', [], [found === 0 ? 'not a cpio header at offset 0' : `bad cpio header at offset ${pos}: archive cut short`]);
        return;
      }
      found++;
      const nameStart = pos + h.headerSize;
      const nameEnd = nameStart + h.nameSize;
      const name = Buffer.from(data.subarray(nameStart, Math.min(nameEnd, data.length))).toString('utf8').replace(/\0.*$/su, '');
      if (name === 'TRAILER!!!') return;
      const dataStart = alignUp(nameEnd, h.align);
      const body = data.subarray(Math.min(dataStart, data.length), Math.min(dataStart + h.fileSize, data.length));
      if ((h.mode & S_IFMT) === S_IFREG && h.fileSize > 0) {
        if (!em.hasObjectRoom()) return yield em.filesLimit();
        const cap = em.cap();
        if (body.length > cap.bytes) yield em.limited(name, cap.reason);
        else yield em.member(name, body, body.length < h.fileSize ? { notes: ['cpio member truncated: partial content'] } : {});
      }
      const next = alignUp(dataStart + h.fileSize, h.align);
      if (next <= pos) return;
      pos = next;
      await Promise.resolve();
    }
  },
};
