import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { bunzip2 } from './bzip2-decoder.js';

function bzip2(data: Uint8Array, level: number): Buffer {
  const r = spawnSync('bzip2', [`-${level}`, '-c'], { input: data, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0);
  return r.stdout;
}

/** Inputs that reach every decoder path: runs of 4+ (RLE1 counts), long zero runs (RUNA/RUNB), many symbols, block boundaries. */
const inputs = fc.oneof(
  fc.uint8Array({ maxLength: 5000 }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 600 })), { maxLength: 60 }).map((runs) =>
    Uint8Array.from(runs.flatMap(([b, n]) => Array<number>(n).fill(b))),
  ),
  fc.tuple(fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 4000 })).map(([s, n]) => Buffer.from(s.repeat(n).slice(0, 250_000))),
);

test('bzip2 decoder: differential against the bzip2 program (levels 1–9)', () => {
  fc.assert(
    fc.property(inputs, fc.integer({ min: 1, max: 9 }), (data, level) => {
      const r = bunzip2(bzip2(data, level), 1 << 24);
      assert.ok(r.ok, r.ok ? '' : r.note);
      assert.equal(r.truncated, undefined);
      assert.deepEqual(Buffer.from(r.data), Buffer.from(data));
    }),
    { numRuns: 120, seed: 0x627a32 },
  );
});

test('bzip2 decoder: multi-block (level 1, 250 kB) and multi-stream files', () => {
  const big = Buffer.alloc(250_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 27;
  const two = Buffer.concat([bzip2(big, 1), bzip2(Buffer.from('second stream'), 9)]);
  const r = bunzip2(two, 1 << 24);
  assert.ok(r.ok);
  assert.deepEqual(Buffer.from(r.data), Buffer.concat([big, Buffer.from('second stream')]));
});

test('bzip2 decoder: cap, truncation and a corrupted block CRC', () => {
  const z = bzip2(Buffer.alloc(1_000_000, 0x41), 9);
  const capped = bunzip2(z, 1000);
  assert.ok(!capped.ok && capped.reason === 'too_big');
  const cut = bunzip2(z.subarray(0, z.length - 12), 1 << 24);
  assert.ok(!cut.ok || cut.truncated);
  const text = bzip2(Buffer.from('hello hello hello world'.repeat(100)), 9);
  const bad = Buffer.from(text);
  bad[10] ^= 0xff; // inside the stored block CRC
  const r = bunzip2(bad, 1 << 24);
  assert.ok(!r.ok || r.truncated);
});
