import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from './main.js';

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

interface Verdict {
  path: string;
  score: number;
  symbols: Array<{ name: string; score: number }>;
}

test('moat classify --state-dir reads the Bayes of that directory, not the configured one; --json names each message by its path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-cli-classify-state-'));
  const config = join(dir, 'moat.toml');
  // The configured state directory is never written: only --state-dir can give classify a Bayes.
  await writeFile(config, `[global]\nstate_dir = "${join(dir, 'configured')}"\n[antispam.bayes]\nmin_learned = 1\nautolearn = false\n`);
  const file = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };
  const offer = await file('offer.eml', 'From: deals@promo.example\r\nSubject: cheap meds\r\n\r\nBuy cheap meds online now\r\n');
  const notes = await file('notes.eml', 'From: alice@work.example\r\nSubject: meeting notes\r\n\r\nNotes from the project meeting\r\n');
  const sample = await file('sample.eml', 'From: deals9@promo.example\r\nSubject: cheap meds today\r\n\r\nBuy cheap meds online today\r\n');
  const other = await file('other.eml', 'From: alice@work.example\r\nSubject: project meeting\r\n\r\nThe project meeting moved\r\n');
  const run = async (...args: string[]) => {
    const out = capture();
    const err = capture();
    const code = await main([...args, '--config', config], { stdout: out.stream, stderr: err.stream, env: {} });
    assert.equal(code, 0, err.text());
    return out.text();
  };
  // Two state directories that learned the same two messages the other way round.
  const [usual, reversed] = [join(dir, 'usual'), join(dir, 'reversed')];
  await run('learn', '--spam', '--state-dir', usual, offer);
  await run('learn', '--ham', '--state-dir', usual, notes);
  await run('learn', '--ham', '--state-dir', reversed, offer);
  await run('learn', '--spam', '--state-dir', reversed, notes);
  assert.equal(existsSync(join(dir, 'configured')), false);

  const classify = async (stateDir: string) => (await run('classify', '--json', '--state-dir', stateDir, sample, other)).trim().split('\n').map((line) => JSON.parse(line) as Verdict);
  const bayes = (v: Verdict) => v.symbols.find((s) => s.name.startsWith('BAYES_'));
  const fromUsual = await classify(usual);
  const fromReversed = await classify(reversed);
  assert.deepEqual(fromUsual.map((v) => v.path), [sample, other], 'one object per message, in order, each with its path');
  assert.deepEqual(fromReversed.map((v) => v.path), [sample, other]);
  assert.ok(bayes(fromUsual[0]!)!.score > 0, JSON.stringify(fromUsual[0]));
  assert.ok(bayes(fromReversed[0]!)!.score < 0, JSON.stringify(fromReversed[0]));
  assert.ok(fromUsual[0]!.score > fromReversed[0]!.score, 'the same message scores by the Bayes of the directory asked');
  assert.ok(bayes(fromUsual[1]!)!.score < 0 && bayes(fromReversed[1]!)!.score > 0);
});
