import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaptureSink } from '../harness/capture-sink.js';
import { startAfterQueueChain, type AfterQueueChain } from '../harness/after-queue-chain.js';
import { dkimKey, mailAuthReference, perlMailAuthReady } from '../harness/mail-auth-reference.js';
import { MOAT_BIN } from '../harness/moat-daemon.js';
import { NSD, startNsd, txt, type NsdInstance } from '../harness/nsd.js';
import { waitFor } from '../harness/ports.js';
import type { PostfixInstance } from '../harness/postfix-instance.js';
import { dataReply, swaks } from '../harness/swaks.js';

/**
 * SPF, DKIM and DMARC through the whole chain: swaks → real Postfix → content_filter (XFORWARD
 * gives Moat the client and HELO) → Moat, asking a real NSD for the sender's records → re-injection
 * → a capturing sink. The message is DKIM-signed by Perl's Mail::DKIM, not by Moat's library.
 */
const skip = !existsSync(NSD) || !perlMailAuthReady ? 'needs nsd and Perl Mail::DKIM (scripts/install-debian-deps.sh installs them)' : false;
const KEY = dkimKey();

let dir: string;
let nsd: NsdInstance;
let chain: AfterQueueChain | undefined;
let postfix: PostfixInstance;
let sink: CaptureSink;

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'moat-pf-auth-'));
  await writeFile(join(dir, 'key.pem'), KEY.pem);
  nsd = await startNsd([
    // The test's client connects from 127.0.0.1, which example.test's SPF allows and forbid.test's does not.
    { origin: 'example.test', records: ['@ IN TXT "v=spf1 ip4:127.0.0.1 -all"', `sel1._domainkey IN TXT ${txt(KEY.record)}`, '_dmarc IN TXT "v=DMARC1; p=reject"'] },
    { origin: 'forbid.test', records: ['@ IN TXT "v=spf1 ip4:192.0.2.10 -all"', '_dmarc IN TXT "v=DMARC1; p=reject"'] },
  ]);
  chain = await startAfterQueueChain(dir, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam]\ndns_servers = ["${nsd.address}"]\n`);
  ({ postfix, sink } = chain);
});

after(async () => {
  await chain?.stop();
  await nsd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function message(from: string, marker: string): string {
  return [`From: ${from}`, 'To: bob@example.com', `Subject: ${marker}`, 'Date: Mon, 07 Dec 2026 10:00:00 +0000', `Message-ID: <${marker}@example.test>`, '', 'Shall we meet at noon on Friday?', ''].join('\r\n');
}

async function send(mailFrom: string, data: string): Promise<string> {
  const file = join(dir, `${Math.random().toString(16).slice(2)}.eml`);
  await writeFile(file, data.replace(/\r\n$/, ''));
  const r = await swaks(['--server', `127.0.0.1:${postfix.port}`, '--helo', 'mail.example.test', '--from', mailFrom, '--to', 'bob@example.com', '--data', `@${file}`]);
  return dataReply(r.output);
}

const field = (raw: string, name: string) => new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw)?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim();

test('a signed message from an allowed host arrives with spf=pass, dkim=pass, dmarc=pass in Moat\'s Authentication-Results; moat classify agrees on the delivered copy', { skip }, async () => {
  const signed = mailAuthReference(['sign', join(dir, 'key.pem'), 'example.test', 'sel1', 'relaxed/relaxed', 'from:to:subject:date:message-id'], message('Alice <alice@example.test>', 'signed-1')).trim();
  assert.match(await send('alice@example.test', `${signed}\r\n`), /^250 /);
  const delivered = await waitFor('the signed message at the sink', () => sink.matching(/signed-1/)[0]);
  const raw = delivered.data.toString('latin1');
  const results = field(raw, 'Authentication-Results');
  assert.ok(results, raw.slice(0, 2000));
  assert.match(results, /\bspf=pass\b/);
  assert.match(results, /\bdkim=pass\b/);
  assert.match(results, /\bdmarc=pass\b/);
  const status = field(raw, 'X-Spam-Status') ?? '';
  for (const name of ['R_SPF_ALLOW', 'R_DKIM_ALLOW', 'DMARC_POLICY_ALLOW']) assert.match(status, new RegExp(`\\b${name}\\b`), status);

  // The delivered copy, read back as an administrator would: its Received lines are loopback only
  // (the client was 127.0.0.1), so SPF is not judged from them; DKIM still carries DMARC.
  const copy = join(dir, 'delivered.eml');
  await writeFile(copy, delivered.data);
  const config = join(dir, 'classify.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam]\ndns_servers = ["${nsd.address}"]\n`);
  const r = spawnSync(process.execPath, [MOAT_BIN, '--config', config, 'classify', '--network', '--json', copy], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const names = (JSON.parse(r.stdout) as { symbols: Array<{ name: string }> }).symbols.map((s) => s.name);
  for (const name of ['AUTH_CLIENT_UNKNOWN', 'R_DKIM_ALLOW', 'DMARC_POLICY_ALLOW']) assert.ok(names.includes(name), `${name} in ${names.join(' ')}`);
  assert.ok(!names.some((n) => n.startsWith('R_SPF_')), names.join(' '));
});

test('a forged From of a p=reject domain from a host its SPF forbids is spam: R_SPF_FAIL + DMARC_POLICY_FAIL', { skip }, async () => {
  assert.match(await send('ceo@forbid.test', message('CEO <ceo@forbid.test>', 'forged-1')), /^250 /);
  const delivered = await waitFor('the forged message at the sink', () => sink.matching(/forged-1/)[0]);
  const raw = delivered.data.toString('latin1');
  assert.match(field(raw, 'Authentication-Results') ?? '', /\bspf=fail\b.*\bdmarc=fail\b/);
  assert.equal(field(raw, 'X-Spam-Flag'), 'YES');
  const status = field(raw, 'X-Spam-Status') ?? '';
  assert.match(status, /\bR_SPF_FAIL\b/);
  assert.match(status, /\bDMARC_POLICY_FAIL\b/);
});
