import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod, readFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { LocalSection } from '../../../src/core/config/sections/local.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startLocalAgent, type LocalAgent } from '../../../src/agents/local/local-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { eximAvailable, startExim, type EximInstance } from '../harness-agents/exim.js';
import { MOAT_BIN } from '../harness-agents/run-moat.js';
import { freePort } from '../harness/ports.js';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Exim pipe transport → moat mda → delivery program', { skip: !eximAvailable() && 'private Exim not extracted', timeout: 120_000 }, () => {
  let dir: string;
  let exim: EximInstance;
  let local: LocalAgent;
  let mailbox: string;
  const pipeline = createTestPipeline(createTestScanner());
  const config = () => LocalSection.parse({ socket: join(dir, 'moat.sock') });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-eximpipe-'));
    await chmod(dir, 0o755);
    await mkdir(join(dir, 'box'));
    await chmod(join(dir, 'box'), 0o777);
    mailbox = join(dir, 'box', 'mailbox');
    const deliver = join(dir, 'deliver.sh');
    await writeFile(deliver, `#!/bin/sh\ncat >> ${mailbox}\n`);
    await chmod(deliver, 0o755);
    local = await startLocalAgent({ config: config(), stateDir: dir, pipeline, logger: silentLogger() });
    exim = await startExim({ dir: join(dir, 'exim'), port: await freePort(), pipeCommand: `${process.execPath} ${MOAT_BIN} mda --socket ${join(dir, 'moat.sock')} -- ${deliver}` });
  });
  after(async () => {
    await exim?.stop();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (raw: string, to = 'bob@moat.test') =>
    nodemailer.createTransport({ host: '127.0.0.1', port: exim.port, secure: false, ignoreTLS: true, name: 'client.example' }).sendMail({ envelope: { from: 'alice@example.org', to: [to] }, raw });
  const box = () => readFile(mailbox, 'utf8').catch(() => '');
  // The extracted (not installed) Exim cannot re-exec itself with root privilege for immediate
  // delivery under a -C configuration, so the test runs the queue as root, as a queue runner would.
  const sendAndRun = async (raw: string) => {
    await send(raw);
    await exim.runQueue();
  };

  it('clean mail delivered with Moat\'s header; Exim passes $SENDER/$RECIPIENT through the environment', async () => {
    await sendAndRun('From: alice@example.org\r\nSubject: via exim\r\n\r\nHello.\r\n');
    await until(async () => (await box()).includes('Subject: via exim'), `delivery\n${await exim.log()}`);
    assert.match(await box(), /X-Moat-Scanned: clean; mda\n/);
    const tx = pipeline.control.seen.at(-1)!;
    assert.equal(tx.envelope.mailFrom, 'alice@example.org');
    assert.deepEqual(tx.envelope.rcptTo, ['bob@moat.test']);
  });

  it('infected → exit 77 → Exim bounces it (not delivered); daemon down → 75 → stays queued, delivered after restart', async () => {
    await sendAndRun(`From: alice@example.org\r\nSubject: virus\r\n\r\n${EICAR}\r\n`);
    await until(async () => /\*\* bob@moat\.test.*5\.7\.1 Message rejected/s.test(await exim.log()) || /\*\* bob@moat\.test/.test(await exim.log()), 'the bounce');
    assert.doesNotMatch(await box(), /Subject: virus/);
    await local.close();
    await sendAndRun('From: alice@example.org\r\nSubject: outage\r\n\r\nkeep me\r\n');
    await until(async () => /== bob@moat\.test.*(temporary|T=moat_mda)/.test(await exim.log()), `the deferral\n${await exim.log()}`);
    assert.ok((await exim.queued()) >= 1, 'kept in the Exim queue');
    local = await startLocalAgent({ config: config(), stateDir: dir, pipeline, logger: silentLogger() });
    await exim.runQueue();
    await until(async () => (await box()).includes('Subject: outage'), `redelivery\n${await exim.log()}`);
  });
});
