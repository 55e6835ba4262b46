import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { CapReached, GrowableOutput } from '../common/growable-output.js';
import { u32le } from '../common/byte-reader.js';

const MAGIC = [0x53, 0x5a, 0x44, 0x44, 0x88, 0xf0, 0x27, 0x33];
/** LZSS window of compress.exe: 4 KiB of spaces, writing starts 16 bytes before its end. */
const WINDOW = 4096;

/**
 * SZDD (MS-DOS/Windows `compress.exe`, files named `setup.ex_`): one file, LZSS. Own code:
 * thirty lines, every index masked to the window, output capped.
 */
export function expandSzdd(b: Uint8Array, cap: number): { data: Uint8Array; declared: number; capped: boolean; truncated: boolean } | undefined {
  if (b.length < 14 || !MAGIC.every((v, i) => b[i] === v) || b[8] !== 0x41) return undefined;
  const declared = u32le(b, 10)!;
  const out = new GrowableOutput(Math.max(1, cap));
  const win = new Uint8Array(WINDOW).fill(0x20);
  let pos = WINDOW - 16;
  let p = 14;
  const limit = Math.min(declared, cap + 1);
  try {
    while (p < b.length && out.length < limit) {
      const control = b[p++]!;
      for (let bit = 0; bit < 8 && p < b.length && out.length < limit; bit++) {
        if (control & (1 << bit)) {
          const v = b[p++]!;
          out.writeByte(v);
          win[pos] = v;
          pos = (pos + 1) & (WINDOW - 1);
        } else {
          if (p + 1 >= b.length) { p = b.length; break; }
          const lo = b[p++]!;
          const hi = b[p++]!;
          let from = lo | ((hi & 0xf0) << 4);
          const len = (hi & 0x0f) + 3;
          for (let k = 0; k < len && out.length < limit; k++) {
            const v = win[from]!;
            out.writeByte(v);
            win[pos] = v;
            pos = (pos + 1) & (WINDOW - 1);
            from = (from + 1) & (WINDOW - 1);
          }
        }
      }
    }
  } catch (err) {
    if (err instanceof CapReached) return { data: new Uint8Array(0), declared, capped: true, truncated: false };
    throw err;
  }
  if (out.length > cap) return { data: new Uint8Array(0), declared, capped: true, truncated: false };
  return { data: out.bytes(), declared, capped: false, truncated: out.length < declared };
}

export const szddUnpacker: Unpacker = {
  name: 'szdd',
  types: ['CL_TYPE_MSSZDD'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx);
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    const cap = em.cap(data.length);
    const r = expandSzdd(data, cap.bytes);
    if (r === undefined) return yield em.finding('corrupted', [], ['not an SZDD file']);
    if (r.capped || r.declared > cap.bytes) return yield em.limited(undefined, cap.reason);
    yield em.member(undefined, r.data, r.truncated ? { notes: ['SZDD data truncated: partial content'] } : {});
  },
};
