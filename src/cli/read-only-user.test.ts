import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { main } from './main.js';

const MOAT_BIN = fileURLToPath(new URL('../../bin/moat.js', import.meta.url));

/** Runs `moat ARGS` as a user without write access to the state directory (nobody, when the tests run as root). */
function moatAsReader(args: string[]) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MOAT_BIN, ...args]] : [process.execPath, [MOAT_BIN, ...args]];
  return spawnSync(cmd, argv, { encoding: 'utf8' });
}

test('moat classify and moat learn --stats read bayes.db as a user who cannot write the state directory, with no daemon holding it open; a -wal with content is not read around', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-ro-user-'));
  await chmod(dir, 0o755);
  const state = join(dir, 'state');
  const config = join(dir, 'moat.toml');
  await writeFile(config, `[global]\nstate_dir = "${state}"\n[antispam.bayes]\nmin_learned = 5\n`);
  await mkdir(join(dir, 'spam'));
  await mkdir(join(dir, 'ham'));
  for (let i = 0; i < 6; i++) {
    await writeFile(join(dir, 'spam', `${i}.eml`), `From: deals${i}@promo.example\r\nSubject: cheap meds ${i}\r\n\r\nBuy cheap meds online now, offer ${i}\r\n`);
    await writeFile(join(dir, 'ham', `${i}.eml`), `From: alice@work.example\r\nSubject: meeting notes ${i}\r\n\r\nNotes from the project meeting ${i}\r\n`);
  }
  const sink = new PassThrough().resume();
  for (const as of ['spam', 'ham']) assert.equal(await main(['learn', `--${as}`, '--quiet', join(dir, as), '--config', config], { stdout: sink, stderr: sink, env: {} }), 0);
  assert.deepEqual(await readdir(state), ['bayes.db'], 'the writer closed it: no -wal, no -shm');
  const message = join(dir, 'sample.eml');
  await writeFile(message, 'From: deals9@promo.example\r\nSubject: cheap meds 9\r\n\r\nBuy cheap meds online now, offer 9\r\n');
  for (const f of [config, message]) await chmod(f, 0o644);
  await chmod(join(state, 'bayes.db'), 0o444);
  await chmod(state, 0o555);

  const classified = moatAsReader(['--config', config, 'classify', '--json', message]);
  assert.equal(classified.status, 0, classified.stderr);
  const verdict = JSON.parse(classified.stdout) as { symbols: Array<{ name: string }> };
  assert.ok(verdict.symbols.some((s) => s.name.startsWith('BAYES_9')), `Bayes answered: ${classified.stdout}`);
  assert.doesNotMatch(classified.stderr, /cannot be read/);
  const stats = moatAsReader(['--config', config, 'learn', '--stats']);
  assert.match(stats.stdout, /^Learned: +6 spam, 6 ham/m, stats.stderr);
  assert.deepEqual(await readdir(state), ['bayes.db'], 'nothing created');

  // A -wal with content (a writer that died) may hold what the file lacks: not read around, said so.
  await chmod(state, 0o755);
  await writeFile(join(state, 'bayes.db-wal'), Buffer.alloc(4096, 1));
  await chmod(state, 0o555);
  const stale = moatAsReader(['--config', config, 'classify', '--json', message]);
  assert.equal(stale.status, 0, stale.stderr);
  assert.match(stale.stderr, /Bayes database cannot be read/);
  assert.match(stale.stderr, /bayes\.db-wal holds changes the file does not have yet/, 'the warning says why');
  const staleStats = moatAsReader(['--config', config, 'learn', '--stats']);
  assert.equal(staleStats.status, 2, 'a store that cannot be read is an error for --stats, not "0 spam, 0 ham"');
  assert.match(staleStats.stderr, /^moat learn --stats: cannot open .*bayes\.db-wal holds changes/m);
  assert.ok(!(JSON.parse(stale.stdout) as { symbols: Array<{ name: string }> }).symbols.some((s) => s.name.startsWith('BAYES_9')));

  // Over 512 MB (a sparse tail here): not read into memory, and the warning says that, not -wal.
  await chmod(state, 0o755);
  await rm(join(state, 'bayes.db-wal'));
  await truncate(join(state, 'bayes.db'), 600 * 1024 * 1024);
  await chmod(state, 0o555);
  const big = moatAsReader(['--config', config, 'classify', '--json', message]);
  assert.equal(big.status, 0, big.stderr);
  assert.match(big.stderr, /it is over 512 MB/);
  assert.doesNotMatch(big.stderr, /-wal/);
  await chmod(state, 0o755);
});
