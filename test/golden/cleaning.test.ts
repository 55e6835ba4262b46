import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { buildSnapshot, createScanner } from '../../src/engine/scanner.js';
import { EICAR } from '../../src/engine/sigdb/builtin-database.js';
import { createPipeline } from '../../src/pipeline/create-pipeline.js';
import { cleanByMimePart } from '../../src/pipeline/mime-cleaner.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { parseMail } from '../../src/mail/parse-mail.js';

const { snapshot } = await buildSnapshot({ paths: [], strict: false, pua: false });
const scanner = createScanner({ snapshot, workers: 1 });
after(() => scanner.close());

const CLEAN_PART = '--B\r\nContent-Type: text/plain\r\n\r\nKeep me exactly.\r\n';
const CLEAN_ATTACHMENT = '--B\r\nContent-Type: text/plain; name=notes.txt\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n';
const INFECTED = `--B\r\nContent-Type: application/octet-stream; name=eicar.com\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(EICAR).toString('base64')}\r\n`;
const MESSAGE = `From: a@example.com\r\nTo: b@example.com\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n${CLEAN_PART}${INFECTED}${CLEAN_ATTACHMENT}--B--\r\n`;

async function run(mode: string, parts = `${CLEAN_PART}${INFECTED}${CLEAN_ATTACHMENT}`): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-clean-'));
  const store = openSqliteStore(dir);
  try {
    const config = loadConfig([{ file: 't.toml', text: `[policy]\nav_clean_mode = "${mode}"\n` }]).config;
    const pipeline = createPipeline({ scanner, config: () => config, quarantine: store.quarantine, events: store.events, logger: silentLogger(), cleaner: cleanByMimePart });
    const out = await pipeline.process({ id: 't', agent: 'smtp', envelope: { mailFrom: 'a@example.com', rcptTo: ['b@example.com'] }, client: {}, message: { kind: 'buffer', data: Buffer.from(MESSAGE.replace(`${CLEAN_PART}${INFECTED}${CLEAN_ATTACHMENT}`, parts)) }, receivedAt: new Date() });
    assert.equal(out.groups.length, 1);
    const g = out.groups[0]!;
    assert.equal(g.action, 'accept', 'cleaned mail is delivered (action_av_deleted)');
    assert.equal(g.bodyReplaced, true);
    assert.equal(store.quarantine.list({ limit: 5 }).length, 1, 'the original is kept in quarantine');
    return g.message!.kind === 'buffer' ? g.message!.data.toString() : '';
  } finally {
    store.close();
  }
}

test('standard cleaning replaces only the infected part; the others stay byte-identical', async () => {
  const text = await run('standard');
  assert.match(text, /^X-Virus-Scanned: Moat/);
  assert.match(text, /X-Moat-Result: cleaned \(Eicar-Test-Signature\)/);
  assert.match(text, /Subject: \[virus Eicar-Test-Signature\] report/);
  assert.ok(text.includes(CLEAN_PART) && text.includes(CLEAN_ATTACHMENT), 'untouched parts byte-identical');
  assert.ok(!text.includes(Buffer.from(EICAR).toString('base64')));
  assert.match(text, /removed by Moat: infected with Eicar-Test-Signature/);
  const reparsed = parseMail(Buffer.from(text));
  assert.deepEqual(reparsed.ambiguities, []);
  assert.equal(reparsed.leaves.length, 3);
  assert.equal((await scanner.scan({ kind: 'buffer', data: Buffer.from(text) }, { isMail: true })).verdict, 'clean');
});

test('a second infected part after the first is cleaned too', async () => {
  const text = await run('standard', `${CLEAN_PART}${INFECTED}${CLEAN_ATTACHMENT}${INFECTED.replace('eicar.com', 'again.com')}`);
  assert.equal((text.match(/removed by Moat/g) ?? []).length, 2);
  assert.ok(text.includes(CLEAN_ATTACHMENT));
});

test('delete removes the infected part without a notice', async () => {
  const text = await run('delete');
  assert.equal(parseMail(Buffer.from(text)).leaves.length, 2);
  assert.ok(text.includes(CLEAN_PART) && text.includes(CLEAN_ATTACHMENT));
  assert.doesNotMatch(text, /removed by Moat/);
});

test('rigorous also replaces the clean attachment once anything is infected', async () => {
  const text = await run('rigorous');
  assert.ok(text.includes(CLEAN_PART));
  assert.ok(!text.includes('aGVsbG8gd29ybGQ='));
});
