import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MilterSection } from '../../../src/core/config/sections/milter.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startMilterAgent, type MilterAgent } from '../../../src/agents/milter/milter-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { sendmailAvailable, startSendmail, type SendmailInstance } from '../harness-agents/sendmail.js';
import { freePort } from '../harness/ports.js';

describe('real Sendmail (private, extracted) with INPUT_MAIL_FILTER → Moat milter', { skip: !sendmailAvailable() && 'private Sendmail not extracted (test/e2e/harness-agents/install-sendmail.sh)', timeout: 120_000 }, () => {
  let dir: string;
  let milter: MilterAgent;
  let sendmail: SendmailInstance;
  const pipeline = createTestPipeline(createTestScanner());

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-sendmail-'));
    milter = await startMilterAgent({ config: MilterSection.parse({ enabled: true }), stateDir: dir, pipeline, logger: silentLogger() }, { tcpPortOverride: 0 });
    sendmail = await startSendmail({ dir, port: await freePort(), milter: `inet:${milter.tcp!.port}@127.0.0.1` });
  });
  after(async () => {
    await sendmail?.stop();
    await milter?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (raw: string) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: sendmail.port, secure: false, ignoreTLS: true, name: 'client.example' }).sendMail({ envelope: { from: 'alice@example.org', to: ['root@localhost'] }, raw });

  it('clean mail is queued with the header the milter inserted; EICAR gets 550 5.7.1; pipeline failure 451', async () => {
    const ok = await send('From: alice@example.org\r\nSubject: via sendmail\r\n\r\nHello.\r\n');
    assert.match(ok.response, /^250 /);
    const queued = (await sendmail.queuedHeaders()).join('\n');
    assert.match(queued, /X-Moat-Scanned: clean; milter/);
    assert.match(queued, /Subject: via sendmail/);
    assert.deepEqual(pipeline.control.seen.at(-1)!.envelope.rcptTo, ['root@localhost']);
    await assert.rejects(send(`From: alice@example.org\r\nSubject: v\r\n\r\n${EICAR}\r\n`), (err: Error & { responseCode?: number; response?: string }) => {
      assert.equal(err.responseCode, 550, err.response);
      assert.match(err.response ?? '', /5\.7\.1 Message rejected: infected with Eicar-Test-Signature/);
      return true;
    });
    pipeline.control.mode = 'fail';
    try {
      await assert.rejects(send('From: a@example.org\r\nSubject: f\r\n\r\nx\r\n'), (err: Error & { responseCode?: number; response?: string }) => {
        assert.equal(err.responseCode, 451, err.response);
        return true;
      });
    } finally {
      pipeline.control.mode = 'normal';
    }
  });

  it('milter down → F=T makes Sendmail tempfail (4xx), never pass unfiltered', async () => {
    await milter.close();
    await assert.rejects(send('From: a@example.org\r\nSubject: down\r\n\r\nx\r\n'), (err: Error & { responseCode?: number; response?: string }) => {
      assert.ok(err.responseCode! >= 400 && err.responseCode! < 500, err.response);
      return true;
    });
  });
});
