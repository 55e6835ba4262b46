import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSection } from '../../../src/core/config/sections/local.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startLocalAgent, type LocalAgent } from '../../../src/agents/local/local-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { MOAT_BIN, runMoat } from '../harness-agents/run-moat.js';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

describe('moat mda and moat pipe against a daemon socket', () => {
  let dir: string;
  let agent: LocalAgent;
  let mailbox: string;
  let deliverScript: string;
  const pipeline = createTestPipeline(createTestScanner());

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-mda-'));
    agent = await startLocalAgent({ config: LocalSection.parse({ process_timeout_ms: 60_000 }), stateDir: dir, pipeline, logger: silentLogger() });
    mailbox = join(dir, 'mailbox');
    // A stand-in delivery program: appends stdin to the mailbox named by $1 and exits with $2.
    deliverScript = join(dir, 'deliver.sh');
    await writeFile(deliverScript, '#!/bin/sh\ncat >> "$1"\nexit "${2:-0}"\n');
    await chmod(deliverScript, 0o755);
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  const clean = 'From: a@example.org\nTo: bob@example.org\nSubject: hi\n\nhello\n';
  const virus = `From: a@example.org\nTo: bob@example.org\nSubject: v\n\n${EICAR}\n`;
  const mda = (input: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}, program = [deliverScript, mailbox]) =>
    runMoat(['mda', '--socket', agent.socketPath, ...extra, '--', ...program], { input, env: { SENDER: 'a@example.org', RECIPIENT: 'bob@example.org', ...env } });

  it('mda: clean mail is delivered rewritten through the real program, its exit code returned', async () => {
    const r = await mda(clean);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(mailbox, 'utf8'), `X-Moat-Scanned: clean; mda\n${clean}`);
    const tx = pipeline.control.seen.at(-1)!;
    assert.equal(tx.envelope.mailFrom, 'a@example.org');
    assert.deepEqual(tx.envelope.rcptTo, ['bob@example.org']);
    const failing = await mda(clean, [], {}, [deliverScript, mailbox, '73']);
    assert.equal(failing.code, 73, 'the delivery program status passes through');
  });

  it('mda: infected → 77 with a 5.7.1 status line; discard → 0 without delivery; defer → 75', async () => {
    await writeFile(mailbox, '');
    const rejected = await mda(virus);
    assert.equal(rejected.code, 77);
    assert.match(rejected.stderr, /^5\.7\.1 Message rejected: infected with Eicar-Test-Signature/m);
    const discarded = await mda(virus, ['-r', 'discard@example.org']);
    assert.equal(discarded.code, 0);
    const deferred = await mda(virus, ['-r', 'defer@example.org']);
    assert.equal(deferred.code, 75);
    assert.match(deferred.stderr, /^4\.7\.1 /m);
    assert.equal(await readFile(mailbox, 'utf8'), '', 'nothing delivered');
  });

  it('mda never bounces by accident: no daemon, bad usage, missing program, daemon failing or hanging → 75', async () => {
    const noDaemon = await runMoat(['mda', '--socket', join(dir, 'none.sock'), '--', deliverScript, mailbox], { input: clean });
    assert.equal(noDaemon.code, 75, noDaemon.stderr);
    assert.equal((await mda(clean, ['--bogus'])).code, 75);
    assert.equal((await runMoat(['mda', '--socket', agent.socketPath], { input: clean })).code, 75);
    assert.equal((await mda(clean, [], {}, [join(dir, 'no-such-program')])).code, 75);
    pipeline.control.mode = 'fail';
    try {
      assert.equal((await mda(clean)).code, 75);
      pipeline.control.mode = 'hang';
      const hung = await mda(clean, ['--timeout', '1']);
      assert.equal(hung.code, 75, hung.stderr);
    } finally {
      pipeline.control.mode = 'normal';
    }
    assert.equal(await readFile(mailbox, 'utf8'), '', 'nothing delivered');
  });

  it('mda: the daemon dies mid-message → 75, mail not delivered', async () => {
    pipeline.control.mode = 'hang';
    let closed: Promise<void> | undefined;
    pipeline.control.onHang = () => {
      closed = agent.close();
    };
    try {
      const r = await mda(clean);
      assert.equal(r.code, 75, r.stderr);
      await closed;
    } finally {
      pipeline.control.mode = 'normal';
      pipeline.control.onHang = undefined;
      agent = await startLocalAgent({ config: LocalSection.parse({ process_timeout_ms: 60_000 }), stateDir: dir, pipeline, logger: silentLogger() });
    }
    assert.equal(await readFile(mailbox, 'utf8'), '');
  });

  it('pipe: accepted → 0 + message on stdout; rejected 77; discarded 99; failure 75', async () => {
    const ok = await runMoat(['pipe', '--socket', agent.socketPath, '-f', 'a@example.org', '-r', 'bob@example.org'], { input: clean });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.toString(), `X-Moat-Scanned: clean; pipe\n${clean}`);
    const rej = await runMoat(['pipe', '--socket', agent.socketPath, '-r', 'bob@example.org'], { input: virus });
    assert.equal(rej.code, 77);
    assert.equal(rej.stdout.length, 0);
    const dis = await runMoat(['pipe', '--socket', agent.socketPath, '-r', 'discard@example.org'], { input: virus });
    assert.equal(dis.code, 99);
    assert.equal(dis.stdout.length, 0);
    const none = await runMoat(['pipe', '--socket', join(dir, 'none.sock')], { input: clean });
    assert.equal(none.code, 75);
    assert.equal(none.stdout.length, 0);
  });

  it('pipe: a reader that closed its end (EPIPE) is a temporary failure, 75, so the MTA keeps the mail; a report command just ends (141)', async () => {
    const closedReader = (args: string[], input: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [MOAT_BIN, ...args], { env: { ...process.env, MOAT_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (c) => (stderr += c));
        child.stdin.end(input);
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const piped = await closedReader(['pipe', '--socket', agent.socketPath, '-f', 'a@example.org', '-r', 'bob@example.org'], clean);
    assert.equal(piped.code, 75, piped.stderr);
    assert.match(piped.stderr, /^4\.3\.0 moat pipe: .*EPIPE/m);
    for (let i = 0; i < 300; i++) await writeFile(join(dir, `m${i}.eml`), clean);
    const report = await closedReader(['classify', '--state-dir', join(dir, 'no-state'), dir], '');
    assert.equal(report.code, 141, report.stderr);
    assert.doesNotMatch(report.stderr, /EPIPE|^\s+at /m, 'no stack trace');
    // Any other failed write (a full disk) fails the report command instead of passing for done.
    const full = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const devFull = openSync('/dev/full', 'w');
      const child = spawn(process.execPath, [MOAT_BIN, 'version'], { stdio: ['ignore', devFull, 'pipe'] });
      closeSync(devFull);
      let stderr = '';
      child.stderr!.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(full.code, 2);
    assert.match(full.stderr, /^moat version: cannot write the output: ENOSPC/);
  });
});
