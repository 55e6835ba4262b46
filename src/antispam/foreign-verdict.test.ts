import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authservId, claimsMoatVerdict } from './foreign-verdict.js';

test('a sender\'s X-Spam-* fields and Authentication-Results under Moat\'s name pass for Moat\'s verdict; others\' do not', () => {
  const claims = claimsMoatVerdict(['mx.ours.test']);
  assert.equal(claims('X-Spam-Flag', 'NO'), true);
  assert.equal(claims('x-spam-status', 'No, score=-10'), true);
  assert.equal(claims('X-Spam-Prev-Subject', 'old'), false, 'SpamAssassin keeps X-Spam-Prev-*');
  assert.equal(claims('X-Spam', 'Yes'), false, 'rspamd\'s X-Spam is not SpamAssassin\'s family');
  assert.equal(claims('Authentication-Results', 'mx.ours.test; dkim=pass header.d=bank.test'), true);
  assert.equal(claims('Authentication-Results', 'MX.OURS.TEST 1; spf=pass'), true, 'authserv-ids compare case-insensitively; a version may follow');
  assert.equal(claims('Authentication-Results', '(comment) mx.ours.test; spf=pass'), true);
  assert.equal(claims('Authentication-Results', 'mx.google.com; dkim=pass'), false, 'another ADMD\'s results stay');
  assert.equal(claimsMoatVerdict([])('Authentication-Results', 'mx.ours.test; dkim=pass'), false, 'Moat writes none: nothing to claim');
  assert.equal(authservId('  example.net;none'), 'example.net');
  assert.equal(authservId(';'), undefined);
});
