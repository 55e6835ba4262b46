import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addressesOf, parseAddressList } from './address-list.js';

test('address lists: names, quotes with commas, comments, groups, encoded words, source routes', () => {
  assert.deepEqual(parseAddressList('"Doe, John" <j@x.org>, plain@y.org (Plain Person), =?utf-8?q?J=C3=BCrgen?= <jg@z.de>'), [
    { name: 'Doe, John', address: 'j@x.org' },
    { address: 'plain@y.org' },
    { name: 'Jürgen', address: 'jg@z.de' },
  ]);
  assert.deepEqual(addressesOf('team: a@x.org, b@x.org;, <@relay.example:c@x.org>'), ['a@x.org', 'b@x.org', 'c@x.org']);
  assert.deepEqual(parseAddressList('undisclosed-recipients:;'), []);
  assert.deepEqual(parseAddressList('Name <a@x.org'), [{ address: 'Name<a@x.org' }]);
});

test('property: address parsing never throws and returns only non-empty addresses', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', '@', '<', '>', '"', ',', '(', ')', ':', ';', '\\', ' ', '=', '?'), maxLength: 200 }), (s) => {
      for (const m of parseAddressList(s)) assert.ok(m.address.length > 0);
    }),
    { numRuns: 500 },
  );
});
