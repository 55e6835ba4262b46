import { connect, type Socket } from 'node:net';

/** Sends `payload` (optionally in several writes) and collects everything until the server closes. */
export function exchange(target: { path: string } | { host: string; port: number }, payload: Buffer | Buffer[], timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(target as { path: string });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('connect', async () => {
      for (const part of Array.isArray(payload) ? payload : [payload]) {
        socket.write(part);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Big-endian u32 length + data, as INSTREAM chunks are framed. */
export function chunk(data: Buffer | string): Buffer {
  const body = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}
