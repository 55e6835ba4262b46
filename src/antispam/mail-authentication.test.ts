import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAuthentication, dmarcTags, type DnsResolve } from './mail-authentication.js';

/** TXT records by name; every lookup is counted. */
function zone(records: Record<string, string>) {
  const asked: string[] = [];
  const resolve: DnsResolve = async (name, rrtype) => {
    asked.push(`${rrtype} ${name}`);
    const txt = rrtype === 'TXT' ? records[name] : undefined;
    if (txt === undefined) throw Object.assign(new Error(`${name} not found`), { code: 'ENOTFOUND' });
    return [[txt]];
  };
  return { resolve, asked };
}

const MESSAGE = Buffer.from('From: a@news.strict.test\r\nTo: b@ours.test\r\nSubject: s\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\nhi\r\n');

test('aspf=s: an SPF pass for the parent domain does not align for a subdomain sender, and the DMARC record is looked up once for both questions', async () => {
  const { resolve, asked } = zone({ 'strict.test': 'v=spf1 ip4:192.0.2.10 -all', '_dmarc.strict.test': 'v=DMARC1; p=REJECT; aspf = S' });
  const outcome = await checkAuthentication(MESSAGE, { ip: '192.0.2.10', helo: 'mail.strict.test', sender: 'bounce@strict.test' }, resolve, 'mx.ours.test');
  assert.equal(outcome.spf?.result, 'pass');
  assert.deepEqual(outcome.dmarc, { result: 'fail', policy: 'reject' }, 'strict, and the policy read in any case');
  const dmarcLookups = asked.filter((q) => q.includes('_dmarc.'));
  assert.deepEqual(dmarcLookups, [...new Set(dmarcLookups)], `each DMARC name asked once: ${dmarcLookups.join(', ')}`);
  assert.match(outcome.headerValue, /^mx\.ours\.test; .*dmarc=fail/);
});

test('without a client, SPF is not asked and a DMARC fail is not reported', async () => {
  const { resolve, asked } = zone({ 'strict.test': 'v=spf1 -all', '_dmarc.strict.test': 'v=DMARC1; p=reject' });
  const outcome = await checkAuthentication(MESSAGE, { sender: 'bounce@strict.test' }, resolve, 'mx.ours.test');
  assert.equal(outcome.spf, undefined);
  assert.equal(outcome.dmarc, undefined);
  assert.ok(!asked.includes('TXT strict.test'), asked.join(', '));
});

test('dmarcTags reads names and values in any case, with blanks around them', () => {
  assert.deepEqual([...dmarcTags('v=DMARC1;  P = Reject ;adkim=S;;novalue')], [['v', 'dmarc1'], ['p', 'reject'], ['adkim', 's']]);
});
