import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_UNPACKERS } from './registry.js';
import { collect } from '../../../test/fixtures/containers/test-context.js';

test('registry: unique names, each content type claimed by one unpacker', () => {
  const names = DEFAULT_UNPACKERS.map((u) => u.name);
  assert.equal(new Set(names).size, names.length);
  const types = DEFAULT_UNPACKERS.flatMap((u) => u.types);
  assert.equal(new Set(types).size, types.length, types.join(','));
});

test('registry: every unpacker turns empty and one-byte input into states, never an exception', async () => {
  for (const u of DEFAULT_UNPACKERS) {
    for (const input of [new Uint8Array(0), Uint8Array.of(0x50)]) {
      const objs = await collect(u, input);
      for (const o of objs) assert.ok(o.data !== undefined || o.state !== undefined, u.name);
    }
  }
});
