import { EventEmitter } from 'node:events';
import { close as closeFd } from 'node:fs';
import { UServer, type USocket } from 'usocket';
import type { ClamdConn } from './conn.js';

// Descriptors a client may have sent ahead of its FILDES commands; more are closed on arrival.
const MAX_PENDING_FDS = 64;
// usocket's native close hands libuv a poll handle inside the wrap object without waiting for
// the close callback: if the wrap is garbage-collected first, libuv aborts the process
// (uv__finish_close assertion). Keep each closed wrap reachable until libuv is long done.
const KEEP_CLOSED_WRAP_MS = 2000;

function keepNativeWrap(owner: object): () => void {
  const wrap = (owner as { _wrap?: unknown })._wrap;
  return () => {
    setTimeout(() => void wrap, KEEP_CLOSED_WRAP_MS).unref();
  };
}

/**
 * A usocket connection seen as a ClamdConn: bytes go to the session's reader, descriptors
 * received with SCM_RIGHTS queue until FILDES takes them; whatever is left is closed.
 */
export class FdPassingConn extends EventEmitter implements ClamdConn {
  private readonly fds: number[] = [];
  private closed = false;
  private ending = false;
  private readonly keepWrap: () => void;

  constructor(private readonly socket: USocket) {
    super();
    this.keepWrap = keepNativeWrap(socket);
    socket.on('fds', (fds: number[]) => {
      // Take them out of usocket's own queue (data stays buffered) and keep them here.
      socket.read(0, fds.length);
      for (const fd of fds) {
        if (this.closed || this.fds.length >= MAX_PENDING_FDS) closeFd(fd, () => undefined);
        else this.fds.push(fd);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      if (!this.ending) this.emit('data', chunk);
    });
    socket.on('end', () => this.emit('end'));
    socket.on('error', (err: Error) => this.emit('error', err));
    socket.on('close', () => this.finish());
  }

  get destroyed(): boolean {
    return this.closed;
  }

  get writable(): boolean {
    return !this.closed && this.socket.writable;
  }

  takeFd(): number | undefined {
    return this.fds.shift();
  }

  pause(): void {
    if (!this.ending) this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  write(data: string): void {
    if (this.writable) this.socket.write(data);
  }

  /** Half-closes and then drains (discarding) until the peer closes, as net.Socket does without allowHalfOpen. */
  end(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.socket.end();
    this.socket.resume();
  }

  destroy(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepWrap();
    for (const fd of this.fds.splice(0)) closeFd(fd, () => undefined);
    this.emit('close');
  }
}

/** Listens on a UNIX socket path with descriptor passing; resolves once listening. */
export function listenFdPassing(path: string, backlog: number, onConnection: (conn: FdPassingConn) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const server = new UServer();
    const fail = (err: Error) => reject(err);
    server.once('error', fail);
    server.on('connection', (socket: USocket) => onConnection(new FdPassingConn(socket)));
    try {
      server.listen(path, backlog, () => {
        server.off('error', fail);
        server.on('error', () => undefined);
        const keepWrap = keepNativeWrap(server);
        resolve({
          close: () => {
            server.close();
            keepWrap();
          },
        });
      });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
