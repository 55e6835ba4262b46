import type { Readable } from 'node:stream';
import { read as fsRead } from 'node:fs';
import { MoatError } from '../../core/errors.js';

/** Reads a stream to its end, refusing more than `maxBytes` (MESSAGE_TOO_BIG). */
export async function readAllLimited(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > maxBytes) throw new MoatError('MESSAGE_TOO_BIG', `input exceeds ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

// Poll interval when a non-blocking descriptor has no data yet (Node may have set O_NONBLOCK on it).
const EAGAIN_WAIT_MS = 5;

/**
 * Reads a raw file descriptor to EOF (qmail-queue's envelope arrives on fd 1, which Node
 * otherwise treats as an output). Tolerates EAGAIN from descriptors Node made non-blocking.
 */
export async function readFdLimited(fd: number, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const buf = Buffer.alloc(64 * 1024);
    let n: number;
    try {
      n = await new Promise<number>((resolve, reject) => fsRead(fd, buf, 0, buf.length, null, (err, bytes) => (err ? reject(err) : resolve(bytes))));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        await new Promise((r) => setTimeout(r, EAGAIN_WAIT_MS));
        continue;
      }
      throw err;
    }
    if (n === 0) break;
    size += n;
    if (size > maxBytes) throw new MoatError('MESSAGE_TOO_BIG', `input exceeds ${maxBytes} bytes`);
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks);
}
