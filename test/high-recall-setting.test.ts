import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../src/core/config/load.js';
import { benchAntispamConfig } from '../bench/antispam/settings.js';

/**
 * The high-recall setting is written in three places: the benchmark that measured it, the docs
 * that give its figures, and the example configuration administrators copy. They must agree.
 */
const root = new URL('../', import.meta.url);
const antispamOf = (file: string, text: string) => loadConfig([{ file, text }]).config.antispam;

test('the high-recall setting in docs/antispam.md and config/moat.toml.example is the one the benchmark measured', async () => {
  const measured = benchAntispamConfig(true);
  const defaults = benchAntispamConfig(false);
  assert.notDeepEqual(measured, defaults, 'the setting changes something');

  const docs = await readFile(new URL('docs/antispam.md', root), 'utf8');
  const section = docs.split('## High-recall setting')[1];
  assert.ok(section, 'docs/antispam.md has a "High-recall setting" section');
  const block = /```toml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'with a TOML block');
  assert.deepEqual(antispamOf('docs/antispam.md', block), measured);

  const example = await readFile(new URL('config/moat.toml.example', root), 'utf8');
  const commented = example.split('# High-recall setting')[1]?.split('\n\n')[0];
  assert.ok(commented, 'config/moat.toml.example has the commented high-recall block');
  const uncommented = commented
    .split('\n')
    .filter((l) => /^# (\[|[a-z_]+ = )/.test(l))
    .map((l) => l.slice(2))
    .join('\n');
  // The block sits after [antispam] required_score = 5 in the example; that key is the default.
  assert.deepEqual(antispamOf('moat.toml.example', `[antispam]\n${uncommented}\n`), measured);
});
