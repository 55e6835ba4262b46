import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MOAT = fileURLToPath(new URL('../../bin/moat.js', import.meta.url));

function moat(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MOAT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('two moat learn runs on one state directory at once both finish: the second waits for the lock instead of failing with "database is locked"', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-learn-2-'));
  try {
    for (const [file, word] of [['spam.mbox', 'offer'], ['ham.mbox', 'meeting']] as const) {
      let mbox = '';
      for (let i = 0; i < 4000; i++) mbox += `From x@example.com Mon Jan  1 00:00:00 2002\nFrom: ${word}${i}@example.com\nSubject: ${word} ${i}\n\n${word} text ${i} lorem ipsum dolor sit amet ${i * 7}\n\n`;
      await writeFile(join(dir, file), mbox);
    }
    const state = join(dir, 'state');
    const [spam, ham] = await Promise.all([moat(['--state-dir', state, 'learn', '--spam', '--quiet', join(dir, 'spam.mbox')]), moat(['--state-dir', state, 'learn', '--ham', '--quiet', join(dir, 'ham.mbox')])]);
    assert.equal(spam.code, 0, spam.out);
    assert.equal(ham.code, 0, ham.out);
    assert.match(spam.out, /Learned 4000 message\(s\) as spam/);
    assert.match(ham.out, /Learned 4000 message\(s\) as ham/);
    const again = await moat(['--state-dir', state, 'learn', '--spam', '--quiet', join(dir, 'spam.mbox')]);
    assert.match(again.out, /Learned 0 message\(s\) as spam, 4000 already known; the classifier now knows 4000 spam and 4000 ham/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
