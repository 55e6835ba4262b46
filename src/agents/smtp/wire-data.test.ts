import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasBareNewline, normalizeNewlines, toWireData } from './wire-data.js';

/** Pieces that make smuggling attempts likely in random input. */
const piece = fc.constantFrom('\r', '\n', '\r\n', '.', '..', 'MAIL FROM:<x@y>', 'a', ' ', '\x00', '\xff');

test('the DATA payload ends exactly once, at its end, for any input (no smuggling)', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), (parts) => {
      const input = Buffer.from(parts.join(''), 'latin1');
      const wire = toWireData(input).toString('latin1');
      assert.ok(wire.endsWith('.\r\n'));
      const body = wire.slice(0, -3);
      // Only CRLF line ends, and no line consisting of a single dot before the terminator.
      assert.equal(hasBareNewline(Buffer.from(body, 'latin1')), false);
      assert.ok(!(`\r\n${body}`).includes('\r\n.\r\n'));
      // Un-stuffing gives back the CRLF-normalised message (plus a final CRLF when missing).
      const unstuffed = body.replace(/(^|\n)\./g, '$1');
      const expected = normalizeNewlines(input).toString('latin1');
      assert.equal(unstuffed, expected.length && !expected.endsWith('\r\n') ? `${expected}\r\n` : expected);
    }),
    { numRuns: 2000 },
  );
});

test('bare newline detection', () => {
  assert.equal(hasBareNewline(Buffer.from('a\r\nb\r\n')), false);
  assert.equal(hasBareNewline(Buffer.from('a\nb')), true);
  assert.equal(hasBareNewline(Buffer.from('a\rb')), true);
  assert.equal(normalizeNewlines(Buffer.from('a\n.\r\nb\r')).toString(), 'a\r\n.\r\nb\r\n');
});

/** The textbook definitions, on latin1 strings (slow; the module works on bytes). */
const reference = {
  hasBare: (s: string) => /\r(?!\n)|(?<!\r)\n/.test(s),
  normalize: (s: string) => s.replace(/\r\n|\r|\n/g, '\r\n'),
  wire(s: string) {
    let t = reference.normalize(s).replace(/(^|\n)\./g, '$1..');
    if (t.length > 0 && !t.endsWith('\r\n')) t += '\r\n';
    return `${t}.\r\n`;
  },
};

test('the byte-level functions agree with the RegExp definitions on any input', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
      const s = parts.join('');
      const input = Buffer.from(s, 'latin1');
      assert.equal(hasBareNewline(input), reference.hasBare(s));
      assert.equal(normalizeNewlines(input).toString('latin1'), reference.normalize(s));
      assert.equal(toWireData(input).toString('latin1'), reference.wire(s));
    }),
    { numRuns: 5000 },
  );
  for (const s of ['', '.', '.\r\n', '\r\n.', 'a\r\n.\r\n.', '\n.\n.\n', 'x\r']) assert.equal(toWireData(Buffer.from(s, 'latin1')).toString('latin1'), reference.wire(s), JSON.stringify(s));
});
