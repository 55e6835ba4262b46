import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SocketReader } from './socket-reader.js';

/**
 * Reads INSTREAM chunks (`u32 BE length` + data, ended by a zero length) into a private temp
 * file. The quota is charged with each *declared* length before its data is read, so a
 * client announcing 0xFFFFFFFF gets `INSTREAM size limit exceeded` without us reading a byte.
 */
export type InstreamResult = { kind: 'file'; path: string; size: number } | { kind: 'too-big' } | { kind: 'eof' } | { kind: 'write-error' };

// Copy granularity: bounds memory per connection regardless of the chunk sizes the client declares.
const COPY_SLICE = 64 * 1024;

export async function receiveInstream(reader: SocketReader, tempDir: string, quota: number, timeoutMs: number): Promise<InstreamResult> {
  const path = join(tempDir, `instream-${randomUUID()}`);
  const handle = await open(path, 'wx', 0o600);
  let left = quota;
  let size = 0;
  let ok = false;
  try {
    for (;;) {
      const header = await reader.readExact(4, timeoutMs);
      if (!header) return { kind: 'eof' };
      const length = header.readUInt32BE(0);
      if (length === 0) break;
      if (length > left) return { kind: 'too-big' };
      left -= length;
      let remaining = length;
      while (remaining > 0) {
        const data = await reader.readSome(Math.min(remaining, COPY_SLICE), timeoutMs);
        if (data.length === 0) return { kind: 'eof' };
        try {
          await handle.write(data);
        } catch {
          return { kind: 'write-error' };
        }
        remaining -= data.length;
        size += data.length;
      }
    }
    ok = true;
    return { kind: 'file', path, size };
  } finally {
    await handle.close().catch(() => undefined);
    if (!ok) await unlink(path).catch(() => undefined);
  }
}
