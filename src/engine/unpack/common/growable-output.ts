/** Byte sink that grows by doubling up to a hard cap, then throws `CapReached`. */
export class CapReached extends Error {
  constructor() {
    super('output cap reached');
  }
}

/** Outputs above this are trimmed to size when the buffer is over a quarter empty (small ones are not worth a copy). */
const TRIM_ABOVE_BYTES = 1024 * 1024;
/** First allocation; doubling from here reaches 100 MiB in ~11 steps. */
const INITIAL_BYTES = 64 * 1024;

export class GrowableOutput {
  private buf: Uint8Array;
  length = 0;

  constructor(private readonly cap: number) {
    this.buf = new Uint8Array(Math.min(INITIAL_BYTES, Math.max(1, cap)));
  }

  private grow(min: number): void {
    if (min > this.cap) throw new CapReached();
    let size = this.buf.length;
    while (size < min) size *= 2;
    const next = new Uint8Array(Math.min(size, this.cap));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  writeByte(byte: number): void {
    if (this.length >= this.buf.length) this.grow(this.length + 1);
    this.buf[this.length++] = byte;
  }

  write(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buf.length) this.grow(this.length + chunk.length);
    this.buf.set(chunk, this.length);
    this.length += chunk.length;
  }

  /** Copies `len` bytes from `distance` back (LZ77 match), byte by byte so overlaps repeat. */
  copyMatch(distance: number, len: number): void {
    if (this.length + len > this.buf.length) this.grow(this.length + len);
    const b = this.buf;
    let src = this.length - distance;
    let dst = this.length;
    for (let i = 0; i < len; i++) b[dst++] = b[src++]!;
    this.length = dst;
  }

  /** The output; a buffer left mostly empty by doubling is trimmed so it is not retained at twice the size. */
  bytes(): Uint8Array {
    if (this.length > TRIM_ABOVE_BYTES && this.buf.length > this.length * 1.25) return this.buf.slice(0, this.length);
    return this.buf.subarray(0, this.length);
  }
}
