import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod, readFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { MilterSection } from '../../../src/core/config/sections/milter.js';
import { LocalSection } from '../../../src/core/config/sections/local.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startMilterAgent, type MilterAgent } from '../../../src/agents/milter/milter-server.js';
import { startLocalAgent, type LocalAgent } from '../../../src/agents/local/local-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { startPostfix, type PostfixInstance } from '../harness/postfix-instance.js';
import { MOAT_BIN } from '../harness-agents/run-moat.js';
import { freePort } from '../harness/ports.js';

describe('real Postfix: smtpd_milters → Moat milter, local delivery through mailbox_command = moat mda', { skip: !existsSync('/usr/sbin/postfix') && 'postfix not installed', timeout: 180_000 }, () => {
  let dir: string;
  let postfix: PostfixInstance;
  let milter: MilterAgent;
  let local: LocalAgent;
  let mailboxDir: string;
  const pipeline = createTestPipeline(createTestScanner());
  const localConfig = () => LocalSection.parse({ socket: join(dir, 'moat.sock') });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-pf-'));
    await chmod(dir, 0o755);
    mailboxDir = join(dir, 'mailboxes');
    await mkdir(mailboxDir);
    await chmod(mailboxDir, 0o777);
    // The real delivery program: append the message to mailboxes/$USER-style file named by the recipient.
    const deliver = join(dir, 'deliver.sh');
    await writeFile(deliver, `#!/bin/sh\ncat >> "${mailboxDir}/$LOGNAME"\n`);
    await chmod(deliver, 0o755);
    local = await startLocalAgent({ config: localConfig(), stateDir: dir, pipeline, logger: silentLogger() });
    milter = await startMilterAgent({ config: MilterSection.parse({ enabled: true }), stateDir: dir, pipeline, logger: silentLogger() }, { tcpPortOverride: 0 });
    postfix = await startPostfix({
      dir: join(dir, 'postfix'),
      port: await freePort(),
      main: {
        // Local delivery for moat.test: the recipients' mailboxes are written by mailbox_command.
        mydestination: 'moat.test, localhost',
        smtpd_milters: `inet:127.0.0.1:${milter.tcp!.port}`,
        milter_default_action: 'tempfail',
        mailbox_command: `${process.execPath} ${MOAT_BIN} mda --socket ${join(dir, 'moat.sock')} -- ${deliver}`,
        default_privs: 'nobody',
      },
    });
  });
  after(async () => {
    await postfix?.stop();
    await milter?.close();
    await local?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (raw: string, to = 'nobody@moat.test') =>
    nodemailer.createTransport({ host: '127.0.0.1', port: postfix.port, secure: false, ignoreTLS: true, name: 'client.example' }).sendMail({ envelope: { from: 'alice@example.org', to: [to] }, raw });

  it('clean mail: milter inserts its header, mda scans again and delivers through the real program', async () => {
    const info = await send('From: alice@example.org\r\nTo: nobody@moat.test\r\nSubject: clean via postfix\r\n\r\nHello.\r\n');
    assert.match(info.response, /^250 /);
    await postfix.waitForLog(/to=<nobody@moat\.test>.*status=sent/);
    const box = await readFile(join(mailboxDir, 'nobody'), 'utf8');
    assert.match(box, /X-Moat-Scanned: clean; mda\n/);
    assert.match(box, /X-Moat-Scanned: clean; milter\n/);
    // local(8) hands the command an mbox envelope line first; moat mda's fields go below it.
    assert.match(box, /^From alice@example\.org +\S.*\nX-Moat-Scanned: clean; mda\n/);
    assert.match(box, /Subject: clean via postfix/);
  });

  it('infected mail is rejected in the SMTP session with the milter\'s 550 5.7.1', async () => {
    await assert.rejects(send(`From: alice@example.org\r\nTo: nobody@moat.test\r\nSubject: v\r\n\r\n${EICAR}\r\n`), (err: Error & { responseCode?: number; response?: string }) => {
      assert.equal(err.responseCode, 550, err.response);
      assert.match(err.response ?? '', /5\.7\.1 Message rejected: infected with Eicar-Test-Signature/);
      return true;
    });
  });

  it('never loses mail: milter pipeline failure → 451 to the client; daemon gone at delivery → deferred in Postfix\'s queue, delivered after restart', async () => {
    pipeline.control.mode = 'fail';
    try {
      await assert.rejects(send('From: a@example.org\r\nSubject: f\r\n\r\nx\r\n'), (err: Error & { responseCode?: number }) => err.responseCode === 451);
    } finally {
      pipeline.control.mode = 'normal';
    }
    await local.close();
    const info = await send('From: alice@example.org\r\nTo: nobody@moat.test\r\nSubject: during outage\r\n\r\nkeep me\r\n');
    assert.match(info.response, /^250 /);
    await postfix.waitForLog(/to=<nobody@moat\.test>.*status=deferred/);
    assert.ok((await postfix.queue()).length >= 1, 'the message waits in the Postfix queue');
    assert.doesNotMatch(await postfix.log(), /status=bounced/);
    local = await startLocalAgent({ config: localConfig(), stateDir: dir, pipeline, logger: silentLogger() });
    await postfix.flush();
    await postfix.waitForLog(/Subject: during outage|to=<nobody@moat\.test>.*status=sent[\s\S]*to=<nobody@moat\.test>.*status=sent/, 60_000);
    const box = await readFile(join(mailboxDir, 'nobody'), 'utf8');
    assert.match(box, /Subject: during outage/);
  });
});
