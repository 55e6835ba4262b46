import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseBytes, TextNormaliser } from './text-normaliser.js';
import { compileNormaliserModule, WasmNormaliserKernel } from './wasm-text-normaliser.js';

/** The rules written as plainly as possible: the definition both loops must keep. */
function specification(data: Uint8Array): Buffer {
  const kept = [...data].filter((b) => (b >= 0x20 && b <= 0x7f) || (b >= 0x09 && b <= 0x0d)).map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b <= 0x20 ? 0x20 : b));
  const out: number[] = [];
  for (const b of kept) if (!(b === 0x20 && out[out.length - 1] === 0x20)) out.push(b);
  return Buffer.from(out);
}

const kernel = new WasmNormaliserKernel(compileNormaliserModule());
/** Bytes weighted towards what matters: letters of both cases, whitespace runs, controls, high bytes. */
const byte = fc.oneof(fc.constantFrom(0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0x41, 0x5a, 0x61, 0x7f, 0x80, 0xff, 0x00, 0x1f), fc.integer({ min: 0, max: 255 }));

test('normalisation: JavaScript loop and WebAssembly kernel equal the specification in any chunking', () => {
  fc.assert(
    fc.property(fc.array(byte, { maxLength: 400 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 20 }), (bytes, cuts) => {
      const data = Uint8Array.from(bytes);
      const want = specification(data);
      for (const k of [undefined, kernel]) {
        const n = new TextNormaliser(1 << 20, k);
        let at = 0;
        for (const c of cuts) {
          n.push(data.subarray(at, at + c));
          at += c;
        }
        n.push(data.subarray(at));
        assert.deepEqual(Buffer.from(n.result()), want);
      }
    }),
    { numRuns: 1000 },
  );
});

test('normalisation: a chunk larger than the kernel window (1 MiB) is normalised whole, space runs across the edge', () => {
  const data = Buffer.alloc((1 << 20) + 5000, 'Ab \t\r\n');
  data.fill(0x20, (1 << 20) - 3, (1 << 20) + 3);
  const out = new Uint8Array(data.length);
  const n = kernel.normalise(data, out, 0, false);
  assert.deepEqual(Buffer.from(out.subarray(0, n)), specification(data));
  assert.equal(normaliseBytes(data, new Uint8Array(data.length), 0, false), n);
});

test('normalisation: output stops at the limit (overflow) instead of growing past it', () => {
  const n = new TextNormaliser(10, kernel);
  n.push(Buffer.from('abcdef'));
  n.push(Buffer.from('ghijkl'));
  assert.equal(n.overflow, true);
  assert.equal(Buffer.from(n.result()).toString(), 'abcdef');
});

test('normalisation: a released output buffer is reused by the next normaliser without leftovers', () => {
  const k = new WasmNormaliserKernel(compileNormaliserModule());
  const first = new TextNormaliser(1 << 20, k, 64);
  first.push(Buffer.from('AAAA  BBBB CCCC DDDD EEEE'));
  const firstOut = first.result();
  first.release();
  const second = new TextNormaliser(1 << 20, k, 8);
  second.push(Buffer.from('Zz'));
  assert.equal(second.result().buffer, firstOut.buffer, 'the spare buffer was handed on');
  assert.equal(Buffer.from(second.result()).toString(), 'zz');
  const third = new TextNormaliser(1 << 20, k, 8);
  assert.notEqual(third.result().buffer, second.result().buffer, 'a buffer still held is never handed out twice');
});
