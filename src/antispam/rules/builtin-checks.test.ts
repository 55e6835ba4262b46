import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { displayNameAddress } from './builtin-checks.js';

/** The single regex displayNameAddress replaced: the oracle, fine on short input, quadratic on long. */
const ORACLE = /^\s*"?[^"<]*?([^\s"<@]+@([a-z0-9-]+(?:\.[a-z0-9-]+)+))[^"<]*"?\s*<[^>@]*@([^>]+)>/i;

test('displayNameAddress: the address shown in the display name and the real one', () => {
  assert.deepEqual(displayNameAddress('"service@paypal.com" <x@evil.top>'), { displayed: 'paypal.com', real: 'evil.top' });
  assert.deepEqual(displayNameAddress('Bank (help@bank.co.uk) <alerts@bank.co.uk>'), { displayed: 'bank.co.uk', real: 'bank.co.uk' });
  assert.equal(displayNameAddress('Alice <alice@example.com>'), undefined, 'no address in the name');
  assert.equal(displayNameAddress('alice@example.com'), undefined, 'no angle address');
  assert.equal(displayNameAddress('"a@b.com" x "y" <z@c.com>'), undefined, 'quotes inside the name');
});

/** From headers of the shape the check looks for, with every part a little wrong now and then. */
const fromHeader = () => {
  const text = (chars: string[], maxLength: number) => fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));
  const nameChars = ['a', 'B', '1', ' ', '.', '-', '@', '"', '\t', 'x.com', '<', 'é'];
  const shown = fc.constantFrom('', 'a@x.com', 'help@bank.co.uk', 'B@Evil.Top', '@x.com', 'a@x', 'a@x.', 'a@@x.com', 'a@x-y.z-');
  const angle = fc.constantFrom('<a@evil.top>', '<x@bank.co.uk>', '<@x.com>', '<a>', '<a@b', 'a@b>', '<a@>', '<a@b@c.d>', '<a@x.com> ');
  return fc
    .tuple(text([' ', '\t'], 2), fc.constantFrom('', '"', '""'), text(nameChars, 3), shown, text(nameChars, 3), fc.constantFrom('', '"'), text([' ', '\t'], 2), angle, text(['a', '>', '<', '"'], 2))
    .map((parts) => parts.join(''));
};

test('property: displayNameAddress agrees with the regex it replaced', () => {
  const piece = fc.constantFrom('"', '<', '>', '@', ' ', '.', '-', 'a', 'B', '1', 'x.com', 'evil.top', '\t', '>@');
  let matched = 0;
  fc.assert(
    fc.property(fc.oneof(fromHeader(), fc.array(piece, { maxLength: 24 }).map((p) => p.join(''))), (from) => {
      if (ORACLE.test(from)) matched++;
      const m = ORACLE.exec(from);
      assert.deepEqual(displayNameAddress(from), m ? { displayed: m[2], real: m[3] } : undefined, JSON.stringify(from));
    }),
    { numRuns: 5000 },
  );
  assert.ok(matched > 250, `the generator reaches the matching shape (${matched} of 5000)`);
});

test('displayNameAddress is linear: a 1 MB From header takes well under a second', () => {
  // The regex took 0.7 s at 20 KB and grows with the square of the length.
  for (const from of ['a'.repeat(1 << 20), `"${'a@b.c '.repeat(170_000)}`, `${'a@'.repeat(500_000)}<x@y.z>`]) {
    const t = performance.now();
    displayNameAddress(from);
    assert.ok(performance.now() - t < 5000);
  }
});
