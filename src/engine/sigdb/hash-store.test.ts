import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { HashStoreBuilder, WILDCARD_SIZE, hashLookupFrom } from './hash-store.js';

const md5 = (s: string) => createHash('md5').update(s).digest();
const sha256 = (s: string) => createHash('sha256').update(s).digest();

test('lookup by exact size and digest; size gating', () => {
  const b = new HashStoreBuilder();
  b.add(md5('a'), 1, 'Sig.A');
  b.add(md5('bb'), 2, 'Sig.B');
  b.add(sha256('c'), 1, 'Sig.C');
  const lookup = hashLookupFrom(b.build());
  assert.equal(lookup.count, 3);
  assert.equal(lookup.lookup('md5', md5('a'), 1), 'Sig.A');
  assert.equal(lookup.lookup('md5', md5('a'), 2), undefined, 'same digest, other size');
  assert.equal(lookup.lookup('sha256', sha256('c'), 1), 'Sig.C');
  assert.equal(lookup.wantsSize('md5', 2), true);
  assert.equal(lookup.wantsSize('md5', 3), false);
  assert.equal(lookup.wantsSize('sha1', 1), false);
});

test('wildcard size matches any size and makes every size wanted', () => {
  const b = new HashStoreBuilder();
  b.add(md5('x'), WILDCARD_SIZE, 'Sig.Wild');
  const lookup = hashLookupFrom(b.build());
  assert.equal(lookup.wantsSize('md5', 12345), true);
  assert.equal(lookup.lookup('md5', md5('x'), 7), 'Sig.Wild');
});

test('survives structured clone (as posted to a worker) without copying the columns', () => {
  const b = new HashStoreBuilder();
  b.add(md5('a'), 1, 'Sig.A');
  const t = b.build();
  const cloned = structuredClone(t);
  assert.equal(hashLookupFrom(cloned).lookup('md5', md5('a'), 1), 'Sig.A');
  assert.ok(cloned.buffers.every((buf) => buf instanceof SharedArrayBuffer));
});

test('property: every added signature is found, absent ones are not', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 50 })), {
        maxLength: 200,
        selector: ([d, s]) => `${Buffer.from(d).toString('hex')}:${s}`,
      }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      (entries, probe) => {
        const b = new HashStoreBuilder();
        entries.forEach(([d, s], i) => b.add(d, s, `N${i}`));
        const lookup = hashLookupFrom(b.build());
        entries.forEach(([d, s], i) => assert.equal(lookup.lookup('md5', d, s), `N${i}`));
        const present = entries.some(([d, s]) => s === 3 && Buffer.compare(Buffer.from(d), Buffer.from(probe)) === 0);
        if (!present) assert.equal(lookup.lookup('md5', probe, 3), undefined);
      },
    ),
    { numRuns: 200 },
  );
});
