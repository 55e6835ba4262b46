import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { loadConfig } from '../core/config/load.js';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { dnsblSource, registeredDomain, reverseIp, untrustedIps } from './dnsbl.js';
import { canonicalIp } from './ip-address.js';
import { authenticationSource, headerLineCount } from './authentication.js';
import { viewMessage } from './message-view.js';
import { freePort } from '../../test/e2e/harness/ports.js';
import { rbldnsdMissing, startRbldnsd, type Rbldnsd } from '../../test/e2e/harness/rbldnsd.js';
import { NSD, startNsd, type NsdInstance } from '../../test/e2e/harness/nsd.js';

/** For `skip`: why the DNS tests cannot run (Debian's rbldnsd or nsd missing), or false. */
const dnsServersMissing: false | string =
  [rbldnsdMissing, !existsSync(NSD) && `${NSD} not installed (scripts/install-debian-deps.sh installs Debian's nsd)`].filter(Boolean).join('; ') || false;

const config = loadConfig([
  {
    file: 't.toml',
    text: '[antispam]\ntrusted_received = 1\n[[antispam.dnsbl]]\nzone = "bl.test"\nkind = "ip"\nsymbol = "RBL_TEST"\nscore = 2\ncodes = { "127.0.0.2" = 4.5 }\n[[antispam.dnsbl]]\nzone = "uribl.test"\nkind = "uri"\nscore = 3\n',
  },
]).config.antispam;

const MESSAGE = Buffer.from(
  'Received: from mx.ours.test (mx.ours.test [10.0.0.1]) by us\r\nReceived: from bad.host ([1.2.3.4]) by mx.ours.test\r\nFrom: someone@sender.test\r\nTo: x@example.com\r\nSubject: hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nvisit http://www.spammy.example/offer now\r\n',
);

test('the Received chain is read past the trusted hops; registered domains are derived', () => {
  // Every hop public (documentation ranges are public to isPublic), so only the boundary skips one.
  const chain = ['from a ([192.0.2.5])', 'from b ([198.51.100.8])', 'from c ([203.0.113.4])'];
  assert.deepEqual(untrustedIps(chain, 1, undefined), ['198.51.100.8', '203.0.113.4']);
  assert.deepEqual(untrustedIps(chain, 2, undefined), ['203.0.113.4']);
  assert.deepEqual(untrustedIps(chain, 0, undefined), ['192.0.2.5', '198.51.100.8', '203.0.113.4']);
  assert.deepEqual(untrustedIps(['from a ([192.168.1.5])', 'from b ([8.8.8.8])', 'from c ([1.2.3.4])'], 0, undefined), ['8.8.8.8', '1.2.3.4'], 'a private hop is skipped wherever it is');
  assert.equal(registeredDomain('a.b.spammy.example'), 'spammy.example');
  assert.equal(registeredDomain('www.shop.co.uk'), 'shop.co.uk');
});

test('IP lists read IPv4-mapped client addresses as IPv4 and IPv6 addresses in nibble form (RFC 5782)', () => {
  assert.deepEqual(untrustedIps([], 0, '::ffff:1.2.3.4'), ['1.2.3.4'], 'a dual-stack listener reports IPv4 clients so');
  assert.deepEqual(untrustedIps([], 0, '::ffff:10.0.0.1'), [], 'a private IPv4 stays private when mapped');
  assert.deepEqual(untrustedIps(['from a ([10.0.0.1])', 'from b (b.example [IPv6:2001:DB8::107])', 'from c ([2001:db8:0:0:1::9])', 'from d ([fe80::1])', 'from e ([::1])'], 1, undefined), ['2001:db8::107', '2001:db8:0:0:1::9']);
  assert.equal(reverseIp('192.0.2.99'), '99.2.0.192');
  assert.equal(reverseIp('2001:db8:1:2:3:4:567:89ab'), 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2', 'the RFC 5782 §2.4 example');
  assert.equal(reverseIp('::ffff:1.2.3.4'), '4.0.3.0.2.0.1.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0');
  assert.equal(reverseIp('not an ip'), undefined);
  assert.equal(canonicalIp('::FFFF:198.51.100.7'), '198.51.100.7');
  // Property: every IPv6 address, however written, gives 32 nibbles that read back as the same address.
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const label = reverseIp(ip)!;
      assert.match(label, /^([0-9a-f]\.){31}[0-9a-f]$/);
      const hex = label.split('.').reverse().join('');
      const back = hex.match(/.{4}/g)!.join(':');
      assert.equal(isIP(back), 6);
      assert.equal(reverseIp(back), label);
    }),
    { numRuns: 2000 },
  );
});

/**
 * Blocklists asked of Debian's rbldnsd, SPF and DMARC records of Debian's nsd, both on loopback
 * ports; each check gets the resolver of its server, as the daemon's one resolver would reach both.
 */
describe('network checks against real DNS servers (rbldnsd, nsd)', { skip: dnsServersMissing }, () => {
  let rbl: Rbldnsd | undefined;
  let nsd: NsdInstance | undefined;
  /** A records of the lists (rbldnsd). */
  const lists = new Resolver({ timeout: 1000, tries: 1 });
  /** TXT records of the sender's domain (nsd). */
  const records = new Resolver({ timeout: 1000, tries: 1 });

  before(async () => {
    const [r, n] = await Promise.allSettled([
      startRbldnsd({
        zones: [
          { name: 'bl.test', dataset: 'ip4set', lines: ['1.2.3.4 :127.0.0.2:listed'] },
          { name: 'bl.test', dataset: 'ip6trie', lines: ['2001:db8::107 :127.0.0.3:listed v6'] },
          { name: 'uribl.test', dataset: 'dnset', lines: ['spammy.example :127.0.0.4:listed uri'] },
        ],
      }),
      startNsd([{ origin: 'sender.test', records: ['@ IN TXT "v=spf1 ip4:192.0.2.10 -all"', '_dmarc IN TXT "v=DMARC1; p=reject"'] }]),
    ]);
    if (r.status === 'fulfilled') rbl = r.value;
    if (n.status === 'fulfilled') nsd = n.value;
    for (const s of [r, n]) if (s.status === 'rejected') throw s.reason;
    lists.setServers([rbl!.address]);
    records.setServers([nsd!.address]);
  });
  after(async () => {
    await Promise.all([rbl?.stop(), nsd?.stop()]);
  });

  test('DNS blocklists over a real DNS server on loopback: IP and URI lists with return-code weights', async () => {
    const seen = (await rbl!.queries()).length;
    const source = dnsblSource(config, (name) => lists.resolve4(name));
    const { symbols } = await source(viewMessage(MESSAGE), { message: MESSAGE, mailFrom: 'someone@sender.test', rcptTo: ['x@example.com'] });
    const byName = Object.fromEntries(symbols.map((s) => [s.name, s.score]));
    assert.equal(byName.RBL_TEST, 4.5);
    assert.equal(byName.RBL_URIBL_TEST, 3);
    const asked = (await rbl!.queries()).slice(seen);
    assert.ok(asked.includes('4.3.2.1.bl.test'), asked.join(', '));
    assert.ok(!asked.some((q) => q.startsWith('1.0.0.10.')), 'trusted and private hops are not looked up');
  });

  test('blocklists that do not answer say so (DNSBL_UNAVAILABLE, score 0); not being listed is not a failure', async () => {
    const dead = new Resolver({ timeout: 300, tries: 1 });
    dead.setServers([`127.0.0.1:${await freePort()}`]);
    const down = await dnsblSource(config, (name) => dead.resolve4(name))(viewMessage(MESSAGE), { message: MESSAGE, mailFrom: '', rcptTo: [] });
    const unavailable = down.symbols.find((s) => s.name === 'DNSBL_UNAVAILABLE');
    assert.ok(unavailable, JSON.stringify(down.symbols));
    assert.equal(unavailable.score, 0);
    assert.match(unavailable.options!.join(' '), /bl\.test \(E[A-Z]+\)/);
    const clean = Buffer.from('Received: from mx.ours.test ([10.0.0.1]) by us\r\nReceived: from ok.host ([5.6.7.8]) by mx.ours.test\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nvisit http://www.fine.example/ now\r\n');
    const up = await dnsblSource(config, (name) => lists.resolve4(name))(viewMessage(clean), { message: clean, mailFrom: '', rcptTo: [] });
    assert.deepEqual(up.symbols, [], 'NXDOMAIN everywhere: not listed, nothing to say');
  });

  test('an IPv6 client is looked up in nibble form, an IPv4-mapped one as IPv4', async () => {
    const source = dnsblSource(config, (name) => lists.resolve4(name));
    const bare = Buffer.from('From: someone@sender.test\r\nSubject: hi\r\n\r\nhello\r\n');
    const v6 = await source(viewMessage(bare), { message: bare, mailFrom: '', rcptTo: [], clientAddress: '2001:db8::107' });
    assert.deepEqual(v6.symbols.map((s) => [s.name, s.score]), [['RBL_TEST', 2]]);
    const mapped = await source(viewMessage(bare), { message: bare, mailFrom: '', rcptTo: [], clientAddress: '::ffff:1.2.3.4' });
    assert.deepEqual(mapped.symbols.map((s) => [s.name, s.score]), [['RBL_TEST', 4.5]]);
  });

  test('SPF fail and DMARC reject policy from a local zone via mailauth', async () => {
    const source = authenticationSource((name, type) => records.resolve(name, type as 'TXT'), 'mx.test');
    const { symbols, headers } = await source(viewMessage(MESSAGE), { message: MESSAGE, mailFrom: 'someone@sender.test', rcptTo: ['x@example.com'], clientAddress: '1.2.3.4', helo: 'bad.host' });
    const names = symbols.map((s) => s.name);
    assert.ok(names.includes('R_SPF_FAIL'), names.join(','));
    assert.ok(names.includes('DMARC_POLICY_FAIL'), names.join(','));
    assert.equal(symbols.find((s) => s.name === 'DMARC_POLICY_FAIL')!.score, 3.5, 'p=reject weighs more');
    assert.match(headers![0]!.value, /spf=fail/);
    const pass = await source(viewMessage(MESSAGE), { message: MESSAGE, mailFrom: 'someone@sender.test', rcptTo: [], clientAddress: '192.0.2.10', helo: 'good' });
    assert.ok(pass.symbols.some((s) => s.name === 'R_SPF_ALLOW'));
  });

  test('authentication on hostile headers ends in seconds: 100,000 From addresses (linear since nodemailer 10 parses them), 100,000 folded lines (skipped: AUTH_SKIPPED)', async () => {
    const source = authenticationSource((name, type) => records.resolve(name, type as 'TXT'), 'mx.test');
    const addresses = Buffer.from(`From: ${'a@b.c, '.repeat(100_000)}\r\nSubject: x\r\n\r\nx\r\n`);
    let t = performance.now();
    const a = await source(viewMessage(addresses), { message: addresses, mailFrom: 'someone@sender.test', rcptTo: [], clientAddress: '1.2.3.4', helo: 'h' });
    assert.ok(performance.now() - t < 10_000, `From list: ${(performance.now() - t).toFixed(0)} ms (was 152 s with nodemailer 8's parser)`);
    assert.ok(!a.symbols.some((s) => s.name === 'AUTH_SKIPPED'), 'checked, not skipped');
    const folded = Buffer.from(`From: someone@sender.test\r\nSubject: ${'a\r\n '.repeat(100_000)}\r\n\r\nx\r\n`);
    t = performance.now();
    const f = await source(viewMessage(folded), { message: folded, mailFrom: 'someone@sender.test', rcptTo: [], clientAddress: '1.2.3.4', helo: 'h' });
    assert.ok(performance.now() - t < 5_000);
    assert.deepEqual(f.symbols.map((s) => s.name), ['AUTH_SKIPPED']);
  });
});

test('headerLineCount counts header lines up to the empty line, and stops past the limit', () => {
  assert.equal(headerLineCount(Buffer.from('A: b\r\n c\r\nD: e\r\n\r\nbody\r\nmore\r\n'), 100), 3);
  assert.equal(headerLineCount(Buffer.from('A: b\nD: e\n\nbody\n'), 100), 2);
  assert.equal(headerLineCount(Buffer.from('A: b\r\n'.repeat(50)), 10), 11);
  assert.equal(headerLineCount(Buffer.from(''), 10), 0);
});
