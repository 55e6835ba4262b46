import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decompressRtf } from './compressed-rtf.js';
import { compressRtfLiterals } from '../../../../test/fixtures/containers/tnef-fixtures.js';

test('compressed RTF: the MS-OXRTFCP example (dictionary references) decompresses exactly', () => {
  const hex = '2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c090020627705b06c647d0a800fa0';
  const r = decompressRtf(Buffer.from(hex, 'hex'), 1 << 20);
  assert.equal(Buffer.from(r.data).toString('latin1'), '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n');
  assert.deepEqual(r.notes, []);
});

test('compressed RTF: literal streams, caps, truncation, unknown types', () => {
  const rtf = Buffer.from('{\\rtf1 some body text that is longer than eight bytes}');
  assert.deepEqual(Buffer.from(decompressRtf(compressRtfLiterals(rtf), 1 << 20).data), rtf);
  assert.equal(decompressRtf(compressRtfLiterals(rtf), 10).data.length, 10);
  assert.match(decompressRtf(compressRtfLiterals(rtf).subarray(0, 30), 1 << 20).notes.join(), /truncated/);
  assert.match(decompressRtf(Buffer.alloc(20), 1 << 20).notes.join(), /unknown/);
});

test('property: decompression never throws and respects the cap', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 5000 }), (b, cap) => {
      const head = Buffer.alloc(16);
      head.writeUInt32LE(0xffffffff, 4);
      head.writeUInt32LE(0x75465a4c, 8);
      assert.ok(decompressRtf(Buffer.concat([head, b]), cap).data.length <= cap);
    }),
    { numRuns: 1000 },
  );
});
