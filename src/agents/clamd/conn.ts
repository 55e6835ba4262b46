/**
 * What a clamd session needs from its connection: net.Socket satisfies it as is, and the
 * UNIX listener's descriptor-passing socket (fd-socket.ts) adapts to it.
 */
export interface ClamdConn {
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  write(data: string): unknown;
  end(): unknown;
  destroy(): unknown;
  readonly destroyed: boolean;
  readonly writable: boolean;
  /** Present only where descriptors can be received (the UNIX socket): the oldest one not yet taken. */
  takeFd?(): number | undefined;
}
