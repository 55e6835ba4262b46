import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, extractGlobalOptions } from './main.js';

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
