import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from './load.js';
import { renderEffectiveConfig } from './render.js';
import { isMoatError } from '../errors.js';

test('embedded defaults validate', () => {
  const loaded = loadConfig([]);
  assert.equal(loaded.config.global.state_dir, './var');
  assert.equal(loaded.config.engine.workers, 0);
});

test('a wrong type names the file, the key, the value and the expectation', () => {
  assert.throws(
    () => loadConfig([{ file: '/etc/moat/moat.toml', text: '[engine]\nworkers = "many"\n' }]),
    (err: unknown) => {
      assert.ok(isMoatError(err, 'CONFIG_INVALID'));
      assert.match(err.message, /^\/etc\/moat\/moat\.toml: key "engine\.workers": got "many"; expected .*number/);
      return true;
    },
  );
});

test('an unknown key is an error, not a silent default', () => {
  assert.throws(
    () => loadConfig([{ file: 'a.toml', text: '[global]\nstat_dir = "/x"\n' }]),
    (err: unknown) => isMoatError(err, 'CONFIG_INVALID') && /a\.toml: unknown key "global\.stat_dir"/.test(err.message),
  );
});

test('TOML syntax errors carry file, line and column', () => {
  assert.throws(
    () => loadConfig([{ file: 'b.toml', text: '[global]\nlog_level = \n' }]),
    (err: unknown) => isMoatError(err, 'CONFIG_PARSE') && /^b\.toml:2:\d+: /.test(err.message),
  );
});

test('conf.d files override earlier files and show marks defaults', () => {
  const loaded = loadConfig([
    { file: 'main.toml', text: '[global]\nlog_level = "warn"\n' },
    { file: 'conf.d/10.toml', text: '[global]\nlog_level = "debug"\n' },
  ]);
  assert.equal(loaded.config.global.log_level, 'debug');
  const shown = renderEffectiveConfig(loaded);
  assert.match(shown, /^log_level = "debug"  # conf\.d\/10\.toml$/m);
  assert.match(shown, /^state_dir = "\.\/var"  # default$/m);
});

test('show prints TOML that reads back as the same configuration, user and sender entries quoted', () => {
  const loaded = loadConfig([{ file: 'main.toml', text: '[users."bob@example.com"]\nrequired_score = 3\n[senders."@partner.example"]\naction_as = "accept"\n[groups.strict]\naction_av_notscanned = "reject"\n[[antispam.dnsbl]]\nzone = "zen.example"\nkind = "ip"\n' }]);
  const shown = renderEffectiveConfig(loaded);
  assert.match(shown, /^\[users\."bob@example\.com"\]\nrequired_score = 3  # main\.toml$/m);
  assert.match(shown, /^\[senders\."@partner\.example"\]$/m);
  assert.deepEqual(loadConfig([{ file: 'shown.toml', text: shown }]).config, loaded.config);
  const example = loadConfig([{ file: 'moat.toml.example', text: readFileSync(new URL('../../../config/moat.toml.example', import.meta.url), 'utf8') }]);
  assert.deepEqual(loadConfig([{ file: 'shown.toml', text: renderEffectiveConfig(example) }]).config, example.config, 'the shipped example too');
});
