import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { clientFromReceived, parseReceivedFrom, returnPath, withClient } from './received-client.js';

test('the client and HELO name are read from the Received lines real MTAs write', () => {
  const cases: Array<[string, string, { address?: string; helo?: string }]> = [
    ['Postfix', 'from mail.example.test (mail.example.test [192.0.2.10])\r\n\tby mx.ours.test (Postfix) with ESMTPS id 4AB12 for <bob@ours.test>; Mon, 7 Dec 2026 10:00:00 +0000 (UTC)', { address: '192.0.2.10', helo: 'mail.example.test' }],
    ['Postfix, no reverse DNS', 'from helo.example.test (unknown [198.51.100.7]) by mx.ours.test (Postfix) with SMTP id X', { address: '198.51.100.7', helo: 'helo.example.test' }],
    ['Postfix, IPv6', 'from mail.example.test (mail.example.test [IPv6:2001:db8::25]) by mx.ours.test (Postfix) with ESMTP id X', { address: '2001:db8::25', helo: 'mail.example.test' }],
    ['Sendmail', 'from out.example.test (out.example.test [203.0.113.5]) by mx.ours.test (8.17.1/8.17.1) with ESMTP id 2B7A; Mon, 7 Dec 2026', { address: '203.0.113.5', helo: 'out.example.test' }],
    ['Exim', 'from rdns.example.test ([192.0.2.77] helo=claimed.example.test) by mx.ours.test with esmtp (Exim 4.96) id 1kX', { address: '192.0.2.77', helo: 'claimed.example.test' }],
    ['Exim, no reverse DNS', 'from [192.0.2.78] (helo=bare.example.test) by mx.ours.test with smtp (Exim 4.96)', { address: '192.0.2.78', helo: 'bare.example.test' }],
    ['qmail', 'from unknown (HELO relay.example.test) (198.51.100.9) by mx.ours.test with SMTP; 7 Dec 2026', { address: '198.51.100.9', helo: 'relay.example.test' }],
    ['qmail with ident', 'from unknown (HELO relay.example.test) (joe@198.51.100.9) by mx.ours.test with SMTP; 7 Dec 2026', { address: '198.51.100.9', helo: 'relay.example.test' }],
    ['Exchange', 'from mail.example.test (198.51.100.33) by EXCH01.ours.test (10.0.0.5) with Microsoft SMTP Server (version=TLS1_2) id 15.20.1; Mon, 7 Dec 2026', { address: '198.51.100.33', helo: 'mail.example.test' }],
    ['Exchange, EHLO an address literal', 'from [192.0.2.50] (198.51.100.34) by EXCH01.ours.test (10.0.0.5) with Microsoft SMTP Server id 15.20.1', { address: '198.51.100.34', helo: '[192.0.2.50]' }],
    ['IPv4-mapped', 'from a.example.test (a.example.test [::ffff:192.0.2.11]) by mx', { address: '192.0.2.11', helo: 'a.example.test' }],
    ['Postfix, HELO an address literal', 'from [10.9.9.9] (unknown [198.51.100.7]) by mx.ours.test (Postfix) with ESMTP id X', { address: '198.51.100.7', helo: '[10.9.9.9]' }],
    ['Postfix, HELO a forged public literal', 'from [192.0.2.77] (unknown [203.0.113.200]) by mx.ours.test (Postfix) with SMTP id X', { address: '203.0.113.200', helo: '[192.0.2.77]' }],
    ['Exim, HELO an address literal', 'from [192.0.2.79] (helo=[10.0.0.1]) by mx.ours.test with smtp (Exim 4.96)', { address: '192.0.2.79', helo: '[10.0.0.1]' }],
    ['no address', 'from localhost by mx.ours.test with LMTP', { helo: 'localhost' }],
    ['no from clause', 'by mx.ours.test (Postfix, from userid 1000) id 7; Mon, 7 Dec 2026', {}],
  ];
  for (const [mta, header, expected] of cases) assert.deepEqual(parseReceivedFrom(header), expected, mta);
});

const HOPS = [
  'from localhost (localhost [127.0.0.1]) by mx.ours.test (Postfix) with ESMTP id AFTER-FILTER',
  'from mail.example.test (mail.example.test [192.0.2.10]) by mx.ours.test (Postfix) with ESMTPS id OURS',
  'from laptop ([198.51.100.200]) by mail.example.test with ESMTP id THEIRS',
];

test('the client is the one your own MTA recorded: header trusted_received − 1, past loopback hops only, never into the sender\'s headers', () => {
  assert.deepEqual(clientFromReceived(HOPS, 1), { address: '192.0.2.10', helo: 'mail.example.test', hop: 1 }, 'a content filter re-injecting on loopback: the header below is the site\'s own');
  assert.deepEqual(clientFromReceived(HOPS, 2), { address: '192.0.2.10', helo: 'mail.example.test', hop: 1 });
  assert.deepEqual(clientFromReceived(HOPS, 3), { address: '198.51.100.200', helo: 'laptop', hop: 2 }, 'trusting their MTA too reads the hop below it');
  assert.equal(clientFromReceived(HOPS, 0), undefined, 'with no header of ours, no Received line tells who connected to us');
  const natted = ['from gateway (gateway [172.17.0.1]) by mx.ours.test (Postfix) with ESMTP id NAT', 'from forged.example (forged.example [192.0.2.10]) by gateway with SMTP id FORGED'];
  assert.equal(clientFromReceived(natted, 1), undefined, 'a private address at the boundary (NAT, a container network): the line below is the sender\'s, not read');
  assert.equal(clientFromReceived(['from mystery-relay by mx.ours.test with SMTP id Q', ...natted.slice(1)], 1), undefined, 'a line it cannot read gives no client either');
  assert.equal(clientFromReceived(HOPS.slice(0, 1), 1), undefined, 'only loopback hops: no public client');
  const loopbacks = (n: number) => [...Array<string>(n).fill(HOPS[0]!), HOPS[1]!];
  assert.equal(clientFromReceived(loopbacks(9), 1)?.address, '192.0.2.10', 'up to ten hops are read past loopback');
  assert.equal(clientFromReceived(loopbacks(10), 1), undefined, 'no further: a chain of loopback hops that long is no MTA\'s');
  assert.equal(clientFromReceived([], 1), undefined);
  const submission = ['from [198.51.100.20] (unknown [198.51.100.20]) (Authenticated sender: alice) by mx.ours.test (Postfix) with ESMTPSA id SUB'];
  assert.equal(clientFromReceived(submission, 1), undefined, 'an authenticated user is no mail server for SPF to judge');
  assert.equal(clientFromReceived(['from x ([198.51.100.21]) by mx.ours.test with ESMTPA id S'], 1), undefined);
});

test('the client given by the agent is never replaced; a HELO given is kept; what is no address is nobody known', () => {
  const view = { headers: () => HOPS };
  const given = { clientAddress: '203.0.113.1', helo: 'given.test', message: new Uint8Array() };
  assert.equal(withClient(given, view, 1), given);
  assert.deepEqual(withClient({ helo: 'told.test' }, view, 1), { helo: 'told.test', clientAddress: '192.0.2.10' });
  assert.deepEqual(withClient({}, view, 1), { clientAddress: '192.0.2.10', helo: 'mail.example.test' });
  assert.deepEqual(withClient({ clientAddress: '' }, view, 1), { clientAddress: '192.0.2.10', helo: 'mail.example.test' }, 'an empty CLIENT_ADDRESS');
  assert.deepEqual(withClient({ clientAddress: '/run/postfix/milter.sock', helo: '' }, { headers: () => [] }, 1), { helo: '' }, 'a socket path, and nothing to read');
  assert.deepEqual(withClient({}, { headers: () => [] }, 1), {});
});

test('the Return-Path is the envelope sender a delivery agent recorded', () => {
  assert.equal(returnPath(Buffer.from('Return-Path: <alice@example.test>\r\nFrom: x\r\n\r\nbody')), 'alice@example.test');
  assert.equal(returnPath(Buffer.from('Return-Path: <>\nSubject: bounce\n\n')), '', 'the null sender');
  assert.equal(returnPath(Buffer.from('Return-Path:\n  <folded@example.test>\nX: y\n\n')), 'folded@example.test');
  assert.equal(returnPath(Buffer.from('From: x\n\nReturn-Path: <in-body@example.test>\n')), undefined, 'only the header block counts');
  assert.equal(returnPath(Buffer.from('From: x\n\n')), undefined);
});

test('property: any Received text gives at most an address that is an IP written in it, and a HELO without spaces', () => {
  const words = fc.constantFrom('from', 'by', 'with', '(', ')', '[', ']', 'helo=', 'HELO', 'IPv6:', ' ', '\r\n\t', 'unknown', ';', 'x.test', '192.0.2.1', '2001:db8::1', '::ffff:10.0.0.1', '999.1.1.1');
  fc.assert(
    fc.property(fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 40 }), fc.integer({ min: 0, max: 12 }), (parts, trusted) => {
      const header = parts.join(' ');
      const { address, helo } = parseReceivedFrom(header);
      if (address !== undefined) assert.ok(isIP(address) !== 0, address);
      if (helo !== undefined) assert.match(helo, /^\S+$/);
      const client = clientFromReceived([header, header], trusted);
      if (client) assert.ok(client.hop >= trusted - 1 && isIP(client.address) !== 0);
    }),
    { numRuns: 3000 },
  );
});

test('a huge Received header costs a bounded read', () => {
  const header = `from ${'a'.repeat(5_000_000)} ([192.0.2.1]) by mx`;
  const started = performance.now();
  assert.deepEqual(parseReceivedFrom(header), {}, 'the address past the read limit is not seen');
  assert.ok(performance.now() - started < 500);
});
