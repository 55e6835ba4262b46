/**
 * SPF, DKIM, DMARC and ARC as Moat checks them (mailauth through openSpamScorer, the daemon's
 * code path, with `[antispam] dns_servers` pointing at a real NSD serving the test's zones),
 * compared case by case with Debian's Perl implementations (Mail::SPF, Mail::DKIM, Mail::DMARC)
 * asking the same server, and with the result the RFCs give. Messages are signed and sealed by
 * Mail::DKIM, not by Moat's library.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/load.js';
import { openSpamScorer } from '../../../src/daemon/spam-scorer-factory.js';
import { createLogger } from '../../../src/core/logger.js';
import { MOAT_BIN } from '../harness/moat-daemon.js';
import { NSD, startNsd, txt, type NsdInstance } from '../harness/nsd.js';
import { dkimKey, mailAuthReference, perlMailAuthReady } from '../harness/mail-auth-reference.js';

const skip = !existsSync(NSD) || !perlMailAuthReady ? 'needs nsd and Perl Mail::SPF, Mail::DKIM, Mail::DMARC (scripts/install-debian-deps.sh installs them)' : false;

const SENDER_KEY = dkimKey();
const PARTNER_KEY = dkimKey();
const RELAY_KEY = dkimKey();

const ZONES = [
  {
    origin: 'example.test',
    records: [
      '@ IN TXT "v=spf1 ip4:192.0.2.10 ip6:2001:db8:10::/48 -all"',
      '@ IN MX 10 out.example.test.',
      'out IN A 192.0.2.20',
      'out IN TXT "v=spf1 a -all"',
      `sel1._domainkey IN TXT ${txt(SENDER_KEY.record)}`,
      '_dmarc IN TXT "v=DMARC1; p=reject"',
    ],
  },
  { origin: 'soft.test', records: ['@ IN TXT "v=spf1 ip4:192.0.2.10 ~all"'] },
  { origin: 'neutral.test', records: ['@ IN TXT "v=spf1 ?all"'] },
  { origin: 'nospf.test', records: ['_dmarc IN TXT "v=DMARC1; p=quarantine"'] },
  { origin: 'inc.test', records: ['@ IN TXT "v=spf1 include:_spf.partner.test -all"'] },
  { origin: 'redirect.test', records: ['@ IN TXT "v=spf1 redirect=_spf.partner.test"'] },
  { origin: 'broken.test', records: ['@ IN TXT "v=spf1 ip4:192.0.2.300 -all"'] },
  {
    origin: 'partner.test',
    records: ['_spf IN TXT "v=spf1 ip4:198.51.100.0/24 -all"', `sel1._domainkey IN TXT ${txt(PARTNER_KEY.record)}`, '_dmarc IN TXT "v=DMARC1; p=none"'],
  },
  {
    origin: 'strict.test',
    records: ['@ IN TXT "v=spf1 ip4:192.0.2.10 -all"', `sel1._domainkey IN TXT ${txt(SENDER_KEY.record)}`, '_dmarc IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"'],
  },
  { origin: 'relay.test', records: [`arc._domainkey IN TXT ${txt(RELAY_KEY.record)}`] },
  // RFC 7489's tags in capitals and with spaces, as some publish them.
  { origin: 'upper.test', records: [`sel1._domainkey IN TXT ${txt(SENDER_KEY.record)}`, '_dmarc IN TXT "v=DMARC1; p=REJECT; adkim = S"'] },
];

type Results = { spf: string; dkim: string; dmarc: string; arc: string };

interface Case {
  name: string;
  ip: string;
  helo: string;
  /** The envelope sender ('' = the null sender). */
  mailFrom: string;
  from: string;
  /** DKIM-sign with this domain's key: [domain, canonicalization]. */
  sign?: [string, string];
  /** Applied to the message after signing (a relay's rewrite, a forger's edit). */
  after?: (message: string) => string;
  /** ARC-seal at relay.test after `after`, then apply `afterSeal`. */
  seal?: boolean;
  afterSeal?: (message: string) => string;
  expected: Results;
}

const CASES: Case[] = [
  { name: 'SPF pass, aligned: DMARC passes without DKIM', ip: '192.0.2.10', helo: 'mail.example.test', mailFrom: 'alice@example.test', from: 'alice@example.test', expected: { spf: 'pass', dkim: 'none', dmarc: 'pass', arc: 'none' } },
  { name: 'SPF fail, no DKIM: DMARC fails (p=reject)', ip: '192.0.2.99', helo: 'bad.example.net', mailFrom: 'alice@example.test', from: 'alice@example.test', expected: { spf: 'fail', dkim: 'none', dmarc: 'fail', arc: 'none' } },
  { name: 'SPF ~all: softfail; no DMARC record', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'a@soft.test', from: 'a@soft.test', expected: { spf: 'softfail', dkim: 'none', dmarc: 'none', arc: 'none' } },
  { name: 'SPF ?all: neutral', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'a@neutral.test', from: 'a@neutral.test', expected: { spf: 'neutral', dkim: 'none', dmarc: 'none', arc: 'none' } },
  { name: 'no SPF record: none; DMARC fails (nothing aligned)', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'a@nospf.test', from: 'a@nospf.test', expected: { spf: 'none', dkim: 'none', dmarc: 'fail', arc: 'none' } },
  { name: 'SPF include: pass', ip: '198.51.100.5', helo: 'x.test', mailFrom: 'a@inc.test', from: 'a@inc.test', expected: { spf: 'pass', dkim: 'none', dmarc: 'none', arc: 'none' } },
  { name: 'SPF redirect: fail from outside the target', ip: '203.0.113.5', helo: 'x.test', mailFrom: 'a@redirect.test', from: 'a@redirect.test', expected: { spf: 'fail', dkim: 'none', dmarc: 'none', arc: 'none' } },
  { name: 'SPF syntax error: permerror', ip: '192.0.2.10', helo: 'x.test', mailFrom: 'a@broken.test', from: 'a@broken.test', expected: { spf: 'permerror', dkim: 'none', dmarc: 'none', arc: 'none' } },
  { name: 'SPF ip6: pass', ip: '2001:db8:10::5', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', expected: { spf: 'pass', dkim: 'none', dmarc: 'pass', arc: 'none' } },
  { name: 'DKIM relaxed/relaxed: pass, and DMARC passes through it though SPF fails', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['example.test', 'relaxed/relaxed'], expected: { spf: 'fail', dkim: 'pass', dmarc: 'pass', arc: 'none' } },
  { name: 'DKIM simple/simple: pass', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['example.test', 'simple/simple'], expected: { spf: 'fail', dkim: 'pass', dmarc: 'pass', arc: 'none' } },
  {
    name: 'DKIM, body changed after signing: fail, and so DMARC',
    ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['example.test', 'relaxed/relaxed'],
    after: (m) => m.replace('Shall we meet at noon?', 'Shall we meet at one?'),
    expected: { spf: 'fail', dkim: 'fail', dmarc: 'fail', arc: 'none' },
  },
  {
    name: 'DKIM relaxed: whitespace a relay changes still verifies',
    ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['example.test', 'relaxed/relaxed'],
    after: (m) => m.replace('Subject: lunch on Friday', 'Subject:  lunch\r\n  on Friday').replace('Shall we meet at noon?', 'Shall  we meet at noon?  '),
    expected: { spf: 'fail', dkim: 'pass', dmarc: 'pass', arc: 'none' },
  },
  {
    name: 'DKIM simple: the same whitespace change breaks it',
    ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['example.test', 'simple/simple'],
    after: (m) => m.replace('Shall we meet at noon?', 'Shall  we meet at noon?'),
    expected: { spf: 'fail', dkim: 'fail', dmarc: 'fail', arc: 'none' },
  },
  { name: 'DKIM of another domain: pass, not aligned: DMARC fails', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'alice@example.test', from: 'alice@example.test', sign: ['partner.test', 'relaxed/relaxed'], expected: { spf: 'fail', dkim: 'pass', dmarc: 'fail', arc: 'none' } },
  { name: 'DKIM of the organizational domain for a subdomain sender: relaxed alignment passes', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'news@news.example.test', from: 'news@news.example.test', sign: ['example.test', 'relaxed/relaxed'], expected: { spf: 'none', dkim: 'pass', dmarc: 'pass', arc: 'none' } },
  { name: 'adkim = S (capital, spaced): still strict', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'news@news.upper.test', from: 'news@news.upper.test', sign: ['upper.test', 'relaxed/relaxed'], expected: { spf: 'none', dkim: 'pass', dmarc: 'fail', arc: 'none' } },
  { name: 'adkim=s: the same signature does not align', ip: '192.0.2.99', helo: 'x.test', mailFrom: 'news@news.strict.test', from: 'news@news.strict.test', sign: ['strict.test', 'relaxed/relaxed'], expected: { spf: 'none', dkim: 'pass', dmarc: 'fail', arc: 'none' } },
  {
    name: 'a mailing list rewrote the body and sealed ARC: DKIM fails, ARC passes',
    ip: '192.0.2.99', helo: 'x.test', mailFrom: 'list-bounces@partner.test', from: 'alice@example.test', sign: ['example.test', 'relaxed/relaxed'],
    after: (m) => `Authentication-Results: relay.test; dkim=pass header.d=example.test; spf=pass smtp.mailfrom=example.test\r\n${m.replace('Shall we meet at noon?', 'Shall we meet at noon?\r\n-- \r\nlist footer')}`,
    seal: true,
    expected: { spf: 'none', dkim: 'fail', dmarc: 'fail', arc: 'pass' },
  },
  {
    name: 'a sealed message changed after the seal: ARC fails',
    ip: '192.0.2.99', helo: 'x.test', mailFrom: 'list-bounces@partner.test', from: 'alice@example.test', sign: ['example.test', 'relaxed/relaxed'],
    after: (m) => `Authentication-Results: relay.test; dkim=pass header.d=example.test\r\n${m}`,
    seal: true,
    afterSeal: (m) => m.replace('Shall we meet at noon?', 'Send the gift cards now.'),
    expected: { spf: 'none', dkim: 'fail', dmarc: 'fail', arc: 'fail' },
  },
];

function unsigned(from: string): string {
  return [`From: Alice <${from}>`, 'To: bob@ours.test', 'Subject: lunch on Friday', 'Date: Mon, 07 Dec 2026 10:00:00 +0000', `Message-ID: <${Math.random().toString(36).slice(2)}@example.test>`, '', 'Shall we meet at noon?', ''].join('\r\n');
}

const perl = mailAuthReference;

/** The result per method from an Authentication-Results value (`dkim` is the best of its signatures). */
function authResults(value: string): Results {
  const found: Record<string, string[]> = {};
  // mailauth writes a body-hash mismatch "dkim=neutral (body hash did not verify)", as Gmail does;
  // Mail::DKIM says "fail", and Moat scores it as one (R_DKIM_REJECT).
  for (const m of value.matchAll(/(?:^|;)\s*(spf|dkim|dmarc|arc)=([a-z]+)( \(body hash did not verify\))?/g)) (found[m[1]!] ??= []).push(m[3] ? 'fail' : m[2]!);
  const best = (xs: string[] | undefined) => (xs?.includes('pass') ? 'pass' : xs?.[0] ?? 'none');
  return { spf: best(found.spf), dkim: best(found.dkim), dmarc: best(found.dmarc), arc: best(found.arc) };
}

/** DKIM outcomes named differently by the two implementations (Mail::DKIM "invalid" ~ mailauth "neutral"/"permerror"). */
const sameDkimClass = (r: string) => (['invalid', 'neutral', 'permerror', 'policy'].includes(r) ? 'invalid' : r);

let nsd: NsdInstance;
let dir: string;
const keyFile = (name: string) => join(dir, `${name}.pem`);

before(async () => {
  if (skip) return;
  nsd = await startNsd(ZONES);
  dir = await mkdtemp(join(tmpdir(), 'moat-auth-'));
  await chmod(dir, 0o755);
  await writeFile(keyFile('example.test'), SENDER_KEY.pem);
  await writeFile(keyFile('partner.test'), PARTNER_KEY.pem);
  await writeFile(keyFile('strict.test'), SENDER_KEY.pem);
  await writeFile(keyFile('upper.test'), SENDER_KEY.pem);
  await writeFile(keyFile('relay.test'), RELAY_KEY.pem);
});
after(async () => {
  await nsd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scorerFor(stateDir: string, extra = '') {
  const { config } = loadConfig([{ file: 'moat.toml', text: `[global]\nstate_dir = "${stateDir}"\n[antispam]\ndns_servers = ["${nsd.address}"]\n${extra}` }]);
  return openSpamScorer(config, createLogger({ level: 'silent' }));
}

function build(c: Case): string {
  let message = unsigned(c.from);
  if (c.sign) message = perl(['sign', keyFile(c.sign[0]), c.sign[0], 'sel1', c.sign[1], 'from:to:subject:date:message-id'], message);
  if (c.after) message = c.after(message);
  if (c.seal) message = perl(['seal', String(nsd.port), keyFile('relay.test'), 'relay.test', 'arc', 'relay.test'], message);
  if (c.afterSeal) message = c.afterSeal(message);
  return message;
}

test('SPF, DKIM, DMARC and ARC: Moat agrees with Mail::SPF, Mail::DKIM and Mail::DMARC on every case, and both with the RFCs', { skip }, async () => {
  const state = join(dir, 'state-differential');
  const { scorer, store } = await scorerFor(state);
  try {
    const disagreements: string[] = [];
    for (const c of CASES) {
      const message = build(c);
      const verdict = await scorer.check({ message: Buffer.from(message), mailFrom: c.mailFrom, rcptTo: ['bob@ours.test'], clientAddress: c.ip, helo: c.helo });
      const header = verdict.headers.find((h) => h.name === 'Authentication-Results');
      assert.ok(header, `${c.name}: no Authentication-Results`);
      const moat = authResults(header.value);
      const reference = JSON.parse(perl(['verify', String(nsd.port), c.ip, c.helo, c.mailFrom || '-'], message)) as Results;
      for (const method of ['spf', 'dkim', 'dmarc', 'arc'] as const) {
        const [m, r, e] = method === 'dkim' ? [moat.dkim, reference.dkim, c.expected.dkim].map(sameDkimClass) : [moat[method], reference[method], c.expected[method]];
        if (m !== e || r !== e) disagreements.push(`${c.name}: ${method}: Moat ${m}, Perl ${r}, expected ${e}`);
      }
    }
    assert.deepEqual(disagreements, []);
  } finally {
    await store.close();
  }
});

test('the verdict scores what the checks found: a forged From of a p=reject domain weighs 3.5 with SPF fail', { skip }, async () => {
  const { scorer, store } = await scorerFor(join(dir, 'state-symbols'));
  try {
    const forged = await scorer.check({ message: Buffer.from(unsigned('ceo@example.test')), mailFrom: 'ceo@example.test', rcptTo: ['bob@ours.test'], clientAddress: '203.0.113.66', helo: 'forger.example.net' });
    const score = Object.fromEntries(forged.symbols.map((s) => [s.name, s.score]));
    assert.equal(score.R_SPF_FAIL, 1.5);
    assert.equal(score.DMARC_POLICY_FAIL, 3.5, 'p=reject');
    const upper = await scorer.check({ message: Buffer.from(unsigned('ceo@upper.test')), mailFrom: 'ceo@upper.test', rcptTo: ['bob@ours.test'], clientAddress: '203.0.113.66', helo: 'forger.example.net' });
    assert.equal(upper.symbols.find((s) => s.name === 'DMARC_POLICY_FAIL')?.score, 3.5, 'p=REJECT weighs as p=reject');
    // An MDA given an empty CLIENT_ADDRESS: not an address, so the client is read from the Received line the site's MTA wrote.
    const received = 'Received: from forger.example.net (forger.example.net [203.0.113.66])\r\n\tby mx.ours.test (Postfix) with ESMTP id 9F;\r\n\tMon, 07 Dec 2026 10:00:01 +0000 (UTC)\r\n';
    const emptyClient = await scorer.check({ message: Buffer.from(received + unsigned('ceo@example.test')), mailFrom: 'ceo@example.test', rcptTo: ['bob@ours.test'], clientAddress: '' });
    const emptyScores = Object.fromEntries(emptyClient.symbols.map((s) => [s.name, s.score]));
    assert.equal(emptyScores.R_SPF_FAIL, 1.5, JSON.stringify(emptyScores));
    assert.equal(emptyScores.DMARC_POLICY_FAIL, 3.5);
    const signed = await scorer.check({ message: Buffer.from(build(CASES[9]!)), mailFrom: 'alice@example.test', rcptTo: ['bob@ours.test'], clientAddress: '192.0.2.10', helo: 'mail.example.test' });
    const names = signed.symbols.map((s) => s.name);
    for (const n of ['R_SPF_ALLOW', 'R_DKIM_ALLOW', 'DMARC_POLICY_ALLOW']) assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
  } finally {
    await store.close();
  }
});

function classify(configText: string, file: string, ...args: string[]) {
  const configFile = join(dir, 'classify.toml');
  return writeFile(configFile, configText).then(() => {
    const r = spawnSync(process.execPath, [MOAT_BIN, '--config', configFile, 'classify', '--network', '--json', ...args, file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { symbols: Array<{ name: string; score: number }> };
    return Object.fromEntries(out.symbols.map((s) => [s.name, s.score]));
  });
}

test('moat classify --network judges SPF for the client your MTA recorded and the Return-Path, not for an address that never sent the mail', { skip }, async () => {
  const configText = `[global]\nstate_dir = "${join(dir, 'state-classify')}"\n[antispam]\ndns_servers = ["${nsd.address}"]\ntrusted_received = 1\n`;
  const received = 'Received: from mail.example.test (mail.example.test [192.0.2.10])\r\n\tby mx.ours.test (Postfix) with ESMTPS id 4AB12 for <bob@ours.test>;\r\n\tMon, 07 Dec 2026 10:00:01 +0000 (UTC)\r\n';
  const stored = join(dir, 'stored.eml');
  await writeFile(stored, `Return-Path: <alice@example.test>\r\n${received}${unsigned('alice@example.test')}`);
  const fromReceived = await classify(configText, stored);
  assert.equal(fromReceived.R_SPF_ALLOW, -0.2, JSON.stringify(fromReceived));
  assert.equal(fromReceived.DMARC_POLICY_ALLOW, -0.5);
  assert.equal(fromReceived.DMARC_POLICY_FAIL, undefined, 'legitimate mail is not called forged (it was, when SPF was judged for 127.0.0.1)');

  const told = await classify(configText, stored, '--client-ip', '203.0.113.66', '--helo', 'forger.example.net');
  assert.equal(told.R_SPF_FAIL, 1.5, 'the client given on the command line is the one judged');
  assert.equal(told.DMARC_POLICY_FAIL, 3.5);

  const bare = join(dir, 'bare.eml');
  await writeFile(bare, unsigned('alice@example.test'));
  const unknown = await classify(configText, bare);
  assert.equal(unknown.AUTH_CLIENT_UNKNOWN, 0, JSON.stringify(unknown));
  assert.equal(unknown.DMARC_POLICY_FAIL, undefined, 'no DMARC fail from an SPF check nobody could make');
  assert.equal(unknown.R_SPF_FAIL, undefined);

  const signedBare = join(dir, 'signed-bare.eml');
  await writeFile(signedBare, build(CASES[9]!));
  const viaDkim = await classify(configText, signedBare);
  assert.equal(viaDkim.R_DKIM_ALLOW, -0.2, JSON.stringify(viaDkim));
  assert.equal(viaDkim.DMARC_POLICY_ALLOW, -0.5, 'DMARC still passes through an aligned DKIM signature');
});

test('standard output stays Moat\'s: a DKIM l= tag that does not match the body (mailauth prints a line for it) goes to standard error', { skip }, async () => {
  const configFile = join(dir, 'lines.toml');
  await writeFile(configFile, `[global]\nstate_dir = "${join(dir, 'state-lines')}"\n[antispam]\ndns_servers = ["${nsd.address}"]\n`);
  const file = join(dir, 'l-tag.eml');
  await writeFile(file, `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=sel1; l=99999;\r\n h=from:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA\r\n${unsigned('alice@example.test')}`);
  const r = spawnSync(process.execPath, [MOAT_BIN, '--config', configFile, 'classify', '--network', '--json', file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one JSON line per message, nothing else:\n${r.stdout}`);
  assert.doesNotThrow(() => JSON.parse(lines[0]!));
  assert.match(r.stderr, /EXPECTING 99999/, 'the library\'s line is still there for whoever reads standard error');
});
