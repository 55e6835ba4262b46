import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, extractGlobalOptions } from './main.js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import Database from 'better-sqlite3';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';
import { learnMessage } from '../antispam/spam-scorer.js';

/** Removes a test's keys from the Redis on 127.0.0.1:6379. */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('global options are taken anywhere before "--"', () => {
  const g = extractGlobalOptions(['mda', '--config', 'x.toml', '-q', '--', 'procmail', '--state-dir', 'y']);
  assert.equal(g.config, 'x.toml');
  assert.equal(g.stateDir, undefined);
  assert.deepEqual(g.rest, ['mda', '-q', '--', 'procmail', '--state-dir', 'y']);
});

test('moat config check reports a bad file with exit 2', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-'));
  const file = join(dir, 'moat.toml');
  await writeFile(file, '[engine]\nworkers = -1\n');
  const out = capture();
  const err = capture();
  const code = await main(['config', 'check', '--config', file], { stdout: out.stream, stderr: err.stream, env: {} });
  assert.equal(code, 2);
  assert.match(err.text(), /CONFIG_INVALID: .*moat\.toml: key "engine\.workers": got -1/);
});

test('the shipped example configuration (config/moat.toml.example) is valid', async () => {
  const file = fileURLToPath(new URL('../../config/moat.toml.example', import.meta.url));
  const out = capture();
  const err = capture();
  assert.equal(await main(['config', 'check', '--config', file], { stdout: out.stream, stderr: err.stream, env: {} }), 0, err.text());
  assert.match(out.text(), /configuration OK/);
});

test('moat --help lists the commands and moat config --help explains the command', async () => {
  const out = capture();
  assert.equal(await main(['--help'], { stdout: out.stream, stderr: out.stream, env: {} }), 0);
  assert.match(out.text(), /Commands:[\s\S]*scan[\s\S]*daemon/);
  const out2 = capture();
  assert.equal(await main(['config', '--help'], { stdout: out2.stream, stderr: out2.stream, env: {} }), 0);
  assert.match(out2.text(), /Usage: moat config check\|show/);
});

test('--state-dir overrides the configured state directory', async () => {
  const out = capture();
  const code = await main(['config', 'show', '--state-dir', '/srv/moat'], { stdout: out.stream, stderr: out.stream, env: {}, cwd: '/' });
  assert.equal(code, 0);
  assert.match(out.text(), /^state_dir = "\/srv\/moat"  # --state-dir$/m);
});

test('moat learn fits the opt-in spam model; moat classify shows LOGREG_*; moat learn --refit alone refits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-learn-'));
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam.bayes]\nmin_learned = 5\nautolearn = false\n[antispam.model]\nenabled = true\n`);
  await mkdir(join(dir, 'spam'));
  await mkdir(join(dir, 'ham'));
  for (let i = 0; i < 8; i++) {
    await writeFile(join(dir, 'spam', `${i}.eml`), `From: deals${i}@promo.example\r\nSubject: cheap meds ${i}\r\n\r\nBuy cheap meds online now, offer ${i}\r\n`);
    await writeFile(join(dir, 'ham', `${i}.eml`), `From: alice@work.example\r\nSubject: meeting notes ${i}\r\n\r\nNotes from the project meeting ${i}\r\n`);
  }
  const run = async (...args: string[]) => {
    const out = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: out.stream, env: {} });
    return { code, text: out.text() };
  };
  const spam = await run('learn', '--spam', '--quiet', join(dir, 'spam'));
  assert.equal(spam.code, 0, spam.text);
  assert.match(spam.text, /Spam model not fitted yet: it needs 5 spam and ham .* \(has 8 spam, 0 ham\)/);
  const ham = await run('learn', '--ham', '--quiet', join(dir, 'ham'));
  assert.match(ham.text, /Learned 8 message\(s\) as ham.*\nSpam model fitted on 8 spam and 8 ham in \d+\.\d s/);
  const sample = join(dir, 'sample.eml');
  await writeFile(sample, 'From: deals9@promo.example\r\nSubject: cheap meds 9\r\n\r\nBuy cheap meds online now, offer 9\r\n');
  const verdict = JSON.parse((await run('classify', '--json', sample)).text) as { symbols: Array<{ name: string; score: number }> };
  assert.ok(verdict.symbols.some((s) => s.name === 'LOGREG_SPAM' && s.score > 0), JSON.stringify(verdict.symbols));
  // --tokens: what decided Bayes, each token with its probability and the learned messages holding it.
  const explained = await run('classify', '--tokens', sample);
  assert.match(explained.text, /^ {2}Bayes combined \d+ token\(s\); the \d+ weighing most towards spam and the \d+ towards ham/m);
  assert.match(explained.text, /^ {4}0\.9\d{3}  meds +in 8 spam, 0 ham$/m);
  assert.doesNotMatch((await run('classify', sample)).text, /Bayes combined/, 'only with --tokens');
  const tokens = (JSON.parse((await run('classify', '--json', '--tokens', sample)).text) as { bayesTokens: Array<{ token: string; probability: number; spam: number; ham: number }> }).bayesTokens;
  assert.deepEqual(tokens.find((t) => t.token === 'meds') && { ...tokens.find((t) => t.token === 'meds'), probability: 0 }, { token: 'meds', probability: 0, spam: 8, ham: 0 });
  assert.ok(tokens.every((t, i) => i === 0 || Math.abs(t.probability - 0.5) <= Math.abs(tokens[i - 1]!.probability - 0.5)), 'farthest from 0.5 first');
  const moved = await run('learn', '--ham', join(dir, 'spam', '0.eml'), sample);
  assert.match(moved.text, /0\.eml: moved from spam to ham\n.*sample\.eml: learned as ham\n/s, 'a message learned as spam, then as ham, is said to move');
  assert.match(moved.text, /Learned 2 message\(s\) as ham \(1 of them moved from spam\), 0 already known; the classifier now knows 7 spam and 10 ham/);
  assert.match((await run('learn', '--ham', sample)).text, /sample\.eml: already learned as ham\n/);
  const refit = await run('learn', '--refit');
  assert.equal(refit.code, 0);
  assert.match(refit.text, /^Spam model fitted on 7 spam and 10 ham/m);
  assert.equal((await run('learn')).code, 2, 'neither --spam, --ham nor --refit: usage');

  const stats = await run('learn', '--stats');
  assert.equal(stats.code, 0, stats.text);
  assert.match(stats.text, /^Bayes store: +SQLite .*bayes\.db, \d+\.\d MB$/m);
  assert.match(stats.text, /^Learned: +7 spam, 10 ham \(keeps at most 20000/m);
  assert.match(stats.text, /^Bayes: +scoring \(at least 5 spam and 5 ham learned: \[antispam\.bayes\] min_learned\)$/m);
  assert.match(stats.text, /^Spam model: +on, fitted, up to date \(17 message\(s\) with features\)$/m);
  const json = JSON.parse((await run('learn', '--stats', '--json')).text) as { spam: number; ham: number; tokens: number; bayesScoring: boolean; model: { fittedAt?: number; changesSinceFit?: number } };
  assert.deepEqual([json.spam, json.ham, json.bayesScoring, json.model.changesSinceFit], [7, 10, true, 0]);
  assert.ok(json.tokens > 10);

  // The copy a user's Maildir holds after delivery (trace headers on top, [SPAM] subject, LF line
  // ends) is the message learned from spam/1.eml: --forget finds it.
  const deliveredCopy = join(dir, 'delivered.eml');
  await writeFile(deliveredCopy, 'Return-Path: <deals1@promo.example>\nDelivered-To: bob@example.org\nX-Spam-Flag: YES\nFrom: deals1@promo.example\nSubject: [SPAM] cheap meds 1\n\nBuy cheap meds online now, offer 1\n');
  const never = join(dir, 'never.eml');
  const neverText = 'From: carol@example.org\r\nSubject: lunch\r\n\r\nLunch at noon?\r\n';
  await writeFile(never, neverText);
  const forgot = await run('learn', '--forget', deliveredCopy, never);
  assert.equal(forgot.code, 0, forgot.text);
  assert.match(forgot.text, /delivered\.eml: forgotten \(had been learned as spam\)\n/);
  assert.match(forgot.text, /never\.eml: not learned: nothing to forget\n/);
  assert.match(forgot.text, /Forgot 1 message\(s\), 1 not learned; the classifier now knows 6 spam and 10 ham\nSpam model fitted on 6 spam and 10 ham/);
  assert.match((await run('learn', '--forget', deliveredCopy)).text, /Forgot 0 message\(s\), 1 not learned/);
  assert.match((await run('learn', '--spam', deliveredCopy)).text, /delivered\.eml: learned as spam/, 'a forgotten message can be learned again');
  // What the daemon's autolearn does: learn without refitting. --stats says the model is behind.
  const asDaemon = openSqliteTokenStore(join(dir, 'state'));
  await learnMessage(asDaemon, Buffer.from(neverText), 'ham', true);
  await asDaemon.close();
  assert.match((await run('learn', '--stats')).text, /^Spam model: +on, fitted; 1 message\(s\) learned or forgotten since \(the daemon refits every 15 min; moat learn --refit fits now\)$/m);
  for (const usage of [['--stats', sample], ['--forget', '--spam', sample], ['--json', '--spam', sample], ['--forget'], ['--stats', '--refit']]) assert.equal((await run('learn', ...usage)).code, 2, usage.join(' '));
  // Forgotten below min_learned: Bayes and the model fall silent, and the model is not refitted.
  assert.match((await run('learn', '--forget', join(dir, 'spam', '2.eml'), join(dir, 'spam', '3.eml'), join(dir, 'spam', '4.eml'))).text, /now knows 4 spam and \d+ ham/);
  const below = (await run('learn', '--stats')).text;
  assert.match(below, /^Bayes: +not scoring yet: it needs 5 spam and 5 ham learned \(\[antispam\.bayes\] min_learned\); 1 spam and 0 ham to go$/m);
  assert.match(below, /^Spam model: +on, fitted, but silent and not refitted while fewer than 5 spam and 5 ham are learned/m);

  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n`);
  const off = await run('learn', '--refit');
  assert.equal(off.code, 2, 'refit asked with the model off');
  assert.match(off.text, /the spam model is off \(\[antispam\.model\] enabled = false\)/);
});

test('moat learn and moat classify read a mailbox copy as Moat saw it: the same tokens as the message it scored, and a move, not a second message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-copy-'));
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam]\nauthentication = false\n[antispam.bayes]\nmin_learned = 1\nautolearn = false\n[users."bob@example.com"]\nsubject_tag_spam = "*** BULK ***"\n`);
  const original = 'Received: from mail.shop.example (mail.shop.example [192.0.2.7])\r\n\tby mx.example.com (Postfix) with ESMTPS id 4F1\r\nFrom: Shop <news@shop.example>\r\nTo: bob@example.com\r\nSubject: Autumn offers\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <n1@shop.example>\r\n\r\nAutumn offers, cheap meds and more.\r\n';
  // As Dovecot stores it after Moat passed it on as spam, with bob's own tag: later hops on top, Moat's run, LF.
  const copy = `Return-Path: <news@shop.example>\nDelivered-To: bob@example.com\nReceived: from localhost (localhost [127.0.0.1])\n\tby mx.example.com (Postfix) with ESMTP id 5A2\nX-Virus-Scanned: Moat (signatures moat-builtin:1)\nX-Moat-Result: clean\nX-Spam-Flag: YES\nX-Spam-Status: Yes, score=9.1 required=5.0 tests=BAYES_99 autolearn=no\nX-Spam-Level: *********\n${original.replace('Subject: Autumn', 'Subject: *** BULK *** Autumn').replace(/\r\n/g, '\n')}`;
  await writeFile(join(dir, 'original.eml'), original);
  await writeFile(join(dir, 'copy.eml'), copy);
  // Ham that knows the copy's extra tokens (its last hop, its tag), so reading them would show.
  await writeFile(join(dir, 'ham.eml'), 'Received: from localhost (localhost [127.0.0.1])\r\n\tby mx.example.com (Postfix) with ESMTP id 9C3\r\nFrom: alice@work.example\r\nSubject: bulk notes\r\n\r\nMeeting notes\r\n');
  const run = async (...args: string[]) => {
    const out = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: out.stream, env: {} });
    return { code, text: out.text() };
  };
  await run('learn', '--spam', join(dir, 'original.eml'));
  await run('learn', '--ham', join(dir, 'ham.eml'));
  const learnedTokens = () => {
    const db = new Database(join(dir, 'state', 'bayes.db'), { readonly: true });
    try {
      return (JSON.parse(db.prepare("SELECT tokens FROM learned WHERE tokens LIKE '%autumn%'").pluck().get() as string) as string[]).sort();
    } finally {
      db.close();
    }
  };
  const asLearned = learnedTokens();
  const tokensOf = async (file: string) => {
    const { path: _path, ...verdict } = JSON.parse((await run('classify', '--json', '--tokens', file)).text) as { path: string; score: number; bayesTokens: Array<{ token: string }> };
    return verdict;
  };
  const [fromOriginal, fromCopy] = [await tokensOf(join(dir, 'original.eml')), await tokensOf(join(dir, 'copy.eml'))];
  assert.deepEqual(fromCopy, fromOriginal, 'classify scores the copy as the original: same score, same Bayes tokens');
  assert.ok(!fromCopy.bayesTokens.some((t) => /localhost|bulk|^Hreceived:esmtp$/.test(t.token)));
  assert.match((await run('learn', '--ham', join(dir, 'copy.eml'))).text, /copy\.eml: moved from spam to ham\n/);
  assert.deepEqual(learnedTokens(), asLearned, 'learned with the tokens of the message Moat scored');
  assert.match((await run('learn', '--forget', join(dir, 'copy.eml'))).text, /copy\.eml: forgotten \(had been learned as ham\)/);
});

test('moat learn --stats on a state directory with nothing learned says so, says what Bayes waits for, and creates nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-stats-'));
  const out = capture();
  const code = await main(['learn', '--stats', '--state-dir', join(dir, 'state')], { stdout: out.stream, stderr: out.stream, env: {} });
  assert.equal(code, 0, out.text());
  assert.match(out.text(), /^Bayes store: +SQLite — none: .*bayes\.db does not exist$/m);
  assert.match(out.text(), /^Learned: +0 spam, 0 ham/m);
  assert.match(out.text(), /^Bayes: +not scoring yet: it needs 200 spam and 200 ham learned \(\[antispam\.bayes\] min_learned\); 200 spam and 200 ham to go$/m);
  assert.match(out.text(), /^Spam model: +off \(\[antispam\.model\] enabled = false\)/m);
  assert.equal(existsSync(join(dir, 'state')), false, 'nothing created');
  // With anti-spam off the daemon neither scores nor learns: --stats says so rather than "Autolearn: on".
  const config = join(dir, 'off.toml');
  await writeFile(config, '[antispam]\nenabled = false\n');
  const off = capture();
  assert.equal(await main(['learn', '--stats', '--state-dir', join(dir, 'state'), '--config', config], { stdout: off.stream, stderr: off.stream, env: {} }), 0);
  assert.match(off.text(), /^Anti-spam: +off \(\[antispam\] enabled = false\)/m);
  assert.match(off.text(), /^Bayes: +not scoring: anti-spam is off$/m);
  assert.match(off.text(), /^Autolearn: +off \(anti-spam is off\)$/m);
  const json = capture();
  assert.equal(await main(['learn', '--json', '--state-dir', join(dir, 'state')], { stdout: json.stream, stderr: json.stream, env: {} }), 2);
  assert.equal(json.text(), 'moat learn: --json goes with --stats alone\n');
});

test('moat config rules lists the rules in effect: a site file\'s override replaces the shipped rule and says where it is; trained scores only when in use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-rules-'));
  const site = join(dir, 'site.toml');
  await writeFile(site, '[[rule]]\nname = "BODY_PHARMA"\nscore = 4\nscore_trained = 1\ndescription = "Pharmacy words, site weight"\nfield = "body"\nliterals = ["viagra"]\n[[rule]]\nname = "SITE_LOTTERY"\nscore = 2\ndescription = "Lottery wins"\nfield = "subject"\nregex = "you (have )?won"\nprefilter = "won"\n');
  const config = join(dir, 'moat.toml');
  const run = async (toml: string, ...args: string[]) => {
    await writeFile(config, toml);
    const out = capture();
    const err = capture();
    const code = await main(['config', ...args, '--config', config], { stdout: out.stream, stderr: err.stream, env: {} });
    return { code, text: out.text(), err: err.text() };
  };
  const plain = await run(`[antispam]\nrules = ["${site}"]\n`, 'rules');
  assert.equal(plain.code, 0, plain.err);
  assert.match(plain.text, new RegExp(`^BODY_PHARMA +\\+4  Pharmacy words, site weight\\n +body: "viagra"\\n +${site.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: \\[\\[rule\\]\\] #1 \\(BODY_PHARMA\\)\\n`, 'm'));
  assert.match(plain.text, /^SITE_LOTTERY +\+2  Lottery wins\n +subject: regex "you \(have \)\?won" where "won" appears\n/m);
  assert.match(plain.text, /^PHISH_COMBO +\+2  .*\n +meta: all of PHISH_LINK_MISMATCH, BODY_URGENT_ACCOUNT\n +.*default\.toml: \[\[rule\]\] #\d+ \(PHISH_COMBO\)\n/m);
  assert.match(plain.text, /^BODY_OBFUSCATED_WORD +\+2\.5  .*\n +body: "viagra", "cialis", "levitra" and \d+ more written hidden \(look-alikes, spread out\)\n/m);
  assert.equal(plain.text.match(/^BODY_PHARMA /gm)?.length, 1, 'the override replaces the shipped rule');
  const trained = await run(`[antispam]\ntrained_rule_scores = true\nrules = ["${site}"]\n`, 'rules', '--json');
  const list = JSON.parse(trained.text) as Array<{ name: string; score: number; scoreTrained?: number; origin: string }>;
  assert.deepEqual(list.find((r) => r.name === 'BODY_PHARMA'), { name: 'BODY_PHARMA', score: 4, scoreTrained: 1, description: 'Pharmacy words, site weight', test: 'body: "viagra"', origin: `${site}: [[rule]] #1 (BODY_PHARMA)` });
  assert.equal(list.find((r) => r.name === 'SITE_LOTTERY')?.scoreTrained, undefined);
  assert.equal((await run('', 'show', '--json')).code, 2, '--json goes with rules');
  assert.equal((await run('', 'rules', '--verbose')).code, 2);
});

test('moat learn --forget and --stats with the Redis store (the Redis on 127.0.0.1:6379): the URL without its password, the counts, the tokens under this prefix only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-redis-'));
  const prefix = `moat-test:${randomBytes(6).toString('hex')}:`;
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[antispam.bayes]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:6379/0"\nredis_prefix = "${prefix}"\nmin_learned = 1\n`);
  const spam = join(dir, 'spam.eml');
  const ham = join(dir, 'ham.eml');
  await writeFile(spam, 'Date: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <r1@promo.example>\r\nFrom: deals@promo.example\r\nSubject: cheap meds\r\n\r\nBuy cheap meds online now\r\n');
  await writeFile(ham, 'Date: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <r2@work.example>\r\nFrom: alice@work.example\r\nSubject: meeting notes\r\n\r\nNotes from the project meeting\r\n');
  const run = async (...args: string[]) => {
    const out = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: out.stream, env: {} });
    return { code, text: out.text() };
  };
  try {
    assert.equal((await run('learn', '--spam', spam)).code, 0);
    assert.equal((await run('learn', '--ham', ham)).code, 0);
    const stats = await run('learn', '--stats');
    assert.equal(stats.code, 0, stats.text);
    assert.match(stats.text, new RegExp(`^Bayes store: +Redis redis://127\\.0\\.0\\.1:6379/0 prefix "${prefix}"$`, 'm'));
    assert.match(stats.text, /^Learned: +1 spam, 1 ham/m);
    assert.match(stats.text, /^Bayes: +scoring/m);
    const before = (JSON.parse((await run('learn', '--stats', '--json')).text) as { tokens: number }).tokens;
    assert.match((await run('learn', '--forget', spam)).text, /spam\.eml: forgotten \(had been learned as spam\)\n.*now knows 0 spam and 1 ham/s);
    const after = JSON.parse((await run('learn', '--stats', '--json')).text) as { tokens: number; spam: number; bayesScoring: boolean };
    assert.ok(after.tokens < before && after.tokens > 0, `${before} → ${after.tokens} tokens`);
    assert.deepEqual([after.spam, after.bayesScoring], [0, false]);
  } finally {
    await deleteRedisKeys(prefix);
  }
});

test('moat learn --export of a bayes.db from before the counters and the spam model (no meta table, no seq or features columns) exports what it learned', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-old-export-'));
  await mkdir(join(dir, 'state'));
  const old = new Database(join(dir, 'state', 'bayes.db'));
  old.exec(`CREATE TABLE tokens (token TEXT PRIMARY KEY, spam INTEGER NOT NULL DEFAULT 0, ham INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TABLE learned (key TEXT PRIMARY KEY, class TEXT NOT NULL, tokens TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO tokens VALUES ('pills', 1, 0), ('notes', 0, 1);
            INSERT INTO learned VALUES ('${'a'.repeat(32)}', 'spam', '["pills"]'), ('${'b'.repeat(32)}', 'ham', '["notes"]');`);
  old.close();
  const out = capture();
  const err = capture();
  assert.equal(await main(['learn', '--export', '-', '--state-dir', join(dir, 'state')], { stdout: out.stream, stderr: err.stream, env: {} }), 0, err.text());
  const lines = out.text().trim().split('\n');
  assert.match(lines[0]!, /"spam":1,"ham":1/);
  assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l) as unknown), [{ key: 'a'.repeat(32), class: 'spam', tokens: ['pills'] }, { key: 'b'.repeat(32), class: 'ham', tokens: ['notes'] }]);
  assert.equal(err.text(), 'Exported 1 spam and 1 ham\n');
});

test('moat learn --export and --import move what Bayes learned between stores (SQLite → Redis, SQLite → SQLite): same counts, same tokens, same verdicts; bad input named, never overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-transfer-'));
  const prefix = `moat-test:${randomBytes(6).toString('hex')}:`;
  await mkdir(join(dir, 'spam'));
  await mkdir(join(dir, 'ham'));
  for (let i = 0; i < 6; i++) {
    await writeFile(join(dir, 'spam', `${i}.eml`), `Message-ID: <s${i}@promo.example>\r\nFrom: deals${i}@promo.example\r\nSubject: cheap meds ${i}\r\n\r\nBuy cheap meds online now, offer ${i}\r\n`);
    await writeFile(join(dir, 'ham', `${i}.eml`), `Message-ID: <h${i}@work.example>\r\nFrom: alice@work.example\r\nSubject: meeting notes ${i}\r\n\r\nNotes from the project meeting ${i}\r\n`);
  }
  const configs = { from: join(dir, 'from.toml'), sqlite: join(dir, 'sqlite.toml'), redis: join(dir, 'redis.toml') };
  await writeFile(configs.from, `[global]\nstate_dir = "${join(dir, 'from')}"\n[antispam.bayes]\nmin_learned = 5\n`);
  await writeFile(configs.sqlite, `[global]\nstate_dir = "${join(dir, 'to')}"\n[antispam.bayes]\nmin_learned = 5\n`);
  await writeFile(configs.redis, `[antispam.bayes]\nmin_learned = 5\nbackend = "redis"\nredis_prefix = "${prefix}"\n`);
  const run = async (config: string, ...args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: err.stream, env: {} });
    return { code, text: out.text(), err: err.text() };
  };
  try {
    await run(configs.from, 'learn', '--spam', '--quiet', join(dir, 'spam'));
    await run(configs.from, 'learn', '--ham', '--quiet', join(dir, 'ham'));
    const file = join(dir, 'bayes.jsonl');
    const exported = await run(configs.from, 'learn', '--export', file);
    assert.equal(exported.code, 0, exported.err);
    assert.equal(exported.err, `Exported 6 spam and 6 ham to ${file}\n`);
    const again = await run(configs.from, 'learn', '--export', file);
    assert.equal(again.code, 2);
    assert.match(again.err, /EEXIST/, 'an existing export is never overwritten');
    const stats = async (config: string) => {
      const { spam, ham, tokens } = JSON.parse((await run(config, 'learn', '--stats', '--json')).text) as { spam: number; ham: number; tokens: number };
      return { spam, ham, tokens };
    };
    const sample = join(dir, 'sample.eml');
    await writeFile(sample, 'Message-ID: <x@promo.example>\r\nFrom: deals9@promo.example\r\nSubject: cheap meds\r\n\r\nBuy cheap meds online now\r\n');
    const verdict = async (config: string) => (JSON.parse((await run(config, 'classify', '--json', sample)).text) as { score: number; symbols: Array<{ name: string }> }).symbols.map((x) => x.name).sort();
    for (const target of [configs.sqlite, configs.redis]) {
      const imported = await run(target, 'learn', '--import', file);
      assert.equal(imported.code, 0, imported.err);
      assert.match(imported.text, /^Imported 12 message\(s\) \(12 new, 0 moved to the exported class\), 0 already known; the classifier now knows 6 spam and 6 ham$/m);
      assert.deepEqual(await stats(target), await stats(configs.from));
      assert.deepEqual(await verdict(target), await verdict(configs.from));
      assert.match((await run(target, 'learn', '--import', file)).text, /Imported 0 message\(s\) .*12 already known/, 'importing twice changes nothing');
    }
    // A damaged line is named and skipped; the rest is learned; exit 2.
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[3] = '{"key":"nope"}';
    await writeFile(join(dir, 'damaged.jsonl'), lines.join('\n'));
    await writeFile(configs.sqlite, `[global]\nstate_dir = "${join(dir, 'to2')}"\n`);
    const damaged = await run(configs.sqlite, 'learn', '--import', join(dir, 'damaged.jsonl'));
    assert.equal(damaged.code, 2);
    assert.match(damaged.err, /damaged\.jsonl: line 4: "key" is not 32 hex digits; skipped/);
    assert.match(damaged.text, /Imported 11 message\(s\).*1 bad line\(s\) skipped/);
    const notExport = await run(configs.sqlite, 'learn', '--import', join(dir, 'spam', '0.eml'));
    assert.equal(notExport.code, 2);
    assert.match(notExport.err, /not a moat learn --export file/);
    assert.equal((await run(configs.sqlite, 'learn', '--export', file, '--spam')).code, 2, '--export goes alone');
    // Not an export, into a state directory with no store: refused before a store is created.
    await writeFile(configs.sqlite, `[global]\nstate_dir = "${join(dir, 'fresh')}"\n`);
    assert.equal((await run(configs.sqlite, 'learn', '--import', join(dir, 'spam', '0.eml'))).code, 2);
    assert.equal(existsSync(join(dir, 'fresh')), false, 'nothing created');
    // No store to export: an error, never an empty backup.
    const missing = await run(configs.sqlite, 'learn', '--export', join(dir, 'empty.jsonl'));
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no Bayes database at .*fresh\/bayes\.db/);
    assert.equal(existsSync(join(dir, 'empty.jsonl')), false);
    // A store that keeps fewer messages than the export holds: said before and after.
    await writeFile(configs.sqlite, `[global]\nstate_dir = "${join(dir, 'small')}"\n[antispam.bayes]\nmax_learned = 5\n`);
    const small = await run(configs.sqlite, 'learn', '--import', file);
    assert.match(small.err, /warning: the export holds 12 messages and this store keeps at most 5 \(\[antispam\.bayes\] max_learned\)/);
    assert.match(small.text, /now knows \d spam and \d ham\nIt keeps at most 5 messages/);
    // A cut-short export is imported, with a warning that it holds fewer messages than announced.
    await writeFile(join(dir, 'cut.jsonl'), lines.slice(0, 6).join('\n'));
    const cut = await run(configs.sqlite, 'learn', '--import', join(dir, 'cut.jsonl'));
    assert.match(cut.err, /holds 5 of the 12 messages its header announces: it may have been cut short/);
  } finally {
    await deleteRedisKeys(prefix);
  }
});

test('moat learn with [antispam.bayes] max_learned keeps that many messages and says the oldest were forgotten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-limit-'));
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam.bayes]\nmax_learned = 5\n`);
  await mkdir(join(dir, 'spam'));
  for (let i = 0; i < 8; i++) await writeFile(join(dir, 'spam', `${i}.eml`), `From: deals${i}@promo.example\r\nSubject: offer ${i}\r\n\r\nBuy now, offer ${i}\r\n`);
  const out = capture();
  const code = await main(['learn', '--spam', '--quiet', join(dir, 'spam'), '--config', config], { stdout: out.stream, stderr: out.stream, env: {} });
  assert.equal(code, 0, out.text());
  assert.match(out.text(), /Learned 8 message\(s\) as spam, 0 already known; the classifier now knows 5 spam and 0 ham\n/);
  assert.match(out.text(), /It keeps at most 5 messages \(\[antispam\.bayes\] max_learned\): learning more forgets the least recently learned/);
});

test('moat config check refuses what the daemon would refuse at start: an unknown group, spam thresholds out of order', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-users-'));
  const file = join(dir, 'moat.toml');
  const check = async (text: string) => {
    await writeFile(file, text);
    const out = capture();
    const code = await main(['config', 'check', '--config', file], { stdout: out.stream, stderr: out.stream, env: {} });
    return { code, text: out.text() };
  };
  const unknown = await check('[users."bob@example.com"]\ngroup = "nosuch"\n');
  assert.equal(unknown.code, 2);
  assert.match(unknown.text, /CONFIG_INVALID: \[users\."bob@example\.com"\]: unknown group "nosuch"/);
  const order = await check('[users."bob@example.com"]\nrequired_score = 13\n');
  assert.equal(order.code, 2);
  assert.match(order.text, /required_score 13 \(from recipient:bob@example\.com\) is above quarantine_score 12 \(from \[antispam\]\)/);
  assert.equal((await check('[users."bob@example.com"]\nrequired_score = 3\n')).code, 0);
});

test('moat classify --rcpt judges with that recipient\'s spam thresholds; --from selects sender entries', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-rcpt-'));
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[users."strict@example.com"]\nrequired_score = 3\n[senders."@partner.example"]\nrequired_score = 10\nquarantine_score = 12\n`);
  const sample = join(dir, 'sample.eml');
  // 3.8 on the shipped rules: MISSING_DATE, SUBJ_ALL_CAPS, SUBJ_MONEY, SUBJ_EXCLAIM.
  await writeFile(sample, 'From: a@example.org\r\nMessage-ID: <c1@example.org>\r\nSubject: FREE MONEY NOW!!!\r\n\r\nmessage\r\n');
  const run = async (...args: string[]) => {
    const out = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: out.stream, env: {} });
    return { code, text: out.text() };
  };
  const json = async (...args: string[]) => JSON.parse((await run('classify', '--json', ...args, sample)).text) as { rcpt?: string; score: number; required: number; spam: boolean; action: string };
  const site = await json();
  assert.deepEqual([site.score, site.required, site.spam, site.action, 'rcpt' in site], [3.8, 5, false, 'no_action', false]);
  const strict = await json('--rcpt', 'strict@example.com');
  assert.deepEqual([strict.rcpt, strict.score, strict.required, strict.spam, strict.action], ['strict@example.com', 3.8, 3, true, 'add_header']);
  const partner = await json('--rcpt', 'bob@example.com', '--from', 'x@partner.example');
  assert.deepEqual([partner.required, partner.spam], [10, false]);
  const text = await run('classify', '--rcpt', 'strict@example.com', sample);
  assert.match(text.text, /^thresholds for strict@example\.com: its own \(global → recipient:strict@example\.com\)\n.*: SPAM score=3\.8 required=3\.0 action=add_header$/m);
  assert.equal((await run('classify', '--from', 'x@partner.example', sample)).code, 2, '--from without --rcpt');
});

test('moat learn carries on past a path it cannot read, says what it skipped, and exits 2 with the summary', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-badpath-'));
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n`);
  await writeFile(join(dir, 'a.eml'), 'From: a@example.org\r\nSubject: a\r\n\r\nfirst\r\n');
  await writeFile(join(dir, 'b.eml'), 'From: b@example.org\r\nSubject: b\r\n\r\nsecond\r\n');
  await writeFile(join(dir, 'notes.txt'), 'just some notes, not mail\n');
  const out = capture();
  const err = capture();
  const code = await main(['learn', '--spam', join(dir, 'a.eml'), join(dir, 'missing.eml'), join(dir, 'notes.txt'), join(dir, 'b.eml'), '--config', config], { stdout: out.stream, stderr: err.stream, env: {} });
  assert.equal(code, 2);
  assert.match(err.text(), /moat learn: .*missing\.eml: ENOENT/);
  assert.match(err.text(), /notes\.txt: skipped: not a mail message/);
  assert.match(out.text(), /b\.eml: learned as spam/, 'the paths after the bad one are learned');
  assert.match(out.text(), /^Learned 2 message\(s\) as spam, 0 already known, 1 skipped, 1 path\(s\) unreadable; the classifier now knows 2 spam and 0 ham$/m);
});

test('moat classify with a state directory that has no Bayes database says so and creates nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-nostate-'));
  await writeFile(join(dir, 'm.eml'), 'From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n');
  const bin = fileURLToPath(new URL('../../bin/moat.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'classify', '--state-dir', join(dir, 'typo'), join(dir, 'm.eml')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /m\.eml: ham score=/);
  assert.match(r.stderr, /no Bayes database here .*scoring without Bayes/);
  assert.equal(existsSync(join(dir, 'typo')), false, 'the mistyped state directory is not created');
});

test('moat learn stops at a failing Bayes store and says what it learned (exit 2); moat classify reports a path it cannot read and scores the rest (exit 2)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-storefail-'));
  const config = join(dir, 'moat.toml');
  // Nothing listens on port 1: the Redis store fails its first call after waiting for a connection.
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam.bayes]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:1"\n`);
  await writeFile(join(dir, 'a.eml'), 'From: a@example.org\r\nSubject: a\r\n\r\nfirst\r\n');
  await writeFile(join(dir, 'b.eml'), 'From: b@example.org\r\nSubject: b\r\n\r\nsecond\r\n');
  const out = capture();
  const err = capture();
  assert.equal(await main(['learn', '--spam', join(dir, 'a.eml'), join(dir, 'b.eml'), '--config', config], { stdout: out.stream, stderr: err.stream, env: {} }), 2);
  assert.match(err.text(), /moat learn: stopped, the Bayes store failed at .*a\.eml: .*not connected/);
  assert.match(out.text(), /^Learned 0 message\(s\) as spam, 0 already known$/m, 'the summary, without totals the store cannot give');
  const cOut = capture();
  const cErr = capture();
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'state')}"\n`);
  assert.equal(await main(['classify', join(dir, 'missing.eml'), join(dir, 'b.eml'), '--config', config], { stdout: cOut.stream, stderr: cErr.stream, env: {} }), 2);
  assert.match(cErr.text(), /moat classify: .*missing\.eml: ENOENT/);
  assert.match(cOut.text(), /b\.eml: ham score=/, 'the readable path is still scored');
});

test('moat classify refuses network options it cannot use, and config check refuses an authserv-id that is not one token', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-'));
  const message = join(dir, 'm.eml');
  await writeFile(message, 'From: a@example.org\r\nSubject: s\r\n\r\nhi\r\n');
  const run = async (args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await main(args, { stdout: out.stream, stderr: err.stream, env: {}, cwd: dir });
    return { code, err: err.text() };
  };
  const noNetwork = await run(['classify', '--client-ip', '192.0.2.1', message]);
  assert.deepEqual([noNetwork.code, noNetwork.err], [2, 'moat classify: --client-ip and --helo are for the network checks: add --network\n']);
  const notAnAddress = await run(['classify', '--network', '--client-ip', 'mail.example.org', message]);
  assert.deepEqual([notAnAddress.code, notAnAddress.err], [2, 'moat classify: --client-ip mail.example.org: not an IPv4 or IPv6 address\n']);
  const fromAlone = await run(['classify', '--from', 'a@example.org', message]);
  assert.equal(fromAlone.code, 2);
  assert.match(fromAlone.err, /--from needs --rcpt .* or --network/);
  const file = join(dir, 'moat.toml');
  await writeFile(file, '[antispam]\nauthserv_id = "mx.example.org; dkim=pass"\n');
  const bad = await run(['config', 'check', '--config', file]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /antispam\.authserv_id.*an authserv-id is one token/);
});
