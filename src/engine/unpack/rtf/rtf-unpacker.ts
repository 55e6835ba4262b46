import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { findRtfBlobs } from './rtf-objects.js';
import { parseOle1 } from './ole1-object.js';
import { parseOle10Native } from '../ole2/ole10-native.js';

/**
 * RTF: embedded objects (`\objdata`, `\datastore`) decoded from hex despite inserted
 * control words and groups; OLE1 headers unwrapped to their native data (often an OLE2
 * file, e.g. Equation Editor exploits), and `Package` objects to the embedded file.
 */
export const rtfUnpacker: Unpacker = {
  name: 'rtf',
  types: ['CL_TYPE_RTF'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    if (ctx.signal.aborted) return yield em.aborted();
    const cap = em.cap();
    const blobs = findRtfBlobs(data, cap.bytes, Math.max(0, ctx.budget.remainingObjects()) + 1);
    let i = 0;
    for (const blob of blobs) {
      i++;
      if (ctx.signal.aborted) return yield em.aborted();
      if (!em.canContinue()) return;
      if (!em.hasObjectRoom()) return yield em.filesLimit();
      if (blob.capped) { yield em.limited(`${blob.kind} ${i}`, cap.reason); continue; }
      const ole1 = blob.kind === 'objdata' ? parseOle1(blob.data) : undefined;
      if (ole1 === undefined) { yield em.member(`${blob.kind} ${i}`, blob.data); continue; }
      if (ole1.className.toLowerCase() === 'package') {
        const pkg = parseOle10Native(ole1.nativeWithSize);
        if (pkg) { yield em.member(`objdata ${i}/${pkg.name}`, pkg.data, pkg.truncated ? { notes: ['OLE1 package truncated'] } : {}); continue; }
      }
      yield em.member(`objdata ${i} (${ole1.className.slice(0, 100)})`, ole1.native);
      await Promise.resolve();
    }
  },
};
