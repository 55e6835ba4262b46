import xzDecompress from 'xz-decompress';
import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { CapReached, GrowableOutput } from '../common/growable-output.js';

/**
 * xz through `xz-decompress` (xz-embedded compiled to WebAssembly: memory-safe sandbox,
 * streaming). We pull chunks and stop (cancel) as soon as the cap is reached, so an xz
 * bomb costs at most the cap. LZMA-alone (.lzma) files are not handled here.
 */
export const xzUnpacker: Unpacker = {
  name: 'xz',
  types: ['CL_TYPE_XZ'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    const cap = em.cap(data.length);
    const out = new GrowableOutput(cap.bytes);
    const input = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Uint8Array.from(data));
        c.close();
      },
    });
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      reader = new xzDecompress.XzReadableStream(input).getReader();
      for (;;) {
        if (ctx.signal.aborted) {
          await reader.cancel().catch(() => undefined);
          return yield em.aborted();
        }
        const { done, value } = await reader.read();
        if (done) break;
        out.write(value);
      }
    } catch (err) {
      await reader?.cancel().catch(() => undefined);
      if (err instanceof CapReached) return yield em.limited(undefined, cap.reason);
      if (out.length > 0) return yield em.member(undefined, out.bytes(), { notes: ['xz data truncated or damaged: partial content'] });
      return yield em.state(undefined, 'corrupted', [], [`xz: ${(err as Error).message ?? String(err)}`]);
    }
    yield em.member(undefined, out.bytes());
  },
};
