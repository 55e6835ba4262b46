import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { authservId, claimsMoatVerdict } from './foreign-verdict.js';

const ON = { enabled: true, authentication: true, authserv_id: 'mx.ours.test' };

test('a sender\'s X-Spam-* fields and Authentication-Results under Moat\'s authserv-id pass for Moat\'s verdict; others\' do not', () => {
  const claims = claimsMoatVerdict(ON)!;
  assert.equal(claims('X-Spam-Flag', 'NO'), true);
  assert.equal(claims('x-spam-status', 'No, score=-10'), true);
  assert.equal(claims('X-Spam-Prev-Subject', 'old'), false, 'SpamAssassin keeps X-Spam-Prev-*');
  assert.equal(claims('X-Spam', 'Yes'), false, 'rspamd\'s X-Spam is not SpamAssassin\'s family');
  assert.equal(claims('Authentication-Results', 'mx.ours.test; dkim=pass header.d=bank.test'), true);
  assert.equal(claims('Authentication-Results', 'MX.OURS.TEST 1; spf=pass'), true, 'authserv-ids compare case-insensitively; a version may follow');
  assert.equal(claims('Authentication-Results', '(comment) mx.ours.test; spf=pass'), true);
  assert.equal(claims('Authentication-Results', '((nested) comment) mx.ours.test; dkim=pass'), true);
  assert.equal(claims('Authentication-Results', '"mx.ours.test"; dkim=pass'), true, 'the quoted-string form');
  assert.equal(claims('Authentication-Results', `(${'x'.repeat(1200)}) mx.ours.test; dkim=pass`), true, 'a long comment first');
  assert.equal(claims('Authentication-Results', '(unclosed mx.ours.test; dkim=pass'), true, 'unreadable: removed rather than left for a lenient reader');
  assert.equal(claims('Authentication-Results', 'mx.google.com; dkim=pass'), false, 'another ADMD\'s results stay');
  assert.equal(claimsMoatVerdict({ ...ON, authentication: false })!('Authentication-Results', 'mx.ours.test; dkim=pass'), false, 'Moat writes none: nothing to claim');
  assert.equal(claimsMoatVerdict({ ...ON, enabled: false }), undefined, 'anti-spam off: another filter\'s verdict is the one in the mail');
});

test('authservId reads RFC 8601 §2.2 forms', () => {
  assert.equal(authservId('  example.net;none'), 'example.net');
  assert.equal(authservId('example.net 1; none'), 'example.net');
  assert.equal(authservId('(a (b) \\) c) "ex\\"q"; none'), 'ex"q');
  assert.equal(authservId(';'), undefined);
  assert.equal(authservId('(never closed'), undefined);
  assert.equal(authservId('""; none'), undefined);
});

test('property: authservId never throws and finds a token written after any comments', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.stringMatching(/^[a-z0-9.-]{1,30}$/), (noise, id) => {
      authservId(noise);
      const comment = `(${noise.replace(/[()\\]/g, '')})`;
      assert.equal(authservId(`${comment} ${id}; dkim=pass`), id);
    }),
    { numRuns: 1000 },
  );
});
