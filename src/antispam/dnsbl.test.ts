import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config/load.js';
import { dnsblSource, listingCodes, type ResolveA } from './dnsbl.js';
import { viewMessage } from './message-view.js';

const config = loadConfig([
  {
    file: 't.toml',
    text: '[antispam]\ntrusted_received = 0\n[[antispam.dnsbl]]\nzone = "bl.test"\nkind = "ip"\nsymbol = "RBL_TEST"\nscore = 1.5\ncodes = { "127.0.0.4" = 6.0, "127.0.0.9" = 1.0 }\n[[antispam.dnsbl]]\nzone = "uri.test"\nkind = "uri"\nsymbol = "URIBL_TEST"\n',
  },
]).config.antispam;

/** Answers from a table, each after `delayMs(name)`: the order answers arrive in is the test's to choose. */
function resolverOf(table: Record<string, string[]>, delayMs: (name: string) => number, asked: string[] = []): ResolveA {
  return (name) => {
    asked.push(name);
    return new Promise((resolve, reject) =>
      setTimeout(() => (table[name] ? resolve(table[name]) : reject(Object.assign(new Error('not listed'), { code: 'ENOTFOUND' }))), delayMs(name)),
    );
  };
}

const score = async (message: string, resolve: ResolveA) => {
  const data = Buffer.from(message);
  return (await dnsblSource(config, resolve)(viewMessage(data), { message: data, mailFrom: '', rcptTo: [] })).symbols;
};

test('several listed hops of one list: the heaviest listing counts, whichever answer comes first', async () => {
  const message = 'Received: from a ([198.51.100.20]) by b\r\nReceived: from c ([198.51.100.7]) by a\r\nSubject: x\r\n\r\nx\r\n';
  const table = { '20.100.51.198.bl.test': ['127.0.0.9'], '7.100.51.198.bl.test': ['127.0.0.4'] };
  const expected = [{ name: 'RBL_TEST', score: 6, description: 'listed in bl.test', options: ['7.100.51.198', '127.0.0.4'] }];
  // Was 1.0 when the light listing's answer came first (the first answer won).
  assert.deepEqual(await score(message, resolverOf(table, (name) => (name.startsWith('20.') ? 0 : 20))), expected);
  assert.deepEqual(await score(message, resolverOf(table, (name) => (name.startsWith('20.') ? 20 : 0))), expected);
});

test('equal weights: the listing asked first is the one shown, whatever answer comes first', async () => {
  const message = 'Received: from a ([198.51.100.20]) by b\r\nReceived: from c ([198.51.100.21]) by a\r\nSubject: x\r\n\r\nx\r\n';
  const table = { '20.100.51.198.bl.test': ['127.0.0.9'], '21.100.51.198.bl.test': ['127.0.0.9'] };
  const symbols = await score(message, resolverOf(table, (name) => (name.startsWith('20.') ? 20 : 0)));
  assert.deepEqual(symbols.map((s) => s.options), [['20.100.51.198', '127.0.0.9']]);
});

test('a link to an IPv6 address is not looked up as a domain (it failed as EBADNAME: DNSBL_UNAVAILABLE)', async () => {
  const asked: string[] = [];
  const message = 'Subject: x\r\n\r\nhttp://[2001:db8::1]/x http://192.0.2.1/ http://www.spammy.example/\r\n';
  const symbols = await score(message, resolverOf({ 'spammy.example.uri.test': ['127.0.0.2'] }, () => 0, asked));
  assert.deepEqual(asked, ['spammy.example.uri.test']);
  assert.deepEqual(symbols.map((s) => [s.name, s.score]), [['URIBL_TEST', 2]]);
});

test('only 127.0.0.0/8 answers are listings: an NXDOMAIN-rewriting resolver or a list\'s error reply is no listing, and says why', () => {
  assert.deepEqual(listingCodes(['127.0.0.2', '127.0.0.4'], {}), { codes: ['127.0.0.2', '127.0.0.4'] });
  assert.deepEqual(listingCodes(['198.51.100.80'], {}), { codes: [], unusable: 'answer 198.51.100.80 outside 127.0.0.0/8' });
  assert.deepEqual(listingCodes(['127.255.255.254'], {}), { codes: [], unusable: 'error reply 127.255.255.254' });
  assert.deepEqual(listingCodes(['127.0.0.1'], {}), { codes: [], unusable: 'error reply 127.0.0.1' }, 'URIBL answers 127.0.0.1 to a refused query');
  assert.deepEqual(listingCodes(['127.255.255.254'], { '127.255.255.254': 0.1 }), { codes: ['127.255.255.254'] }, 'a code the administrator weighted counts as set');
  assert.deepEqual(listingCodes([], {}), { codes: [] });
});

test('a blocklist answering outside 127.0.0.0/8 lists nothing: the message gets DNSBL_UNAVAILABLE, not the list\'s score', async () => {
  const message = Buffer.from('Received: from a.example (a.example [192.0.2.50]) by mx.ours.test\r\nFrom: x@example.com\r\n\r\nhello\r\n');
  const rewriting: ResolveA = async () => ['198.51.100.80'];
  const { symbols } = await dnsblSource(config, rewriting)(viewMessage(message), { message, mailFrom: '', rcptTo: [] });
  assert.deepEqual(symbols.map((s) => [s.name, s.score, s.options]), [['DNSBL_UNAVAILABLE', 0, ['bl.test (answer 198.51.100.80 outside 127.0.0.0/8)']]]);
});
