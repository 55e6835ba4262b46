import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { ClamdSection } from '../../../src/core/config/sections/clamd.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startClamdAgent, type ClamdAgent } from '../../../src/agents/clamd/clamd-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { startSmtpSink } from '../harness-agents/smtp-sink.js';
import { startAmavis, type AmavisInstance } from '../harness-agents/amavis.js';
import { freePort } from '../harness/ports.js';

describe('amavisd-new scanning through Moat\'s clamd socket (CONTSCAN of its temp dir)', { skip: !existsSync('/usr/sbin/amavisd') && 'amavisd-new not installed', timeout: 120_000 }, () => {
  let dir: string;
  let agent: ClamdAgent;
  let amavis: AmavisInstance;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const scanner = createTestScanner();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-amavis-'));
    await chmod(dir, 0o755);
    sink = await startSmtpSink();
    const amavisDir = join(dir, 'amavis');
    const config = ClamdSection.parse({ enabled: true, local_socket: join(dir, 'clamd.sock'), local_socket_mode: '666', tcp_port: 0, scan_roots: [join(amavisDir, 'tmp')] });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(amavisDir, 'tmp'), { recursive: true });
    agent = await startClamdAgent({ config, stateDir: dir, scanner, logger: silentLogger() });
    amavis = await startAmavis({ dir: amavisDir, port: await freePort(), forwardPort: sink.port, clamdSocket: agent.unixPath! });
  });
  after(async () => {
    await amavis?.stop();
    await agent?.close();
    await sink?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const send = (text: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: amavis.port, secure: false, ignoreTLS: true, name: 'client.moat.test' })
      .sendMail({ envelope: { from: 'alice@example.org', to: ['bob@moat.test'] }, raw: text });

  it('clean mail is forwarded with amavis\' scan header; infected mail is rejected naming the signature', async () => {
    const cleanMsg = 'From: alice@example.org\r\nTo: bob@moat.test\r\nSubject: hello\r\nMessage-ID: <c1@example.org>\r\n\r\nJust text.\r\n';
    const info = await send(cleanMsg);
    assert.match(info.response, /^250 /, await amavis.log());
    assert.equal(sink.messages.length, 1);
    assert.match(sink.messages[0]!.data.toString(), /Subject: hello/);
    assert.ok(scanner.stats().scans >= 1, 'amavis asked Moat to scan');

    const virusMsg = `From: alice@example.org\r\nTo: bob@moat.test\r\nSubject: virus\r\nMessage-ID: <v1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream; name="eicar.com"\r\nContent-Disposition: attachment; filename="eicar.com"\r\n\r\n${EICAR}\r\n--b--\r\n`;
    await assert.rejects(send(virusMsg), (err: Error & { responseCode?: number; response?: string }) => {
      assert.equal(err.responseCode, 554, err.response);
      assert.match(err.response ?? '', /Eicar-Test-Signature/);
      return true;
    });
    assert.equal(sink.messages.length, 1, 'infected mail not forwarded');
  });

  it('an engine failure makes amavis tempfail (4xx), never pass the mail unscanned', async () => {
    scanner.control.mode = 'fail';
    try {
      const msg = 'From: alice@example.org\r\nTo: bob@moat.test\r\nSubject: during outage\r\nMessage-ID: <f1@example.org>\r\n\r\nText.\r\n';
      await assert.rejects(send(msg).then(async (i) => { throw new Error(`accepted: ${i.response}\n${(await amavis.log()).slice(-3000)}`); }), (err: Error & { responseCode?: number; response?: string }) => {
        assert.ok(err.responseCode! >= 400 && err.responseCode! < 500, err.message);
        return true;
      });
      assert.equal(sink.messages.length, 1, 'nothing forwarded during the outage');
    } finally {
      scanner.control.mode = 'normal';
    }
  });
});
