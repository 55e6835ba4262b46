import { MoatError } from '../../core/errors.js';

/**
 * Frames of the local daemon socket (docs/mda.md "local protocol"):
 *   u32 BE length of (type + payload) · u8 type · payload
 * Types: `H` request header (JSON) · `D` message data · `E` end of one message ·
 *        `R` response (JSON) · `A` abort (client gave up).
 * Requests: H, D*, E. Responses: R, then for each rewritten message D*, E in the order R lists them.
 */
export type FrameType = 'H' | 'D' | 'E' | 'R' | 'A';

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

const TYPES = new Set<string>(['H', 'D', 'E', 'R', 'A']);

// One frame carries at most 1 MiB: bounds what a peer can make us buffer before we act on it.
export const MAX_FRAME_PAYLOAD = 1024 * 1024;
// Message data is cut into frames of this size: large enough for throughput, small for memory.
export const DATA_FRAME_SIZE = 256 * 1024;

export function encodeFrame(type: FrameType, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > MAX_FRAME_PAYLOAD) throw new MoatError('PROTOCOL', 'frame too large');
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length + 1, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** Splits message bytes into D frames followed by E. */
export function* encodeMessage(data: Buffer): Generator<Buffer> {
  for (let off = 0; off < data.length; off += DATA_FRAME_SIZE) yield encodeFrame('D', data.subarray(off, off + DATA_FRAME_SIZE));
  yield encodeFrame('E');
}

/** Push decoder: feed bytes in any segmentation, get whole frames. Throws PROTOCOL on a malformed stream. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffer.length < 4) break;
      const length = this.buffer.readUInt32BE(0);
      if (length < 1 || length > MAX_FRAME_PAYLOAD + 1) throw new MoatError('PROTOCOL', `bad frame length ${length}`);
      if (this.buffer.length < 4 + length) break;
      const type = String.fromCharCode(this.buffer[4]!);
      if (!TYPES.has(type)) throw new MoatError('PROTOCOL', `bad frame type ${JSON.stringify(type)}`);
      frames.push({ type: type as FrameType, payload: Buffer.from(this.buffer.subarray(5, 4 + length)) });
      this.buffer = this.buffer.subarray(4 + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still held. */
  get pending(): number {
    return this.buffer.length;
  }
}
