import { mkdirSync, openSync, closeSync, statSync, utimesSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports handed out by freePort: below Linux's ephemeral range (32768–60999), so neither
 * `listen(0)` nor an outgoing connection's local port can take one between the moment it is
 * handed out and the moment the program under test binds it.
 */
const PORT_MIN = 20_000;
const PORT_MAX = 32_000;
/** Reservations shared by every test process of the machine; one older than this is stale. */
const RESERVATIONS = join(tmpdir(), 'moat-test-ports');
const STALE_MS = 2 * 3600_000;

/** Claims `port` for this test run across processes: exclusive creation of a file named after it. */
function reserve(port: number): boolean {
  const file = join(RESERVATIONS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
    return true;
  } catch {
    try {
      if (Date.now() - statSync(file).mtimeMs < STALE_MS) return false;
      utimesSync(file, new Date(), new Date()); // a stale claim from an earlier run: take it over
      return true;
    } catch {
      return false;
    }
  }
}

const bindable = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A loopback TCP port for a program that needs a port number in its config. It was free a moment
 * ago and no other freePort call on this machine (in any concurrent test file) returns it for the
 * next two hours: concurrent test files used to be able to get the same ephemeral port, so one
 * file's Postfix could end up relaying into another file's.
 */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN));
    if (reserve(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX} after 500 tries (reservations in ${RESERVATIONS})`);
}

/** Whether something accepts a connection on 127.0.0.1:port right now. */
export function isAccepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Resolves once something accepts connections on 127.0.0.1:port. */
export async function waitForPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isAccepting(port)) return;
    if (Date.now() > deadline) throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000, everyMs = 200): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
