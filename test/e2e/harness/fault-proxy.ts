import { createServer, connect, type Socket } from 'node:net';

export type FaultMode = 'pass' | 'refuse-temp' | 'refuse-perm' | 'hang' | 'close';

/**
 * A TCP relay in front of an SMTP server that injects faults: pass traffic through, answer
 * every connection with a 4xx/5xx greeting, accept and never answer, or drop at once.
 * Change `mode` at any time: connections already open are cut (a next hop that starts failing
 * does not keep serving old sessions; Moat's cached sessions must notice), new ones get the mode.
 */
export async function startFaultProxy(targetPort: number): Promise<{ port: number; mode: FaultMode; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let mode: FaultMode = 'pass';
  const state = {
    port: 0,
    connections: 0,
    close: async () => undefined as void,
    get mode(): FaultMode {
      return mode;
    },
    set mode(next: FaultMode) {
      if (next !== mode) for (const s of sockets) s.destroy();
      mode = next;
    },
  };
  const server = createServer((client) => {
    state.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    switch (mode) {
      case 'refuse-temp':
        client.end('421 4.3.2 fault-proxy: service not available\r\n');
        return;
      case 'refuse-perm':
        client.end('554 5.3.0 fault-proxy: transaction failed\r\n');
        return;
      case 'hang':
        return;
      case 'close':
        client.destroy();
        return;
      default: {
        const upstream = connect(targetPort, '127.0.0.1');
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.address() as { port: number }).port;
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
