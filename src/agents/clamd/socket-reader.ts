import type { ClamdConn } from './conn.js';
import { MoatError } from '../../core/errors.js';

/**
 * Pull-style reads over a socket: `readUntil` a terminator, `readExact` n bytes, each with a
 * timeout. Pauses the socket while nobody is reading, so a fast client cannot make us buffer
 * more than one chunk beyond what the session asked for.
 */
export class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly socket: ClamdConn) {
    socket.pause();
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      socket.pause();
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      this.failure = err;
      this.notify();
    });
  }

  /** Bytes already received and not yet consumed. */
  get available(): number {
    return this.buffered;
  }

  get isEnded(): boolean {
    return this.ended && this.buffered === 0;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private take(n: number): Buffer {
    const all = this.flatten();
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return Buffer.from(out);
  }

  /** Waits for more data; resolves false on EOF, throws TIMEOUT after `timeoutMs`. */
  private async more(timeoutMs: number): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (this.ended) return false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new MoatError('TIMEOUT', 'read timed out'));
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.resume();
    });
    if (this.failure) throw this.failure;
    return true;
  }

  /**
   * Reads through the first of `terminators`; returns the bytes before it and which one ended
   * it ('' on EOF). Throws PROTOCOL when `maxBytes` pass without a terminator.
   */
  async readUntil(terminators: readonly number[], maxBytes: number, timeoutMs: number): Promise<{ data: Buffer; terminator: number | null }> {
    let scanned = 0;
    for (;;) {
      const all = this.flatten();
      for (let i = scanned; i < all.length; i++) {
        if (terminators.includes(all[i]!)) {
          const data = this.take(i + 1);
          return { data: data.subarray(0, i), terminator: data[i]! };
        }
        if (i >= maxBytes) throw new MoatError('PROTOCOL', 'command too long');
      }
      scanned = all.length;
      if (!(await this.more(timeoutMs))) return { data: this.take(this.buffered), terminator: null };
    }
  }

  /** Everything received so far (old-style clamd commands: "one read = one command"). */
  takeAll(): Buffer {
    return this.take(this.buffered);
  }

  /** Reads exactly n bytes; null if EOF comes first. */
  async readExact(n: number, timeoutMs: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      if (!(await this.more(timeoutMs))) return null;
    }
    return this.take(n);
  }

  /** Reads up to `max` bytes (at least 1 unless EOF → empty buffer). */
  async readSome(max: number, timeoutMs: number): Promise<Buffer> {
    while (this.buffered === 0) {
      if (!(await this.more(timeoutMs))) return Buffer.alloc(0);
    }
    return this.take(Math.min(max, this.buffered));
  }
}
