import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BITSET_WORDS } from './matcher-layout.js';
import { compileAnchorFilterModule, permuteKeys, WasmAnchorFilter } from './wasm-anchor-filter.js';

/** The JavaScript loop the WebAssembly one replaced: the definition it must keep. */
function reference(buf: Uint8Array, bits: Uint32Array, from: number, to: number, out: Int32Array): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const h = (buf[i]! << 16) | (buf[i + 1]! << 8) | buf[i + 2]!;
    if ((bits[h >>> 5]! & (1 << (h & 31))) !== 0) {
      out[n++] = i;
      if (n === out.length) return n;
    }
  }
  return n;
}

const module = compileAnchorFilterModule();

test('the WebAssembly filter finds exactly the positions of the reference loop (random data, bitsets, ranges, caps)', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 3, maxLength: 3000 }),
      fc.array(fc.integer({ min: 0, max: (1 << 24) - 1 }), { maxLength: 300 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 1, max: 64 }),
      (data, keys, a, b, cap) => {
        const bits = new Uint32Array(BITSET_WORDS);
        // Keys taken from the data itself make hits likely; the random ones test misses.
        for (let i = 0; i + 2 < data.length && i < 40; i += 7) keys.push((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        for (const k of keys) bits[k >>> 5]! |= 1 << (k & 31);
        const to = Math.min(data.length - 2, Math.max(a, b));
        const from = Math.min(a, b, to);
        const filter = new WasmAnchorFilter(bits, module);
        const want = new Int32Array(cap);
        const got = new Int32Array(cap);
        const nWant = reference(data, bits, from, to, want);
        const nGot = filter.collect(data, from, to, got);
        assert.equal(nGot, nWant);
        assert.deepEqual([...got.subarray(0, nGot)], [...want.subarray(0, nWant)]);
      },
    ),
    { numRuns: 300 },
  );
});

test('objects larger than the 1 MiB window: hits across window edges, absolute positions', () => {
  const data = new Uint8Array(3 * (1 << 20) + 100);
  const plant = [0, (1 << 20) - 1, (1 << 20) + 2, 2 * (1 << 20) - 2, 2 * (1 << 20) + 5, data.length - 3];
  for (const p of plant) data.set([0x4d, 0x5a, 0x90], p);
  const bits = new Uint32Array(BITSET_WORDS);
  const key = (0x4d << 16) | (0x5a << 8) | 0x90;
  bits[key >>> 5]! |= 1 << (key & 31);
  const out = new Int32Array(1024);
  const n = new WasmAnchorFilter(bits, module).collect(data, 0, data.length - 2, out);
  assert.deepEqual([...out.subarray(0, n)], plant);
  // Stopping early at the cap and resuming after the last hit gives the rest.
  const small = new Int32Array(4);
  const filter = new WasmAnchorFilter(bits, module);
  assert.equal(filter.collect(data, 0, data.length - 2, small), 4);
  assert.deepEqual([...small], plant.slice(0, 4));
  const rest = new Int32Array(4);
  const m = filter.collect(data, small[3]! + 1, data.length - 2, rest);
  assert.deepEqual([...rest.subarray(0, m)], plant.slice(4));
});

test('permuteKeys swaps the first and third byte of every key, and nothing else', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: (1 << 24) - 1 }), { maxLength: 200 }), (keys) => {
      const bits = new Uint32Array(BITSET_WORDS);
      for (const k of keys) bits[k >>> 5]! |= 1 << (k & 31);
      const out = new Uint32Array(BITSET_WORDS);
      permuteKeys(bits, out);
      const want = new Set(keys.map((k) => ((k & 0xff) << 16) | (k & 0xff00) | (k >>> 16)));
      let count = 0;
      for (let w = 0; w < out.length; w++) for (let b = 0; out[w] !== 0 && b < 32; b++) if ((out[w]! >>> b) & 1) {
        count++;
        assert.ok(want.has((w << 5) | b));
      }
      assert.equal(count, want.size);
    }),
    { numRuns: 30 },
  );
});
