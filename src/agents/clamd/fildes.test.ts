import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { USocket } from 'usocket';
import { ClamdSection } from '../../core/config/sections/clamd.js';
import { silentLogger } from '../../core/logger.js';
import { EICAR } from '../../engine/sigdb/builtin-database.js';
import { createTestScanner } from '../../../test/e2e/harness-agents/test-engine.js';
import { exchange } from '../../../test/e2e/harness-agents/socket-client.js';
import { startClamdAgent, type ClamdAgent } from './clamd-server.js';

interface Send {
  data: Buffer;
  fds?: number[];
}

/** A usocket client: each step is one sendmsg (with SCM_RIGHTS when `fds` is set); collects replies until the server closes. */
function fdExchange(path: string, steps: Send[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = new USocket();
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    sock.on('error', () => undefined);
    sock.on('end', () => {
      clearTimeout(timer);
      sock.end();
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    // Only once connected: reading an unconnected usocket trips an assertion in its addon.
    sock.connect(path, () => {
      sock.on('data', (c: Buffer) => chunks.push(c));
      void (async () => {
        for (const step of steps) {
          await new Promise<void>((r) => sock.write(step.fds ? { data: step.data, fds: step.fds, callback: () => r() } : { data: step.data, callback: () => r() }));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    });
  });
}

describe('clamd FILDES on the UNIX socket (usocket descriptor passing)', () => {
  let dir: string;
  let agent: ClamdAgent;
  let virus: string;
  let clean: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-fildes-'));
    virus = join(dir, 'eicar.com');
    clean = join(dir, 'clean.txt');
    await writeFile(virus, EICAR);
    await writeFile(clean, 'hello\n');
    const config = ClamdSection.parse({ enabled: true, local_socket: 'clamd.sock', tcp_port: 0, stream_max_length: 1024 });
    agent = await startClamdAgent({ config, stateDir: dir, scanner: createTestScanner(), logger: silentLogger() });
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  const withFd = async (file: string, flags: string, run: (fd: number) => Promise<void>) => {
    const handle = await open(file, flags);
    try {
      await run(handle.fd);
    } finally {
      await handle.close();
    }
  };
  const fildes = (framing: 'z' | 'n', fd: number): Send[] => [{ data: Buffer.from(framing === 'z' ? 'zFILDES\0' : 'nFILDES\n') }, { data: Buffer.from([0]), fds: [fd] }];
  const fdLabel = /^fd\[\d+\]: /;

  it('scans the passed descriptor: EICAR FOUND, clean OK, in z and n framing', async () => {
    await withFd(virus, 'r', async (fd) => {
      const r = await fdExchange(agent.unixPath!, fildes('z', fd));
      assert.match(r, /^fd\[\d+\]: Eicar-Test-Signature FOUND\0$/);
    });
    await withFd(clean, 'r', async (fd) => {
      const r = await fdExchange(agent.unixPath!, fildes('n', fd));
      assert.match(r, /^fd\[\d+\]: OK\n$/);
    });
  });

  it('inside IDSESSION: numbered replies per FILDES', async () => {
    await withFd(virus, 'r', (v) =>
      withFd(clean, 'r', async (c) => {
        const r = await fdExchange(agent.unixPath!, [{ data: Buffer.from('zIDSESSION\0') }, ...fildes('z', v), ...fildes('z', c), { data: Buffer.from('zEND\0') }]);
        const lines = r.split('\0').filter(Boolean).sort();
        assert.equal(lines.length, 2, r);
        assert.match(lines[0]!, /^1: fd\[\d+\]: Eicar-Test-Signature FOUND$/);
        assert.match(lines[1]!, /^2: fd\[\d+\]: OK$/);
      }),
    );
  });

  it('bad descriptors get an ERROR and the server keeps running', async () => {
    // A directory is not a regular file.
    await withFd(dir, 'r', async (fd) => assert.match(await fdExchange(agent.unixPath!, fildes('z', fd)), /^fd\[\d+\]: Not a regular file ERROR\0$/));
    // Write-only: Moat reads through the descriptor itself, so it cannot read the file.
    await withFd(clean, 'a', async (fd) => assert.match(await fdExchange(agent.unixPath!, fildes('z', fd)), /^fd\[\d+\]: Can't read file ERROR\0$/));
    // Over stream_max_length.
    const big = join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(4096, 1));
    await withFd(big, 'r', async (fd) => assert.match(await fdExchange(agent.unixPath!, fildes('z', fd)), /^fd\[\d+\]: Exceeded max scan size ERROR\0$/));
    // FILDES whose byte carries no descriptor; a descriptor sent with an unrelated command is closed, not used.
    assert.equal(await fdExchange(agent.unixPath!, [{ data: Buffer.from('zFILDES\0') }, { data: Buffer.from([0]) }]), 'No file descriptor received. ERROR\0');
    await withFd(virus, 'r', async (fd) => assert.equal(await fdExchange(agent.unixPath!, [{ data: Buffer.from('zPING\0'), fds: [fd] }]), 'PONG\0'));
    await withFd(clean, 'r', async (fd) => assert.match(await fdExchange(agent.unixPath!, fildes('z', fd)), fdLabel));
  });

  it('closed usocket handles survive garbage collection (the addon would abort the process)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let pongs = 0;
    for (let round = 0; round < 20; round++) {
      const replies = await Promise.all(Array.from({ length: 25 }, () => exchange({ path: agent.unixPath! }, Buffer.from('zPING\0'))));
      pongs += replies.filter((r) => r.toString('latin1') === 'PONG\0').length;
      gc();
      await new Promise((r) => setImmediate(r));
      gc();
    }
    assert.equal(pongs, 500);
  });
});
