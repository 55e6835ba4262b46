import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { inflate64Capped } from './inflate64.js';
import { inflateRawCapped } from './capped-inflate.js';

test('deflate64 decoder: ordinary DEFLATE streams without 258-byte matches decode like zlib', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20000 }), fc.integer({ min: 0, max: 9 }), (data, level) => {
      // Z_FIXED and short inputs exercise fixed and dynamic blocks; random bytes rarely give 258-byte matches.
      const z = deflateRawSync(data, { level, strategy: level % 2 ? constants.Z_FIXED : constants.Z_DEFAULT_STRATEGY });
      const ref = inflateRawCapped(z, 1 << 20);
      const ours = inflate64Capped(z, 1 << 20);
      assert.ok(ref.ok && ours.ok);
      if (!data.some((_, i) => i + 258 <= data.length && data[i] === data[i + 1] && data.subarray(i, i + 258).every((v) => v === data[i]))) {
        assert.deepEqual(Buffer.from(ours.data), Buffer.from(ref.data));
      }
    }),
    { numRuns: 300 },
  );
});

test('deflate64 decoder: random input never throws and respects the cap', (t) => {
  let runs = 0;
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), fc.integer({ min: 1, max: 100_000 }), (data, cap) => {
      runs++;
      const r = inflate64Capped(data, cap);
      if (r.ok) assert.ok(r.data.length <= cap);
    }),
    { numRuns: 3000 },
  );
  t.diagnostic(`fuzz executions deflate64: ${runs}`);
});
