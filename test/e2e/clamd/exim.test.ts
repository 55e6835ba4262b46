import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { ClamdSection } from '../../../src/core/config/sections/clamd.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startClamdAgent, type ClamdAgent } from '../../../src/agents/clamd/clamd-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { eximAvailable, startExim, type EximInstance } from '../harness-agents/exim.js';
import { freePort } from '../harness/ports.js';

const virusMsg = `From: alice@example.org\r\nTo: bob@moat.test\r\nSubject: v\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream; name="eicar.com"\r\n\r\n${EICAR}\r\n--b--\r\n`;
const cleanMsg = 'From: alice@example.org\r\nTo: bob@moat.test\r\nSubject: hi\r\n\r\nHello.\r\n';

for (const mode of ['unix (SCAN of the spool .eml)', 'tcp (zINSTREAM)'] as const) {
  describe(`Exim av_scanner = clamd over ${mode}`, { skip: !eximAvailable() && 'private Exim not extracted (test/e2e/harness-agents/install-exim.sh)', timeout: 120_000 }, () => {
    let dir: string;
    let agent: ClamdAgent;
    let exim: EximInstance;
    const scanner = createTestScanner();

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'moat-exim-'));
      await chmod(dir, 0o755);
      const eximDir = join(dir, 'exim');
      await mkdir(join(eximDir, 'spool'), { recursive: true });
      const config = ClamdSection.parse({ enabled: true, local_socket: join(dir, 'clamd.sock'), local_socket_mode: '666', scan_roots: [join(eximDir, 'spool')] });
      agent = await startClamdAgent({ config, stateDir: dir, scanner, logger: silentLogger() }, { tcpPortOverride: 0 });
      const avScanner = mode.startsWith('unix') ? `clamd:${agent.unixPath}` : `clamd:127.0.0.1 ${agent.tcp!.port}`;
      exim = await startExim({ dir: eximDir, port: await freePort(), avScanner });
    });
    after(async () => {
      await exim?.stop();
      await agent?.close();
      await rm(dir, { recursive: true, force: true });
    });

    const send = (raw: string) =>
      nodemailer.createTransport({ host: '127.0.0.1', port: exim.port, secure: false, ignoreTLS: true, name: 'client.example' }).sendMail({ envelope: { from: 'alice@example.org', to: ['bob@moat.test'] }, raw });

    it('clean accepted, EICAR denied naming the signature, engine failure deferred (4xx)', async () => {
      const ok = await send(cleanMsg).catch(async (e: Error) => {
        throw new Error(`${e.message}\n${await exim.log()}`, { cause: e });
      });
      assert.match(ok.response, /^250 /, await exim.log());
      assert.ok(scanner.stats().scans >= 1);
      await assert.rejects(send(virusMsg), (err: Error & { responseCode?: number; response?: string }) => {
        assert.equal(err.responseCode, 550, err.response);
        assert.match(err.response ?? '', /malware \(Eicar-Test-Signature\)/);
        return true;
      });
      scanner.control.mode = 'fail';
      try {
        await assert.rejects(send(cleanMsg), (err: Error & { responseCode?: number; response?: string }) => {
          assert.ok(err.responseCode! >= 400 && err.responseCode! < 500, err.response);
          return true;
        });
      } finally {
        scanner.control.mode = 'normal';
      }
    });
  });
}
