import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from './main.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { startCaptureSink } from '../../test/e2e/harness/capture-sink.js';

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('moat quarantine release --as-ham delivers the message and teaches Bayes it is ham; a release without --as-ham learns nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-release-'));
  const stateDir = join(dir, 'state');
  const sink = await startCaptureSink();
  try {
    const config = join(dir, 'moat.toml');
    await writeFile(config, `[global]\nstate_dir = "${stateDir}"\n[quarantine]\nrelease_host = "127.0.0.1"\nrelease_port = ${sink.port}\n`);
    // Two messages held as spam, as the daemon's quarantine action stores them.
    const held = (marker: string) => Buffer.from(`From: news@shop.example\r\nTo: bob@example.com\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <${marker}@shop.example>\r\nSubject: quarterly newsletter\r\n\r\nThe ${marker} newsletter bob asked for\r\n`);
    const store = openSqliteStore(stateDir);
    const put = (marker: string) => store.quarantine.put({ transactionId: marker, envelope: { mailFrom: 'news@shop.example', rcptTo: ['bob@example.com'] }, client: {}, reason: 'spam', detections: ['BAYES_99'], recipients: ['bob@example.com'] }, held(marker), new Date());
    const [plainId, hamId] = [await put('plainmarker'), await put('hammarker')];
    store.close();

    const run = async (...args: string[]) => {
      const out = capture();
      const err = capture();
      const code = await main([...args, '--config', config], { stdout: out.stream, stderr: err.stream, env: {} });
      return { code, out: out.text(), err: err.text() };
    };
    const learned = async () => {
      const stats = await run('learn', '--stats', '--json');
      assert.equal(stats.code, 0, stats.err);
      const { spam, ham } = JSON.parse(stats.out) as { spam: number; ham: number };
      return { spam, ham };
    };

    const plain = await run('quarantine', 'release', plainId);
    assert.equal(plain.code, 0, plain.err);
    assert.equal(plain.out, `${plainId}: released to bob@example.com\n`);
    assert.equal(sink.messages.length, 1);
    assert.deepEqual(await learned(), { spam: 0, ham: 0 }, 'released without --as-ham: nothing learned');
    assert.equal(existsSync(join(stateDir, 'bayes.db')), false, 'the Bayes store is not even opened');

    const asHam = await run('quarantine', 'release', hamId, '--as-ham');
    assert.equal(asHam.code, 0, asHam.err);
    assert.equal(asHam.out, `${hamId}: released to bob@example.com\n`);
    assert.equal(asHam.err, '', 'no learning failure reported');
    assert.equal(sink.messages.length, 2);
    assert.match(sink.messages[1]!.data.toString(), /hammarker/);
    assert.deepEqual(await learned(), { spam: 0, ham: 1 }, 'released --as-ham: learned as ham');
    // It is that message that was learned: its own words are the learned ham's tokens.
    const db = new Database(join(stateDir, 'bayes.db'), { readonly: true });
    try {
      const tokens = JSON.parse(db.prepare('SELECT tokens FROM learned').pluck().get() as string) as string[];
      assert.ok(tokens.includes('hammarker') && !tokens.includes('plainmarker'), tokens.join(' '));
    } finally {
      db.close();
    }
  } finally {
    await sink.close();
  }
});
