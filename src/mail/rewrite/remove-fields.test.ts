import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { removeFields } from './header-rewrite.js';

const isSpam = (name: string) => /^x-spam-/i.test(name);

test('removeFields takes out the selected fields with their folded lines, keeps every other byte, and counts occurrences per name', () => {
  const message = Buffer.from('From sender@example.org Mon Dec  7 10:00:00 2026\nReceived: from a\nX-Spam-Status: No, score=-9.0\n\ttests=FORGED\nSubject: hi\nx-spam-flag: NO\nX-Spam-Flag: NO\n\nX-Spam-Flag: in the body stays\n');
  const { message: out, removed } = removeFields(message, isSpam);
  assert.equal(out.toString(), 'From sender@example.org Mon Dec  7 10:00:00 2026\nReceived: from a\nSubject: hi\n\nX-Spam-Flag: in the body stays\n');
  assert.deepEqual(removed, [
    { name: 'X-Spam-Status', index: 1 },
    { name: 'x-spam-flag', index: 1 },
    { name: 'X-Spam-Flag', index: 2 },
  ]);
  const crlf = Buffer.from('A: 1\r\nX-Spam-Level: ****\r\nB: 2\r\n\r\nbody');
  assert.equal(removeFields(crlf, isSpam).message.toString(), 'A: 1\r\nB: 2\r\n\r\nbody');
  const none = Buffer.from('A: 1\r\n\r\nbody');
  assert.ok(removeFields(none, isSpam).message.equals(none), 'nothing selected: the same bytes');
});

test('property: the result is the input without exactly the removed fields, and nothing selected stays', () => {
  const field = fc.tuple(fc.constantFrom('X-Spam-Flag', 'X-Spam-Status', 'Subject', 'Received', 'X-Other'), fc.string({ maxLength: 20 }).map((v) => v.replace(/[\r\n]/g, ' ')), fc.boolean());
  fc.assert(
    fc.property(fc.array(field, { maxLength: 12 }), fc.constantFrom('\r\n', '\n'), (fields, eol) => {
      const lines = fields.map(([name, value, folded]) => `${name}: ${value}${folded ? `${eol}\tmore` : ''}${eol}`);
      const message = Buffer.from(`${lines.join('')}${eol}body${eol}`);
      const { message: out, removed } = removeFields(message, isSpam);
      const expected = `${lines.filter((_, i) => !isSpam(fields[i]![0])).join('')}${eol}body${eol}`;
      assert.equal(out.toString(), expected);
      assert.equal(removed.length, fields.filter(([n]) => isSpam(n)).length);
    }),
    { numRuns: 500 },
  );
});
