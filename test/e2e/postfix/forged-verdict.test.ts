import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAfterQueueChain, type AfterQueueChain } from '../harness/after-queue-chain.js';
import { startCaptureSink, type CaptureSink } from '../harness/capture-sink.js';
import { startMoatDaemon, type MoatDaemon } from '../harness/moat-daemon.js';
import { freePort, waitFor } from '../harness/ports.js';
import { startPostfix, type PostfixInstance } from '../harness/postfix-instance.js';
import { dataReply, swaks } from '../harness/swaks.js';
import { sendmailAvailable, startSendmail, type SendmailInstance } from '../harness-agents/sendmail.js';

/**
 * A message that arrives with its own spam verdict — X-Spam-Flag: NO, a low X-Spam-Status, an
 * Authentication-Results claiming "dkim=pass" under the name Moat writes its results under —
 * leaves Moat with Moat's verdict only, as SpamAssassin's does (and as RFC 8601 §5 requires of
 * the authserv-id's own results). Through both ways Postfix passes mail to Moat: the after-queue
 * content filter (Moat rewrites the message) and smtpd_milters (Moat deletes the fields in
 * Postfix's copy with CHGHEADER, then inserts its own).
 */
const skip = !existsSync('/usr/sbin/postfix') ? 'postfix not installed' : false;
// Moat's Authentication-Results name is the host's name (src/daemon/spam-scorer-factory.ts).
const OUR_ID = hostname();

function forged(marker: string): string {
  return [
    `X-Spam-Flag: NO (the sender's)`,
    `X-Spam-Status: No, score=-9.9 required=5.0 tests=ALL_TRUSTED`,
    `X-Spam-Level: `,
    `X-Spam-Prev-Subject: kept, as SpamAssassin keeps it`,
    `Authentication-Results: ${OUR_ID}; dkim=pass header.d=bank.test; dmarc=pass`,
    `Authentication-Results: mx.other.test; spf=pass smtp.mailfrom=other.test`,
    'From: Bank <security@bank.test>',
    'To: bob@example.com',
    `Subject: ${marker} URGENT verify your account now`,
    'Date: Mon, 07 Dec 2026 10:00:00 +0000',
    `Message-ID: <${marker}@bank.test>`,
    '',
    'Click here now to verify your password: http://192.0.2.55/login',
    '',
  ].join('\r\n');
}

/** The header block's fields, unfolded, as [name, value]. */
function fields(raw: string): Array<[string, string]> {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]);
}

function assertNoForgedVerdict(raw: string) {
  const all = fields(raw);
  const named = (n: string) => all.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
  assert.ok(!named('X-Spam-Flag').some((v) => v.includes('sender')), `the forged X-Spam-Flag is gone:\n${raw.slice(0, 1500)}`);
  assert.ok(!named('X-Spam-Status').some((v) => v.includes('-9.9')), 'the forged X-Spam-Status is gone');
  assert.deepEqual(named('X-Spam-Prev-Subject'), ['kept, as SpamAssassin keeps it']);
  const results = named('Authentication-Results');
  assert.ok(!results.some((v) => /dkim=pass header\.d=bank\.test/.test(v)), `the forged results under ${OUR_ID} are gone: ${results.join(' | ')}`);
  assert.ok(results.some((v) => v.startsWith('mx.other.test;')), 'another host\'s results stay');
}

function assertOnlyMoatVerdict(raw: string) {
  assertNoForgedVerdict(raw);
  const all = fields(raw);
  const named = (n: string) => all.filter(([k]) => k.toLowerCase() === n.toLowerCase()).map(([, v]) => v);
  assert.equal(named('X-Spam-Flag').length, 1, raw.slice(0, 1500));
  assert.match(named('X-Spam-Status')[0]!, /^(Yes|No), score=(?!-9\.9)/, 'Moat\'s own status, not the forged one');
  assert.equal(named('X-Spam-Status').length, 1);
  assert.equal(named('X-Spam-Level').length, 1);
  assert.deepEqual(named('X-Spam-Prev-Subject'), ['kept, as SpamAssassin keeps it']);
  const results = named('Authentication-Results');
  assert.ok(!results.some((v) => /dkim=pass header\.d=bank\.test/.test(v)), `the forged results under ${OUR_ID} are gone: ${results.join(' | ')}`);
  assert.ok(results.some((v) => v.startsWith('mx.other.test;')), 'another host\'s results stay');
}

let dir: string;
let chain: AfterQueueChain | undefined;
let milterPostfix: PostfixInstance | undefined;
let milterSink: CaptureSink | undefined;
let milterMoat: MoatDaemon | undefined;
let bottomMoat: MoatDaemon | undefined;
let sendmail: SendmailInstance | undefined;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'moat-forged-'));
  await chmod(dir, 0o755);
  // Authentication on, with DNS pointed at a port where nothing answers: Moat still writes its
  // Authentication-Results (the checks find nothing), which is what makes its name its own.
  const dead = await freePort();
  const antispam = `[antispam]\ndns_servers = ["127.0.0.1:${dead}"]\n`;
  chain = await startAfterQueueChain(dir, `[global]\nstate_dir = "${join(dir, 'state-filter')}"\n${antispam}[lists]\nwhitelist_as = ["trusted@partner.test"]\n`);

  milterSink = await startCaptureSink();
  const [smtpPort, milterPort, metricsPort, smtpListen] = [await freePort(), await freePort(), await freePort(), await freePort()];
  milterMoat = await startMoatDaemon({
    dir,
    waitPort: milterPort,
    toml: `[global]\nstate_dir = "${join(dir, 'state-milter')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${smtpListen}\n[daemon]\nmetrics_listen = "127.0.0.1:${metricsPort}"\n[milter]\nenabled = true\ntcp_port = ${milterPort}\n${antispam}`,
  });
  if (sendmailAvailable()) {
    // Sendmail behind a Moat milter that appends its fields: Sendmail reuses a deleted field's slot.
    const [bottomPort, bottomMetrics, bottomSmtp] = [await freePort(), await freePort(), await freePort()];
    const bottomDir = join(dir, 'bottom');
    await mkdir(bottomDir);
    bottomMoat = await startMoatDaemon({
      dir: bottomDir,
      waitPort: bottomPort,
      toml: `[global]\nstate_dir = "${join(bottomDir, 'state')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${bottomSmtp}\n[daemon]\nmetrics_listen = "127.0.0.1:${bottomMetrics}"\n[milter]\nenabled = true\ntcp_port = ${bottomPort}\nheader_position = "bottom"\n${antispam}`,
    });
    sendmail = await startSendmail({ dir: join(dir, 'sendmail'), port: await freePort(), milter: `inet:${bottomPort}@127.0.0.1` });
  }
  milterPostfix = await startPostfix({
    dir: join(dir, 'postfix-milter'),
    port: smtpPort,
    main: { smtpd_milters: `inet:127.0.0.1:${milterPort}`, milter_default_action: 'tempfail', relayhost: `[127.0.0.1]:${milterSink.port}` },
  });
});

after(async () => {
  await chain?.stop();
  await milterMoat?.stop();
  await milterPostfix?.stop();
  await milterSink?.close();
  await sendmail?.stop();
  await bottomMoat?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function send(port: number, data: string, from = 'security@bank.test', to = 'bob@example.com'): Promise<string> {
  const file = join(dir, `${Math.random().toString(16).slice(2)}.eml`);
  await writeFile(file, data.replace(/\r\n$/, ''));
  const r = await swaks(['--server', `127.0.0.1:${port}`, '--from', from, '--to', to, '--data', `@${file}`]);
  return dataReply(r.output);
}

test('content filter: a sender\'s X-Spam-* and Authentication-Results under Moat\'s name are replaced by Moat\'s own', { skip }, async () => {
  assert.match(await send(chain!.postfix.port, forged('filter-1')), /^250 /);
  const delivered = await waitFor('the message at the sink', () => chain!.sink.matching(/filter-1/)[0]);
  assertOnlyMoatVerdict(delivered.data.toString('latin1'));
});

test('the forged fields go also where Moat writes no verdict of its own: a sender on whitelist_as (envelope senders are forgeable), and past 2,000 header lines (authentication skipped)', { skip }, async () => {
  assert.match(await send(chain!.postfix.port, forged('listed-1'), 'trusted@partner.test'), /^250 /);
  const listed = await waitFor('the whitelisted message at the sink', () => chain!.sink.matching(/listed-1/)[0]);
  assertNoForgedVerdict(listed.data.toString('latin1'));
  const padded = forged('padded-1').replace('From: Bank', `${'X-Pad: a\r\n'.repeat(2001)}From: Bank`);
  assert.match(await send(chain!.postfix.port, padded), /^250 /);
  const delivered = await waitFor('the padded message at the sink', () => chain!.sink.matching(/padded-1/)[0]);
  assert.match(delivered.data.toString('latin1'), /AUTH_SKIPPED/, 'Moat wrote no Authentication-Results of its own here');
  assertNoForgedVerdict(delivered.data.toString('latin1'));
});

test('milter: the same fields are deleted in Postfix\'s copy (CHGHEADER) before Moat inserts its own', { skip }, async () => {
  assert.match(await send(milterPostfix!.port, forged('milter-1')), /^250 /);
  const delivered = await waitFor('the message at the sink', () => milterSink!.matching(/milter-1/)[0]);
  assertOnlyMoatVerdict(delivered.data.toString('latin1'));
});

test('Sendmail, Moat appending at the bottom: the forged fields go and Moat\'s own end the header block, together', { skip: skip || (!sendmailAvailable() && 'private Sendmail not extracted') }, async () => {
  assert.match(await send(sendmail!.port, forged('sendmail-1'), 'security@bank.test', 'root@localhost'), /^250 /);
  const qf = await waitFor('the queued message', async () => (await sendmail!.queuedHeaders()).find((q) => q.includes('sendmail-1')));
  // qf header lines: "H" and optional ?flags?, then the field; continuation lines start with a blank.
  const raw = qf
    .split('\n')
    .filter((l, i, all) => l.startsWith('H') || (/^[ \t]/.test(l) && all.slice(0, i).reverse().find((p) => !/^[ \t]/.test(p))?.startsWith('H')))
    .map((l) => l.replace(/^H(\?[^?]*\?)?/, ''))
    .join('\r\n');
  assertOnlyMoatVerdict(`${raw}\r\n\r\n`);
  const names = fields(`${raw}\r\n\r\n`).map(([n]) => n);
  const run = names.slice(names.indexOf('X-Virus-Scanned'));
  assert.deepEqual(new Set(run), new Set(['X-Virus-Scanned', 'X-Moat-Result', 'X-Spam-Flag', 'X-Spam-Status', 'X-Spam-Level', 'Authentication-Results']), `Moat's fields together at the end: ${names.join(', ')}`);
});
