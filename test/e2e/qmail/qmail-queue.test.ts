import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { LocalSection } from '../../../src/core/config/sections/local.js';
import { silentLogger } from '../../../src/core/logger.js';
import { isMoatError } from '../../../src/core/errors.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startLocalAgent, type LocalAgent } from '../../../src/agents/local/local-server.js';
import { encodeQmailEnvelope, parseQmailEnvelope } from '../../../src/agents/qmail/qmail-envelope.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { MOAT_BIN } from '../harness-agents/run-moat.js';

const RECORDER = fileURLToPath(new URL('../harness-agents/qmail-queue-recorder.sh', import.meta.url));

describe('qmail envelope codec', () => {
  it('round-trips any sender and recipients (property) and rejects truncation', () => {
    const addr = fc.string({ maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
    fc.assert(
      fc.property(addr, fc.array(addr.filter((a) => a.length > 0), { minLength: 1, maxLength: 8 }), (sender, recipients) => {
        const wire = encodeQmailEnvelope({ sender, recipients });
        assert.deepEqual(parseQmailEnvelope(wire), { sender, recipients });
        assert.throws(() => parseQmailEnvelope(wire.subarray(0, wire.length - 1)), (e) => isMoatError(e, 'PROTOCOL'));
      }),
      { numRuns: 300 },
    );
    assert.throws(() => parseQmailEnvelope(Buffer.from('Fa\0\0')), /no recipient/);
    assert.throws(() => parseQmailEnvelope(Buffer.from('Ta\0\0')), /start with F/);
  });
});

describe('moat qmail-queue as QMAILQUEUE (message fd 0, envelope fd 1)', () => {
  let dir: string;
  let agent: LocalAgent;
  const pipeline = createTestPipeline(createTestScanner());

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-qq-'));
    agent = await startLocalAgent({ config: LocalSection.parse({}), stateDir: dir, pipeline, logger: silentLogger() });
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Like qmail-smtpd: the envelope arrives through a pipe on fd 1, fd 6 collects a custom error. */
  const runQueue = async (message: string, envelope: string, opts: { exit?: number; extra?: string[]; socket?: string } = {}) => {
    const msgFile = join(dir, 'in-message');
    await writeFile(msgFile, message);
    await rm(join(dir, 'message'), { force: true });
    await rm(join(dir, 'envelope'), { force: true });
    await writeFile(join(dir, 'fd6'), '');
    const cmd = `printf '%s' "$ENVELOPE" | tr '|' '\\000' | { "$NODE" "$MOAT" qmail-queue --socket "$SOCK" --qmail-queue "$RECORDER" $EXTRA 1<&0 0<"$MSG" 6>"$FD6"; }`;
    return new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('/bin/sh', ['-c', cmd], {
        env: {
          ...process.env,
          MOAT_LOG_LEVEL: 'silent',
          ENVELOPE: envelope,
          NODE: process.execPath,
          MOAT: MOAT_BIN,
          SOCK: opts.socket ?? agent.socketPath,
          RECORDER,
          EXTRA: (opts.extra ?? []).join(' '),
          MSG: msgFile,
          FD6: join(dir, 'fd6'),
          QQ_RECORD_DIR: dir,
          QQ_EXIT: String(opts.exit ?? 0),
          TCPREMOTEIP: '198.51.100.7',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  };
  const clean = 'From: a@example.org\nSubject: hi\n\nhello\n';
  const virus = `From: a@example.org\nSubject: v\n\n${EICAR}\n`;

  it('clean: real qmail-queue gets the rewritten message and the same envelope; its status passes through', async () => {
    const r = await runQueue(clean, 'Fa@example.org|Tbob@example.org|Tcarol@example.org||');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(dir, 'message'), 'utf8'), `X-Moat-Scanned: clean; qmail\n${clean}`);
    assert.equal(await readFile(join(dir, 'envelope'), 'latin1'), 'Fa@example.org\0Tbob@example.org\0Tcarol@example.org\0\0');
    const tx = pipeline.control.seen.at(-1)!;
    assert.deepEqual(tx.envelope, { mailFrom: 'a@example.org', rcptTo: ['bob@example.org', 'carol@example.org'], params: undefined });
    assert.equal(tx.client.address, '198.51.100.7');
    assert.equal((await runQueue(clean, 'F|Tbob@example.org||', { exit: 53 })).code, 53, 'real qmail-queue temp error passes through');
  });

  it('infected: 31 permanent; with --custom-error 82 and D<text> on fd 6; discard 0 without queueing', async () => {
    const r = await runQueue(virus, 'Fa@example.org|Tbob@example.org||');
    assert.equal(r.code, 31);
    assert.equal(existsSync(join(dir, 'message')), false);
    const c = await runQueue(virus, 'Fa@example.org|Tbob@example.org||', { extra: ['--custom-error'] });
    assert.equal(c.code, 82);
    assert.match(await readFile(join(dir, 'fd6'), 'utf8'), /^D550 5\.7\.1 Message rejected: infected with Eicar-Test-Signature/);
    const d = await runQueue(virus, 'Fa@example.org|Tdiscard@example.org||');
    assert.equal(d.code, 0);
    assert.equal(existsSync(join(dir, 'message')), false);
    const z = await runQueue(virus, 'Fa@example.org|Tdefer@example.org||', { extra: ['--custom-error'] });
    assert.equal(z.code, 82);
    assert.match(await readFile(join(dir, 'fd6'), 'utf8'), /^Z451 4\.7\.1 /);
  });

  it('recipients with different decisions: the accepted copy is queued for the accepted recipients only, the discarded one left out', async () => {
    const r = await runQueue(virus, 'Fa@example.org|Taccept@example.org|Tdiscard@example.org||');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await readFile(join(dir, 'envelope'), 'latin1'), 'Fa@example.org\0Taccept@example.org\0\0');
    assert.match(await readFile(join(dir, 'message'), 'utf8'), /^X-Moat-Scanned: infected; qmail\n/);
  });

  it('never loses mail: bad envelope 91, no daemon 71, pipeline failure 71 — nothing queued, nothing bounced', async () => {
    assert.equal((await runQueue(clean, 'Fa@example.org|Tbob@example.org|')).code, 91);
    assert.equal((await runQueue(clean, 'Fa@example.org|Tbob@example.org||', { socket: join(dir, 'none.sock') })).code, 71);
    pipeline.control.mode = 'fail';
    try {
      assert.equal((await runQueue(clean, 'Fa@example.org|Tbob@example.org||')).code, 71);
    } finally {
      pipeline.control.mode = 'normal';
    }
    assert.equal(existsSync(join(dir, 'message')), false);
  });
});
