// Types for the parts of `usocket` (UNIX sockets with SCM_RIGHTS, no bundled types) that Moat uses.
declare module 'usocket' {
  import { Duplex } from 'node:stream';
  import { EventEmitter } from 'node:events';

  export class USocket extends Duplex {
    constructor(options?: { path?: string; fd?: number } | string, callback?: () => void);
    connect(path: string | { path?: string; fd?: number }, callback?: () => void): void;
    /** Two-argument form: `count` descriptors (null = all) with `length` bytes; null until both are there. */
    read(size?: number): Buffer | null;
    read(size: number | null, count: number | null): { data: Buffer | null; fds: number[] } | null;
    write(chunk: Buffer | string | number[] | { data?: Buffer; fds?: number[]; callback?: () => void }, callback?: (err?: Error | null) => void): boolean;
    destroy(): this;
  }

  export class UServer extends EventEmitter {
    listen(path: string, backlog: number, callback?: () => void): void;
    close(): void;
  }
}
