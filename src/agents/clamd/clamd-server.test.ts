import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { ClamdSection } from '../../core/config/sections/clamd.js';
import { silentLogger } from '../../core/logger.js';
import { EICAR } from '../../engine/sigdb/builtin-database.js';
import { createTestScanner } from '../../../test/e2e/harness-agents/test-engine.js';
import { exchange, chunk } from '../../../test/e2e/harness-agents/socket-client.js';
import { startClamdAgent, type ClamdAgent } from './clamd-server.js';

describe('clamd socket: conformance vectors (check_clamd.c basic_tests)', () => {
  let dir: string;
  let agent: ClamdAgent;
  let unix: { path: string };
  let tcp: { host: string; port: number };
  let cleanFile: string;
  let virusFile: string;
  let reloads = 0;
  let shutdowns = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-clamd-'));
    await mkdir(join(dir, 'roots', 'tree', 'sub'), { recursive: true });
    cleanFile = join(dir, 'roots', 'clean.txt');
    virusFile = join(dir, 'roots', 'tree', 'sub', 'eicar.com');
    await writeFile(cleanFile, 'hello world\n');
    await writeFile(virusFile, EICAR);
    await writeFile(join(dir, 'roots', 'tree', 'a-clean.txt'), 'clean\n');
    await writeFile(join(dir, 'roots', 'tree', 'z-eicar.com'), EICAR + ' MOAT-TEST-SECOND');
    await writeFile(join(dir, 'outside.com'), EICAR);
    await symlink(join(dir, 'outside.com'), join(dir, 'roots', 'tree', 'link.com'));
    await writeFile(join(dir, 'roots', 'toobig.bin'), 'MOAT-TEST-STATE:too_big');
    const config = ClamdSection.parse({
      enabled: true,
      local_socket: 'clamd.sock',
      tcp_port: 3310,
      scan_roots: [join(dir, 'roots')],
      enable_shutdown_command: true,
      stream_max_length: 1024 * 1024,
      command_read_timeout_ms: 1500,
      max_connections: 300,
    });
    agent = await startClamdAgent(
      {
        config,
        stateDir: dir,
        scanner: createTestScanner(),
        logger: silentLogger(),
        reload: async () => {
          reloads++;
        },
        shutdown: () => {
          shutdowns++;
        },
        dbTime: () => new Date(Date.UTC(2026, 10, 2, 9, 5, 7)),
      },
      { tcpPortOverride: 0 },
    );
    unix = { path: agent.unixPath! };
    tcp = agent.tcp!;
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  const ask = async (cmd: string | Buffer | Buffer[], target: 'unix' | 'tcp' = 'unix') => (await exchange(target === 'unix' ? unix : tcp, typeof cmd === 'string' ? Buffer.from(cmd, 'latin1') : cmd)).toString('latin1');
  const variants = (cmd: string) => [
    { send: `z${cmd}\0`, term: '\0' },
    { send: `n${cmd}\n`, term: '\n' },
  ];

  it('PING → PONG in old, n and z framing, on UNIX and TCP', async () => {
    assert.equal(await ask('PING'), 'PONG\n');
    assert.equal(await ask('PING\n'), 'PONG\n');
    assert.equal(await ask('PING\r\n', 'tcp'), 'PONG\n');
    for (const v of variants('PING')) assert.equal(await ask(v.send, 'tcp'), `PONG${v.term}`);
  });

  it('VERSION shows version/db number/ctime; VERSIONCOMMANDS only with prefix', async () => {
    assert.equal(await ask('zVERSION\0'), 'ClamAV Moat-0.1.0/27500/Mon Nov  2 09:05:07 2026\0');
    assert.equal(await ask('VERSION'), 'ClamAV Moat-0.1.0/27500/Mon Nov  2 09:05:07 2026\n');
    assert.equal(
      await ask('nVERSIONCOMMANDS\n'),
      'ClamAV Moat-0.1.0/27500/Mon Nov  2 09:05:07 2026| COMMANDS: SCAN QUIT RELOAD PING CONTSCAN VERSIONCOMMANDS VERSION END SHUTDOWN MULTISCAN FILDES STATS IDSESSION INSTREAM DETSTATSCLEAR DETSTATS ALLMATCHSCAN\n',
    );
    assert.equal(await ask('VERSIONCOMMANDS'), 'UNKNOWN COMMAND\n');
  });

  it('unknown commands, trailing bytes, END outside a session, SCAN without argument', async () => {
    for (const bad of ['RANDOM', 'END', 'SCAN', 'PINGX', 'PING ']) {
      assert.equal(await ask(`z${bad}\0`), 'UNKNOWN COMMAND\0', bad);
      assert.equal(await ask(`n${bad}\n`), 'UNKNOWN COMMAND\n', bad);
    }
    assert.equal(await ask('RANDOM\n'), 'UNKNOWN COMMAND\n');
  });

  it('RELOAD → RELOADING and calls the reload hook; SHUTDOWN calls the shutdown hook without reply', async () => {
    const before = reloads;
    assert.equal(await ask('zRELOAD\0'), 'RELOADING\0');
    assert.equal(reloads, before + 1);
    assert.equal(await ask('nSHUTDOWN\n'), '');
    assert.equal(shutdowns, 1);
    assert.equal(await ask('DETSTATS\n'), '');
  });

  it('SCAN / CONTSCAN / MULTISCAN of a file and a tree: FOUND or OK with the path', async () => {
    for (const v of variants(`SCAN ${cleanFile}`)) assert.equal(await ask(v.send), `${cleanFile}: OK${v.term}`);
    for (const cmd of ['SCAN', 'CONTSCAN', 'MULTISCAN']) {
      for (const v of variants(`${cmd} ${virusFile}`)) assert.equal(await ask(v.send), `${virusFile}: Eicar-Test-Signature FOUND${v.term}`);
    }
    assert.equal(await ask(`SCAN ${virusFile}\n`), `${virusFile}: Eicar-Test-Signature FOUND\n`);
    const tree = join(dir, 'roots', 'tree');
    // SCAN stops at the first hit (sorted walk: sub/eicar.com before z-eicar.com); CONTSCAN reports both.
    assert.equal(await ask(`zSCAN ${tree}\0`), `${tree}/sub/eicar.com: Eicar-Test-Signature FOUND\0`);
    assert.equal(await ask(`zCONTSCAN ${tree}\0`), `${tree}/sub/eicar.com: Eicar-Test-Signature FOUND\0${tree}/z-eicar.com: Eicar-Test-Signature FOUND\0`);
    const multi = (await ask(`zMULTISCAN ${tree}\0`)).split('\0').filter(Boolean).sort();
    assert.deepEqual(multi, [`${tree}/sub/eicar.com: Eicar-Test-Signature FOUND`, `${tree}/z-eicar.com: Eicar-Test-Signature FOUND`]);
    assert.equal(
      await ask(`zALLMATCHSCAN ${tree}/z-eicar.com\0`),
      `${tree}/z-eicar.com: Eicar-Test-Signature FOUND\0${tree}/z-eicar.com: Moat.Test.Second FOUND\0`,
    );
    assert.equal(await ask(`ALLMATCHSCAN ${tree}\n`), 'UNKNOWN COMMAND\n');
  });

  it('path errors: missing path, outside the roots, a limit state never answers OK', async () => {
    const missing = join(dir, 'roots', 'nope');
    assert.equal(await ask(`zSCAN ${missing}\0`), `${missing}: File path check failure: No such file or directory. ERROR\0`);
    assert.equal(await ask(`nSCAN ${join(dir, 'outside.com')}\n`), `${join(dir, 'outside.com')}: Access denied. ERROR\n`);
    assert.equal(await ask(`nSCAN ${join(dir, 'roots', 'toobig.bin')}\n`), `${join(dir, 'roots', 'toobig.bin')}: Exceeded max scan size ERROR\n`);
  });

  it('INSTREAM: clean, infected, chunked across writes, quota exceeded before reading data', async () => {
    assert.equal(await ask([Buffer.from('zINSTREAM\0'), chunk('hello'), chunk(''), Buffer.alloc(0)]), 'stream: OK\0');
    const e = Buffer.from(EICAR, 'latin1');
    const parts = [Buffer.from('nINSTREAM\n'), chunk(e.subarray(0, 10)), chunk(e.subarray(10)), chunk('')];
    assert.equal(await ask(parts, 'tcp'), 'stream: Eicar-Test-Signature FOUND\n');
    // Split the frame header itself across writes.
    const whole = Buffer.concat([Buffer.from('zINSTREAM\0'), chunk(e), chunk('')]);
    assert.equal(await ask([whole.subarray(0, 12), whole.subarray(12, 15), whole.subarray(15)]), 'stream: Eicar-Test-Signature FOUND\0');
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    assert.equal(await ask([Buffer.from('zINSTREAM\0'), huge]), 'INSTREAM size limit exceeded. ERROR\0');
    assert.equal(await ask('INSTREAM\n'), 'UNKNOWN COMMAND\n');
  });

  it('FILDES: over TCP the compiled-out error; on UNIX without a descriptor an ERROR, and the server keeps serving', async () => {
    assert.equal(await ask('zFILDES\0', 'tcp'), 'FILDES support not compiled in. ERROR\0');
    assert.equal(await ask('zFILDES\0\0'), 'No file descriptor received. ERROR\0');
    assert.equal(await ask('nFILDES\nx'), 'No file descriptor received. ERROR\n');
    assert.equal(await ask('zPING\0'), 'PONG\0');
  });

  it('IDSESSION: numbered replies, END closes, old style and invalid commands end the session', async () => {
    const e = Buffer.from(EICAR, 'latin1');
    const reply = await ask([
      Buffer.from('zIDSESSION\0zPING\0'),
      Buffer.concat([Buffer.from('zINSTREAM\0'), chunk(e), chunk('')]),
      Buffer.from(`zSCAN ${cleanFile}\0zVERSION\0zEND\0`),
    ]);
    const lines = reply.split('\0').filter(Boolean).sort();
    assert.deepEqual(lines, ['1: PONG', '2: stream: Eicar-Test-Signature FOUND', `3: ${cleanFile}: OK`, '4: ClamAV Moat-0.1.0/27500/Mon Nov  2 09:05:07 2026'].sort());
    assert.equal(await ask('nIDSESSION\nPING\n'), 'Only nCMDS\\n and zCMDS\\0 are accepted inside IDSESSION. ERROR\n');
    assert.equal(await ask(`nIDSESSION\nnCONTSCAN ${cleanFile}\n`), '1: Command invalid inside IDSESSION. ERROR\n');
    assert.equal(await ask('IDSESSION\n'), 'UNKNOWN COMMAND\n');
    const stats = await ask('nIDSESSION\nnSTATS\nnEND\n');
    assert.match(stats, /^1: POOLS: 1\n\nSTATE: VALID PRIMARY\nTHREADS: live \d+ {2}idle \d+ max 10 idle-timeout 30\nQUEUE: 0 items\n[\s\S]*\nEND\n$/);
  });

  it('IDSESSION stress: 100 INSTREAMs on one connection, every id answered once with the right verdict', async () => {
    const e = Buffer.from(EICAR, 'latin1');
    const parts = [Buffer.from('zIDSESSION\0')];
    for (let i = 1; i <= 100; i++) parts.push(Buffer.concat([Buffer.from('zINSTREAM\0'), chunk(i % 3 === 0 ? e : Buffer.from(`clean ${i}`)), chunk('')]));
    parts.push(Buffer.from('zEND\0'));
    const reply = await ask([Buffer.concat(parts)], 'tcp');
    const lines = reply.split('\0').filter(Boolean);
    assert.equal(lines.length, 100);
    const byId = new Map(lines.map((l) => [Number(l.split(':')[0]), l.slice(l.indexOf(': ') + 2)]));
    for (let i = 1; i <= 100; i++) assert.equal(byId.get(i), i % 3 === 0 ? 'stream: Eicar-Test-Signature FOUND' : 'stream: OK', `id ${i}`);
  });

  it('a silent client gets COMMAND READ TIMED OUT', async () => {
    assert.equal(await ask([]), 'COMMAND READ TIMED OUT\n');
  });

  it('250 concurrent idle connections are served', async () => {
    const sockets = await Promise.all(
      Array.from({ length: 250 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const s = connect(unix, () => resolve(s));
        s.on('error', () => undefined);
      })),
    );
    assert.equal(await ask('zPING\0', 'tcp'), 'PONG\0');
    for (const s of sockets) s.destroy();
  });
});
