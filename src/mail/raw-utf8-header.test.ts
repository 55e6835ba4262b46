import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rawUtf8HeaderValue } from './raw-utf8-header.js';

const asRead = (bytes: Buffer) => bytes.toString('latin1');

test('raw UTF-8 in a header value reads as written; Latin-1, ASCII and decoded RFC 2047 text stay as they are', () => {
  assert.equal(rawUtf8HeaderValue(asRead(Buffer.from('Grüße aus Köln', 'utf8'))), 'Grüße aus Köln');
  assert.equal(rawUtf8HeaderValue(asRead(Buffer.from('Привет, pаypal', 'utf8'))), 'Привет, pаypal');
  assert.equal(rawUtf8HeaderValue(asRead(Buffer.from('Grüße aus Köln', 'latin1'))), 'Grüße aus Köln', 'Latin-1 is not valid UTF-8');
  assert.equal(rawUtf8HeaderValue('plain ASCII'), 'plain ASCII');
  assert.equal(rawUtf8HeaderValue('Привет (from an encoded word) Ã¼'), 'Привет (from an encoded word) Ã¼', 'text beyond a byte was decoded already');
});

test('property: any valid UTF-8 read byte by byte comes back; any bytes at all give a string and never throw', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => rawUtf8HeaderValue(asRead(Buffer.from(s, 'utf8'))) === s));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const read = asRead(Buffer.from(bytes));
      const out = rawUtf8HeaderValue(read);
      assert.ok(out === read || Buffer.from(out, 'utf8').equals(Buffer.from(bytes)));
    }),
    { numRuns: 3000 },
  );
});
