import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTransport } from 'nodemailer';
import { startCaptureSink, type CaptureSink } from '../../test/e2e/harness/capture-sink.js';
import { MOAT_BIN, startMoatDaemon, type MoatDaemon } from '../../test/e2e/harness/moat-daemon.js';
import { freePort, waitFor } from '../../test/e2e/harness/ports.js';

/**
 * `moat daemon` (SMTP agent, next hop a capture sink) with per-recipient spam thresholds from
 * user-specific configuration: one message to three recipients gets three verdicts.
 */
let dir: string;
let sink: CaptureSink;
let moat: MoatDaemon;
let port: number;


before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-rcpt-thresholds-'));
  sink = await startCaptureSink();
  port = await freePort();
  const toml = [
    `[global]\nstate_dir = "${join(dir, 'state')}"`,
    '[local]\nenabled = false',
    `[smtp]\nlisten_port = ${port}\nnext_hop = "127.0.0.1:${sink.port}"`,
    '[antispam]\nauthentication = false',
    '[users."strict@example.com"]\nrequired_score = 3\nrewrite_subject_score = 3.5',
    '[groups.held]\nrequired_score = 2\nquarantine_score = 3',
    '[users."@held.example"]\ngroup = "held"',
    '',
  ].join('\n');
  moat = await startMoatDaemon({ dir, waitPort: port, toml });
});

after(async () => {
  await moat?.stop();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

test('one message, three recipients, three thresholds: ham for the site default, tagged spam for a strict user, held for a group', async () => {
  // Scores 3.8 on the shipped rules with Bayes untrained: MISSING_DATE, SUBJ_ALL_CAPS, SUBJ_MONEY, SUBJ_EXCLAIM.
  const raw = 'From: a@example.org\r\nMessage-ID: <thresholds-1@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nmessage\r\n';
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: 'a@example.org', to: ['bob@example.com', 'strict@example.com', 'eve@held.example'] }, raw });
    assert.match(info.response, /^250 /);
  } finally {
    transport.close();
  }
  await waitFor('two deliveries', () => (sink.matching(/<thresholds-1@example\.org>/).length >= 2 ? [true] : []));
  const copies = sink.matching(/<thresholds-1@example\.org>/);
  assert.equal(copies.length, 2, 'the held recipient gets no copy');
  const forRcpt = (r: string) => copies.find((m) => m.to.includes(r))!.data.toString('latin1');
  const bob = forRcpt('bob@example.com');
  assert.match(bob, /^X-Spam-Flag: NO\r\n/m);
  assert.match(bob, /^X-Spam-Status: No, score=3\.8 required=5\.0\s+tests=/m);
  assert.match(bob, /^Subject: FREE MONEY NOW!!!\r\n/m);
  const strict = forRcpt('strict@example.com');
  assert.match(strict, /^X-Spam-Flag: YES\r\n/m);
  assert.match(strict, /^X-Spam-Status: Yes, score=3\.8 required=3\.0\s+tests=MISSING_DATE,SUBJ_ALL_CAPS,SUBJ_EXCLAIM,SUBJ_MONEY\s/m);
  assert.match(strict, /^Subject: \[SPAM\] FREE MONEY NOW!!!\r\n/m);
  assert.ok(copies.every((m) => m.to.length === 1), 'each verdict is its own delivery');

  const list = await promisify(execFile)(process.execPath, [MOAT_BIN, '--config', join(dir, 'moat.toml'), 'quarantine', 'list']);
  assert.match(list.stdout, /spam\s.*<a@example\.org> → eve@held\.example/);
  const logged = moat.logLines().filter((l) => l.msg === 'spam thresholds of the recipient applied');
  assert.deepEqual(logged.map((l) => [l.rcpt, l.required, l.action]).sort(), [['eve@held.example', 2, 'quarantine'], ['strict@example.com', 3, 'rewrite_subject']]);
});
