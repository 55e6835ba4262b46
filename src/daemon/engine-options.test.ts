import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config/load.js';
import { isMoatError } from '../core/errors.js';
import { engineOptions } from './engine-options.js';

test('engine.clean_cache_entries: 16384 by default, 0 turns the cache off, a negative count is refused', () => {
  assert.equal(engineOptions(loadConfig([]).config).cleanCacheEntries, 16_384);
  assert.equal(engineOptions(loadConfig([{ file: 'c.toml', text: '[engine]\nclean_cache_entries = 0\n' }]).config).cleanCacheEntries, 0);
  assert.throws(
    () => loadConfig([{ file: 'c.toml', text: '[engine]\nclean_cache_entries = -1\n' }]),
    (err: unknown) => isMoatError(err, 'CONFIG_INVALID') && /c\.toml: key "engine\.clean_cache_entries"/.test(err.message),
  );
});
