import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { MatchContext } from '../contracts.js';
import type { BodySignatureRecord, LogicalSignatureRecord } from '../sigdb/records.js';
import { compileMatcher } from './compile-matcher.js';
import { parseHexPattern } from './hex-pattern-parser.js';

const src = { file: 'p.ndb', line: 1 };
const ctx: MatchContext = { type: 'CL_TYPE_BINARY_DATA', containers: [], allMatch: true };

const body: BodySignatureRecord[] = [
  { name: 'Lit', target: 0, offset: '*', hex: '6162636465', source: src },
  { name: 'Star', target: 0, offset: '*', hex: '78797a*717273', source: src },
  { name: 'Range', target: 0, offset: '*', hex: '6d6e6f{2-9}707172', source: src },
  { name: 'Edge', target: 0, offset: '*', hex: '(B)6b6c6d(B)', source: src },
  { name: 'Eof', target: 0, offset: 'EOF-4', hex: '77777777', source: src },
  { name: 'Two', target: 0, offset: '*', hex: '6a6a??(6a|6b)', source: src },
  { name: 'Narrow3', target: 0, offset: '*', hex: '6b??6d6e6f', source: src },
  { name: 'Narrow2', target: 0, offset: '*', hex: '7a7a', source: src },
  { name: 'AtEnd', target: 0, offset: 'EOF-2', hex: '6c6c', source: src },
];
const logical: LogicalSignatureRecord[] = [{ name: 'Count', tdb: { Target: '0' }, expression: '0>2', subsigs: ['63636363'], source: src }];
const { matcher, rejected } = compileMatcher(body, logical);

const alphabet = fc.constantFrom(...'abcdexyzqrsmnopkl jw'.split('').map((c) => c.charCodeAt(0)));

test('streaming in any chunking gives the whole-buffer answer', () => {
  assert.deepEqual(rejected, []);
  fc.assert(
    fc.property(fc.array(alphabet, { minLength: 0, maxLength: 400 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }), (arr, cuts) => {
      const data = Uint8Array.from(arr);
      const whole = matcher.scan(data, ctx).names.sort();
      const s = matcher.createScan(ctx, data.length);
      let at = 0;
      for (let i = 0; at < data.length; i++) {
        const n = cuts[i % cuts.length]!;
        s.write(data.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(s.end().names.sort(), whole);
    }),
    { numRuns: 400, seed: 7 },
  );
});

test('a pattern split across many chunks still matches', () => {
  const data = new TextEncoder().encode(`${'.'.repeat(1000)}xyz${'.'.repeat(70000)}qrs..abcde`);
  const s = matcher.createScan(ctx, data.length);
  for (let i = 0; i < data.length; i++) s.write(data.subarray(i, i + 1));
  assert.deepEqual(s.end().names.sort(), ['Lit', 'Star']);
});

test('hex parser and compiler never throw on arbitrary text', () => {
  const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF?*{}[]()|!-,BLW:'.split('')), maxLength: 60 });
  fc.assert(
    fc.property(hexish, fc.constantFrom('*', '0', 'EOF-3', 'EP+1', 'S1+2', 'SE0', 'SL+1', '4,5', 'x'), fc.integer({ min: 0, max: 15 }), (hex, offset, target) => {
      parseHexPattern(hex, true);
      const { matcher: m, rejected: r } = compileMatcher([{ name: 'F', target, offset, hex, source: src }], [
        { name: 'G', tdb: { Target: String(target) }, expression: '0&1', subsigs: [hex, `${hex}::iwfa`], source: src },
      ]);
      assert.ok(r.length <= 2);
      m.scan(new TextEncoder().encode('abcdef0123456789'), ctx);
    }),
    { numRuns: 1500, seed: 11 },
  );
});
