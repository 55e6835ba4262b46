import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { startCaptureSink, type CaptureSink } from '../../test/e2e/harness/capture-sink.js';
import { startMoatDaemon, type MoatDaemon } from '../../test/e2e/harness/moat-daemon.js';
import { freePort, waitFor } from '../../test/e2e/harness/ports.js';

/** `moat daemon` with its Bayes store in a Redis that is not there: mail flows, scored without Bayes, at once. */
let dir: string;
let sink: CaptureSink;
let moat: MoatDaemon;
let port: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-bayes-down-'));
  sink = await startCaptureSink();
  const deadRedis = await freePort();
  port = await freePort();
  moat = await startMoatDaemon({
    dir,
    waitPort: port,
    toml: `[global]\nstate_dir = "${join(dir, 'state')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${port}\nnext_hop = "127.0.0.1:${sink.port}"\n[antispam]\nauthentication = false\n[antispam.bayes]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:${deadRedis}"\n`,
  });
});

after(async () => {
  await moat?.stop();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

test('Redis (the Bayes store) down: every message is delivered promptly with its spam verdict, autolearn=unavailable, and one warning in the log', async () => {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const info = await transport.sendMail({ envelope: { from: 'a@example.org', to: ['bob@example.com'] }, raw: `From: a@example.org\r\nTo: bob@example.com\r\nMessage-ID: <down-${i}@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nmessage ${i}\r\n` });
      assert.match(info.response, /^250 /);
      assert.ok(performance.now() - t < 5000, `message ${i} took ${(performance.now() - t).toFixed(0)} ms`);
    }
  } finally {
    transport.close();
  }
  for (let i = 0; i < 5; i++) {
    const [m] = await waitFor(`down-${i} delivered`, () => sink.matching(new RegExp(`<down-${i}@example\\.org>`)));
    const text = m!.data.toString('latin1');
    assert.match(text, /X-Spam-Status: \w+, score=[\d.]+ required=5\.0\s+tests=\S*SUBJ_EXCLAIM\S*\s+autolearn=unavailable/, 'rules still scored it');
  }
  const warnings = moat.logLines().filter((l) => l.level === 40 && /Bayes store failed/.test(String(l.msg)));
  assert.equal(warnings.length, 1, 'one warning, not one per message');
  assert.match(String(warnings[0]!.err), /BAYES_STORE_UNAVAILABLE|not connected/);
});
