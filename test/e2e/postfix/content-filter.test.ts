import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureSink } from '../harness/capture-sink.js';
import { MOAT_BIN, type MoatDaemon } from '../harness/moat-daemon.js';
import { waitFor } from '../harness/ports.js';
import type { PostfixInstance } from '../harness/postfix-instance.js';
import { startAfterQueueChain } from '../harness/after-queue-chain.js';
import { dataReply, swaks } from '../harness/swaks.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import Database from 'better-sqlite3';

/**
 * Moat as a real Postfix after-queue content filter: public smtpd → content_filter → Moat →
 * re-injection smtpd (no filter) → relayhost = a capturing SMTP sink.
 */
let dir: string;
let postfix: PostfixInstance;
let sink: CaptureSink;
let moat: MoatDaemon;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-pf-'));
  ({ postfix, sink, moat } = await startAfterQueueChain(
    dir,
    `
[global]
state_dir = "${join(dir, 'state')}"
[users."carol@example.com"]
action_av_infected = "accept"
[users."dave@example.com"]
action_av_infected = "discard"
[antispam]
authentication = false           # no DNS from the test machine: the spam scores below are the rules' alone
[antispam.bayes]
autolearn_spam_score = 2.5       # so the shipped rules alone make the daemon autolearn a test message as spam
[users."erin@example.com"]
required_score = 2
rewrite_subject_score = 2.5
`,
  ));
});

after(async () => {
  await moat?.stop();
  await postfix?.stop();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function send(to: string[], data: string, extra: string[] = []): Promise<string> {
  const file = join(dir, `msg-${Date.now()}-${Math.random().toString(16).slice(2)}.eml`);
  // swaks ends DATA with CRLF . CRLF itself: strip the message's last line end so it is sent once.
  await writeFile(file, data.replace(/\r\n$/, ''));
  const r = await swaks(['--server', `127.0.0.1:${postfix.port}`, '--from', 'alice@example.org', '--to', to.join(','), '--data', `@${file}`, ...extra]);
  return dataReply(r.output);
}

function message(marker: string, body: string, headers = ''): string {
  return `Date: Sun, 22 Nov 2026 12:00:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.com\r\nMessage-ID: <${marker}@example.org>\r\nSubject: ${marker}\r\n${headers}\r\n${body}`;
}

test('clean mail is delivered byte-identical apart from added headers; XFORWARD carries the Postfix queue id', async () => {
  const original = message('clean-1', 'Hello Bob,\r\n.a line starting with a dot\r\n..two dots\r\n\tindented\r\n\r\n-- \r\nAlice\r\n');
  assert.match(await send(['bob@example.com'], original), /^250 /);
  const [got] = await waitFor('clean mail at the sink', () => sink.matching(/clean-1@example\.org/).length && sink.matching(/clean-1@example\.org/));
  assert.deepEqual(got!.to, ['bob@example.com']);
  const text = got!.data.toString('latin1');
  assert.ok(text.endsWith(original), `the original message is the unchanged tail:\n${JSON.stringify(text)}`);
  const added = text.slice(0, text.length - original.length);
  assert.match(added, /X-Virus-Scanned: Moat/);
  for (const line of added.split('\r\n').filter(Boolean)) assert.match(line, /^([\w-]+:|[ \t])/, `only header lines were added: ${line}`);
  const received = moat.logLines().find((l) => l.step === 'received' && typeof l.queueId === 'string');
  assert.ok(received, 'Moat logged the MTA queue id from XFORWARD');
  assert.match(await postfix.log(), new RegExp(`${String(received!.queueId)}: to=<bob@example\\.com>, relay=127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:\\d+.*status=sent`));
});

test('EICAR is rejected by Moat, bounced by Postfix to the sender, and quarantined', async () => {
  assert.match(await send(['bob@example.com'], message('eicar-1', `${EICAR}\r\n`)), /^250 /);
  const [bounce] = await waitFor('bounce to the sender', () => sink.matching(/eicar-1@example\.org/).filter((m) => m.from === '').length && sink.matching(/eicar-1@example\.org/).filter((m) => m.from === ''));
  assert.deepEqual(bounce!.to, ['alice@example.org']);
  assert.match(bounce!.data.toString('latin1'), /infected with Eicar/i);
  assert.equal(sink.matching(/eicar-1@example\.org/).filter((m) => m.to.includes('bob@example.com')).length, 0);
  const held = await readdir(join(dir, 'state', 'quarantine'));
  assert.ok(held.some((f) => f.endsWith('.eml')), 'a quarantine copy exists');
});

test('zipped EICAR and an infected part among clean parts are rejected', async () => {
  const zipDir = join(dir, 'zip');
  execFileSync('mkdir', ['-p', zipDir]);
  await writeFile(join(zipDir, 'eicar.com'), EICAR);
  execFileSync('zip', ['-q', '-j', join(zipDir, 'eicar.zip'), join(zipDir, 'eicar.com')]);
  const zip = (await import('node:fs')).readFileSync(join(zipDir, 'eicar.zip')).toString('base64').replace(/.{76}/g, '$&\r\n');
  const multipart = (marker: string, parts: string[]) =>
    message(marker, `--b1\r\n${parts.join('\r\n--b1\r\n')}\r\n--b1--\r\n`, 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n');
  const textPart = 'Content-Type: text/plain\r\n\r\nclean text\r\n';
  const cleanAttachment = `Content-Type: application/octet-stream; name="notes.txt"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('just notes\n').toString('base64')}\r\n`;
  const eicarPart = `Content-Type: application/octet-stream; name="eicar.com"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(EICAR).toString('base64')}\r\n`;
  const zipPart = `Content-Type: application/zip; name="eicar.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${zip}\r\n`;
  assert.match(await send(['bob@example.com'], multipart('zip-1', [textPart, zipPart])), /^250 /);
  assert.match(await send(['bob@example.com'], multipart('mixed-1', [textPart, cleanAttachment, eicarPart, cleanAttachment])), /^250 /);
  for (const marker of ['zip-1', 'mixed-1']) {
    const re = new RegExp(`${marker}@example\\.org`);
    await waitFor(`bounce for ${marker}`, () => sink.matching(re).some((m) => m.from === ''));
    assert.equal(sink.matching(re).filter((m) => m.to.includes('bob@example.com')).length, 0, `${marker} not delivered to bob`);
  }
});

test('per-user overrides: one message, three recipients, three policies', async () => {
  assert.match(await send(['bob@example.com', 'carol@example.com', 'dave@example.com'], message('peruser-1', `${EICAR}\r\n`)), /^250 /);
  const re = /peruser-1@example\.org/;
  await waitFor('carol delivery and the bounce for bob', () => sink.matching(re).some((m) => m.to.includes('carol@example.com')) && sink.matching(re).some((m) => m.from === '')).catch(async (err: Error) => {
    throw new Error(`${err.message}\nsink: ${JSON.stringify(sink.matching(re).map((m) => [m.from, m.to]))}\nmoat: ${JSON.stringify(moat.logLines().slice(-12))}\n${(await postfix.log()).slice(-3000)}`);
  });
  const toCarol = sink.matching(re).find((m) => m.to.includes('carol@example.com'))!;
  assert.deepEqual(toCarol.to, ['carol@example.com'], 'carol (accept) gets it alone');
  assert.match(toCarol.data.toString('latin1'), /Subject: \[virus Eicar/i);
  const bounce = sink.matching(re).find((m) => m.from === '')!;
  assert.match(bounce.data.toString('latin1'), /Final-Recipient: rfc822; bob@example\.com/);
  assert.doesNotMatch(bounce.data.toString('latin1'), /dave@example\.com/, 'dave (discard) is silently dropped');
  assert.equal(sink.matching(re).filter((m) => m.to.includes('dave@example.com')).length, 0);
  assert.equal((await postfix.queue()).length, 0, 'nothing left in the Postfix queue');
});

test('anti-spam per recipient: one message, the site threshold for bob, erin\'s own lower thresholds tag it as spam for her only', async () => {
  // 2.8 on the shipped rules with Bayes untrained: SUBJ_ALL_CAPS, SUBJ_MONEY, SUBJ_EXCLAIM.
  const original = 'Date: Sun, 22 Nov 2026 12:00:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: bob@example.com, erin@example.com\r\nMessage-ID: <spam-thresholds-1@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nHello\r\n';
  assert.match(await send(['bob@example.com', 'erin@example.com'], original), /^250 /);
  const re = /spam-thresholds-1@example\.org/;
  await waitFor('both deliveries', () => sink.matching(re).length >= 2);
  const copy = (r: string) => sink.matching(re).find((m) => m.to.includes(r))!;
  assert.deepEqual(copy('bob@example.com').to, ['bob@example.com'], 'separate deliveries');
  const bob = copy('bob@example.com').data.toString('latin1');
  assert.match(bob, /^X-Spam-Flag: NO\r\n/m);
  assert.match(bob, /^X-Spam-Status: No, score=2\.8 required=5\.0\s+tests=/m);
  assert.match(bob, /^Subject: FREE MONEY NOW!!!\r\n/m);
  const erin = copy('erin@example.com').data.toString('latin1');
  assert.match(erin, /^X-Spam-Flag: YES\r\n/m);
  assert.match(erin, /^X-Spam-Status: Yes, score=2\.8 required=2\.0\s+tests=SUBJ_ALL_CAPS,SUBJ_EXCLAIM,SUBJ_MONEY\s/m);
  assert.match(erin, /^X-Spam-Level: \*\*\r\n/m);
  assert.match(erin, /^Subject: \[SPAM\] FREE MONEY NOW!!!\r\n/m);
  assert.equal((await postfix.queue()).length, 0, 'nothing left in the Postfix queue');
});

test('a false positive found in a mailbox: moat learn --ham of the delivered copy (Postfix trace headers, X-Spam-*, [SPAM] subject, LF) moves the message the daemon autolearned as spam', async () => {
  const original = 'Date: Mon, 7 Dec 2026 06:00:00 +0000\r\nFrom: Alice <alice@example.org>\r\nTo: erin@example.com\r\nMessage-ID: <autolearned-fp-1@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nThe quarterly figures, as promised.\r\n';
  assert.match(await send(['erin@example.com'], original), /^250 /);
  await waitFor('delivery', () => sink.matching(/autolearned-fp-1@example\.org/).length >= 1);
  const delivered = sink.matching(/autolearned-fp-1@example\.org/)[0]!.data.toString('latin1');
  assert.match(delivered, /^X-Spam-Status: Yes, score=2\.8 required=2\.0\s+tests=\S+\s+autolearn=spam\r\n/m, 'the daemon learned it as spam');
  assert.match(delivered, /^Subject: \[SPAM\] FREE MONEY NOW!!!\r\n/m);
  assert.match(delivered, /^Received: from /m);
  assert.ok(moat.logLines().some((l) => l.msg === 'spam checked' && l.autolearn === 'spam' && l.score === 2.8), 'the log says what autolearn did');
  // As the final delivery agent stores it in a Maildir: Return-Path and Delivered-To on top, LF line ends.
  const file = join(dir, 'maildir-copy.eml');
  await writeFile(file, `Return-Path: <alice@example.org>\nDelivered-To: erin@example.com\n${delivered.replace(/\r\n/g, '\n')}`);
  const learn = (...args: string[]) => execFileSync(process.execPath, [MOAT_BIN, '--config', join(dir, 'moat.toml'), 'learn', ...args], { encoding: 'utf8' });
  // The tokens the daemon learned from the message as it scored it, and those moat learn takes from the copy.
  const learnedTokens = () => {
    const db = new Database(join(dir, 'state', 'bayes.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT tokens FROM learned WHERE tokens LIKE '%quarterly%'").all() as Array<{ tokens: string }>;
      assert.equal(rows.length, 1);
      return (JSON.parse(rows[0]!.tokens) as string[]).sort();
    } finally {
      db.close();
    }
  };
  const autolearned = learnedTokens();
  assert.match(learn('--ham', file), /maildir-copy\.eml: moved from spam to ham\n/);
  assert.deepEqual(learnedTokens(), autolearned, 'the copy is learned with the tokens Moat scored: no [SPAM] tag, no later Received hops');
  assert.match(learn('--forget', file), /maildir-copy\.eml: forgotten \(had been learned as ham\)\n/);
});

test('a large clean message (300 KB attachment, bare-LF free) passes through unchanged', async () => {
  const attachment = Buffer.alloc(300_000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  const original = message('large-1', `--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--b--\r\n`, 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n');
  assert.match(await send(['bob@example.com'], original), /^250 /);
  const [got] = await waitFor('large mail at the sink', () => sink.matching(/large-1@example\.org/).length && sink.matching(/large-1@example\.org/));
  assert.ok(got!.data.toString('latin1').endsWith(original));
});
