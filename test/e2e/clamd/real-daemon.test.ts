import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { MOAT_BIN, runMoat } from '../harness-agents/run-moat.js';

/**
 * The real `moat daemon` (engine, pipeline, policy as composed by src/daemon) with the clamd and
 * local agents on: the same EICAR message gets the same decision through clamdscan, moat mda
 * and moat pipe; and a stopped daemon makes the out-of-process commands tempfail.
 */
function run(cmd: string, args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, out: out.trim(), err: err.trim() }));
  });
}

describe('real moat daemon: clamd socket and local socket agree', { skip: !existsSync('/usr/bin/clamdscan') && 'clamdscan not installed', timeout: 120_000 }, () => {
  let dir: string;
  let daemon: ChildProcess;
  let sock: string;
  let clamdConf: string;
  const virusMail = `From: a@example.org\nTo: bob@example.org\nSubject: v\n\n${EICAR}\n`;
  const cleanMail = 'From: a@example.org\nTo: bob@example.org\nSubject: hi\n\nhello\n';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-daemon-'));
    await mkdir(join(dir, 'scan'));
    await writeFile(join(dir, 'scan', 'eicar.com'), EICAR);
    await writeFile(join(dir, 'scan', 'mail.eml'), virusMail);
    const config = join(dir, 'moat.toml');
    // Authentication off: not under test, and tests ask no DNS server but their own.
    await writeFile(
      config,
      `[global]\nstate_dir = "${join(dir, 'var')}"\nlog_level = "warn"\nlog_target = "stderr"\n\n[smtp]\nenabled = false\n\n[clamd]\nenabled = true\nlocal_socket = "clamd.sock"\ntcp_port = 0\nscan_roots = ["${join(dir, 'scan')}"]\n\n[local]\nenabled = true\n\n[antispam]\nauthentication = false\n`,
    );
    daemon = spawn(process.execPath, [MOAT_BIN, 'daemon', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    daemon.stderr!.on('data', (c) => (stderr += c));
    sock = join(dir, 'var', 'moat.sock');
    const deadline = Date.now() + 60_000;
    while (!(existsSync(sock) && existsSync(join(dir, 'var', 'clamd.sock')))) {
      if (daemon.exitCode !== null || Date.now() > deadline) throw new Error(`daemon did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    clamdConf = join(dir, 'clamd.conf');
    await writeFile(clamdConf, `LocalSocket ${join(dir, 'var', 'clamd.sock')}\n`);
  });
  after(async () => {
    if (daemon && daemon.exitCode === null) {
      daemon.kill('SIGCONT');
      daemon.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('clamdscan (path and --stream) and moat mda/pipe reach the same verdict on the same bytes', async () => {
    const path = await run('/usr/bin/clamdscan', [`--config-file=${clamdConf}`, '--no-summary', join(dir, 'scan')]);
    assert.equal(path.code, 1, path.err);
    assert.match(path.out, /eicar\.com: Eicar-Test-Signature FOUND/);
    assert.match(path.out, /mail\.eml: Eicar-Test-Signature FOUND/);
    const stream = await run('/usr/bin/clamdscan', [`--config-file=${clamdConf}`, '--no-summary', '--stream', join(dir, 'scan', 'mail.eml')]);
    assert.equal(stream.code, 1, stream.err);
    const version = await run('/usr/bin/clamdscan', [`--config-file=${clamdConf}`, '-V']);
    assert.doesNotMatch(version.out, /1970/);

    const mda = await runMoat(['mda', '--socket', sock, '-f', 'a@example.org', '-r', 'bob@example.org', '--', '/bin/cat'], { input: virusMail });
    assert.notEqual(mda.code, 0, 'infected mail is not delivered by mda');
    assert.ok([75, 77].includes(mda.code!), `mda exit ${mda.code}: ${mda.stderr}`);
    const pipe = await runMoat(['pipe', '--socket', sock, '-f', 'a@example.org', '-r', 'bob@example.org'], { input: virusMail });
    assert.equal(pipe.stdout.length, 0, 'infected mail is not passed on by pipe');
    const clean = await runMoat(['pipe', '--socket', sock, '-f', 'a@example.org', '-r', 'bob@example.org'], { input: cleanMail });
    assert.equal(clean.code, 0, clean.stderr);
    assert.ok(clean.stdout.toString().endsWith(cleanMail), 'clean mail passes, original bytes kept after added headers');
  });

  it('never loses mail: daemon frozen → mda tempfails at its deadline; daemon killed → 75', async () => {
    daemon.kill('SIGSTOP');
    try {
      const frozen = await runMoat(['mda', '--socket', sock, '--timeout', '2', '-r', 'bob@example.org', '--', '/bin/cat'], { input: cleanMail });
      assert.equal(frozen.code, 75, frozen.stderr);
    } finally {
      daemon.kill('SIGCONT');
    }
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
    const dead = await runMoat(['mda', '--socket', sock, '-r', 'bob@example.org', '--', '/bin/cat'], { input: cleanMail });
    assert.equal(dead.code, 75, dead.stderr);
    assert.equal(dead.stdout.length, 0);
  });
});
