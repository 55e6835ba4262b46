import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ClamdSection } from '../../../src/core/config/sections/clamd.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startClamdAgent, type ClamdAgent } from '../../../src/agents/clamd/clamd-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';

const CLAMDSCAN = '/usr/bin/clamdscan';

describe('real clamdscan against Moat\'s clamd socket', { skip: !existsSync(CLAMDSCAN) && 'clamdscan not installed' }, () => {
  let dir: string;
  let agent: ClamdAgent;
  let unixConf: string;
  let tcpConf: string;
  let files: { clean: string; virus: string; tree: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-clamdscan-'));
    const data = join(dir, 'data');
    await mkdir(join(data, 'tree'), { recursive: true });
    files = { clean: join(data, 'clean.txt'), virus: join(data, 'eicar.com'), tree: join(data, 'tree') };
    await writeFile(files.clean, 'nothing to see\n');
    await writeFile(files.virus, EICAR);
    await writeFile(join(data, 'tree', 'a.txt'), 'a\n');
    await writeFile(join(data, 'tree', 'b.com'), EICAR);
    const config = ClamdSection.parse({ enabled: true, local_socket: join(dir, 'clamd.sock'), scan_roots: [data] });
    agent = await startClamdAgent({ config, stateDir: dir, scanner: createTestScanner(), logger: silentLogger() }, { tcpPortOverride: 0 });
    unixConf = join(dir, 'clamd-unix.conf');
    tcpConf = join(dir, 'clamd-tcp.conf');
    await writeFile(unixConf, `LocalSocket ${agent.unixPath}\n`);
    await writeFile(tcpConf, `TCPSocket ${agent.tcp!.port}\nTCPAddr 127.0.0.1\n`);
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  // The server runs in this process: the client must be spawned asynchronously.
  const run = (args: string[], input?: string) =>
    new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(CLAMDSCAN, ['--no-summary', ...args], { timeout: 30_000 });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (err += c));
      // clamdscan may exit before reading stdin (--ping, -V): EPIPE there is not a failure.
      child.stdin.on('error', () => undefined);
      child.stdin.end(input ?? '');
      child.on('close', (status) => resolve({ status, out: out.trim(), err: err.trim() }));
    });

  it('--ping and -V', async () => {
    const ping = await run([`--config-file=${unixConf}`, '--ping', '1']);
    assert.equal(ping.status, 0, ping.err);
    assert.match(ping.out, /PONG/);
    const version = await run([`--config-file=${unixConf}`, '-V']);
    assert.equal(version.status, 0, version.err);
    assert.match(version.out, /^ClamAV Moat-0\.1\.0\/27500\//);
  });

  it('path mode over the UNIX socket (CONTSCAN): clean 0, virus 1 with the name', async () => {
    const clean = await run([`--config-file=${unixConf}`, files.clean]);
    assert.equal(clean.status, 0, clean.err);
    assert.equal(clean.out, `${files.clean}: OK`);
    const virus = await run([`--config-file=${unixConf}`, files.virus]);
    assert.equal(virus.status, 1, virus.err + virus.out);
    assert.equal(virus.out, `${files.virus}: Eicar-Test-Signature FOUND`);
  });

  it('--multiscan of a directory', async () => {
    const r = await run([`--config-file=${unixConf}`, '--multiscan', files.tree]);
    assert.equal(r.status, 1, r.err);
    assert.equal(r.out, `${join(files.tree, 'b.com')}: Eicar-Test-Signature FOUND`);
  });

  it('--stream over TCP and stdin (INSTREAM)', async () => {
    const virus = await run([`--config-file=${tcpConf}`, '--stream', files.virus]);
    assert.equal(virus.status, 1, virus.err);
    assert.equal(virus.out, `${files.virus}: Eicar-Test-Signature FOUND`);
    const clean = await run([`--config-file=${tcpConf}`, '-'], 'just text\n');
    assert.equal(clean.status, 0, clean.err);
    assert.equal(clean.out, 'stream: OK');
    const infectedStdin = await run([`--config-file=${unixConf}`, '-'], EICAR);
    assert.equal(infectedStdin.status, 1);
    assert.equal(infectedStdin.out, 'stream: Eicar-Test-Signature FOUND');
  });

  it('--multiscan --stream uses IDSESSION with one INSTREAM per file', async () => {
    const r = await run([`--config-file=${unixConf}`, '--multiscan', '--stream', files.tree]);
    assert.equal(r.status, 1, r.err);
    assert.equal(r.out, `${join(files.tree, 'b.com')}: Eicar-Test-Signature FOUND`);
  });

  it('--fdpass (FILDES with SCM_RIGHTS over the UNIX socket): EICAR FOUND, clean OK, also with --multiscan', async () => {
    const virus = await run([`--config-file=${unixConf}`, '--fdpass', files.virus]);
    assert.equal(virus.status, 1, virus.out + virus.err);
    assert.equal(virus.out, `${files.virus}: Eicar-Test-Signature FOUND`);
    const clean = await run([`--config-file=${unixConf}`, '--fdpass', files.clean]);
    assert.equal(clean.status, 0, clean.out + clean.err);
    assert.equal(clean.out, `${files.clean}: OK`);
    const tree = await run([`--config-file=${unixConf}`, '--fdpass', '--multiscan', files.tree]);
    assert.equal(tree.status, 1, tree.out + tree.err);
    assert.equal(tree.out, `${join(files.tree, 'b.com')}: Eicar-Test-Signature FOUND`);
  });

  it('a file outside the scan roots is an error, not OK', async () => {
    const r = await run([`--config-file=${unixConf}`, '/etc/hostname']);
    assert.equal(r.status, 2, r.out + r.err);
  });
});
