import { close, fstat, read } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
const closeAsync = promisify(close);

// Copy granularity, as for INSTREAM.
const COPY_SLICE = 64 * 1024;

export type FdSpoolResult = { kind: 'file'; path: string } | { kind: 'too-big' } | { kind: 'not-regular' } | { kind: 'read-error' };

/**
 * Copies a descriptor received with FILDES into a private temp file, so it is scanned exactly
 * like INSTREAM data (same quota, same scanner path). Reads through the descriptor itself from
 * offset 0 (positional reads: the client's file offset is untouched), never by reopening a
 * path, so a write-only descriptor cannot be used to make Moat read a file. Closes the
 * descriptor in every case.
 */
export async function spoolDescriptor(fd: number, tempDir: string, quota: number): Promise<FdSpoolResult> {
  let path: string | undefined;
  let ok = false;
  try {
    const st = await fstatAsync(fd);
    if (!st.isFile()) return { kind: 'not-regular' };
    if (st.size > quota) return { kind: 'too-big' };
    path = join(tempDir, `fildes-${randomUUID()}`);
    const out = await open(path, 'wx', 0o600);
    try {
      const buf = Buffer.alloc(COPY_SLICE);
      let position = 0;
      for (;;) {
        const { bytesRead } = await readAsync(fd, buf, 0, buf.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        // The file may have grown since fstat.
        if (position > quota) return { kind: 'too-big' };
        await out.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await out.close().catch(() => undefined);
    }
    ok = true;
    return { kind: 'file', path };
  } catch {
    return { kind: 'read-error' };
  } finally {
    await closeAsync(fd).catch(() => undefined);
    if (!ok && path) await unlink(path).catch(() => undefined);
  }
}
