import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
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
    `[local]\nsocket = "${join(dir, 'moat.sock')}"`,
    `[smtp]\nlisten_port = ${port}\nnext_hop = "127.0.0.1:${sink.port}"`,
    `[quarantine]\nrelease_port = ${sink.port}`,
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

/** Runs `moat pipe` with the message on stdin; resolves with its exit code and stdout. */
function pipe(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOAT_BIN, '--config', join(dir, 'moat.toml'), 'pipe', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('moat pipe (one copy for all recipients): a recipient whose thresholds hold the message does not silently drop it for the others; it is held for all and a release delivers to all', async () => {
  const raw = 'From: a@example.org\r\nMessage-ID: <thresholds-2@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nmessage\r\n';
  const r = await pipe(['-f', 'a@example.org', '-r', 'bob@example.com', '-r', 'eve@held.example'], raw);
  assert.equal(r.code, 99, `discarded for the pipe: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const run = promisify(execFile);
  const cli = (...args: string[]) => run(process.execPath, [MOAT_BIN, '--config', join(dir, 'moat.toml'), ...args]);
  const entries = (await cli('quarantine', 'list', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; recipients: string[] });
  const entry = entries.find((e) => e.recipients.includes('bob@example.com'));
  assert.ok(entry, JSON.stringify(entries));
  assert.deepEqual([...entry.recipients].sort(), ['bob@example.com', 'eve@held.example']);
  assert.ok(moat.logLines().some((l) => l.level === 40 && Array.isArray(l.held) && (l.held as string[]).includes('bob@example.com')), 'the log says why bob\'s copy is held');
  await cli('quarantine', 'release', entry.id);
  const [released] = await waitFor('released copy', () => sink.matching(/<thresholds-2@example\.org>/));
  assert.deepEqual([...released!.to].sort(), ['bob@example.com', 'eve@held.example']);
});
