import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMoat } from '../harness-agents/run-moat.js';
import { startMoatDaemon } from '../harness/moat-daemon.js';
import { freePort } from '../harness/ports.js';
import { rbldnsdMissing, startRbldnsd, type Rbldnsd } from '../harness/rbldnsd.js';
import { dataReply, swaks } from '../harness/swaks.js';

/**
 * Moat's DNS blocklists ([[antispam.dnsbl]]) against Debian's real DNSBL server, rbldnsd, on a
 * loopback port: `moat classify --network --json` with a real config file, and one message
 * through the daemon's SMTP agent. rbldnsd's query log says which names Moat asked, so "not
 * looked up" is asserted, not assumed. Only documentation addresses and .test/.example names.
 */

/** Weights per return code of the IP list; 127.0.0.9 is deliberately not mapped (it takes `score`). */
const IP_LIST = `[[antispam.dnsbl]]
zone = "bl.test"
kind = "ip"
symbol = "RBL_TEST"
score = 1.5
codes = { "127.0.0.2" = 3.0, "127.0.0.3" = 2.5, "127.0.0.4" = 6.0, "127.0.0.10" = 0.5, "127.0.0.20" = 16.0 }
`;
const URI_LIST = `[[antispam.dnsbl]]
zone = "uri.test"
kind = "uri"
symbol = "URIBL_TEST"
score = 2.5
`;
/** A list whose server ignores us (rbldnsd's acl dataset), while bl.test on the same server answers. */
const SILENT_LIST = `[[antispam.dnsbl]]
zone = "silent.test"
kind = "ip"
symbol = "RBL_SILENT"
`;

const BLOCKLIST_SYMBOLS = new Set(['RBL_TEST', 'URIBL_TEST', 'RBL_SILENT', 'DNSBL_UNAVAILABLE']);

/** What `moat classify --json` prints per message, as far as these tests read it. */
interface Classified {
  path: string;
  symbols: Array<{ name: string; score: number; options?: string[] }>;
}

/** A Received header as Postfix writes it: the client's HELO, then its reverse name and address. */
const hop = (helo: string, ip: string, by: string) => `Received: from ${helo} (${helo} [${ip}])\r\n\tby ${by} (Postfix) with ESMTP id 4Q${helo.length}; Sat, 21 Nov 2026 10:00:00 +0000\r\n`;

function message(id: string, received: string[], body = 'Hello Bob,\r\nsee you on Monday.\r\n', contentType = 'text/plain; charset=utf-8'): string {
  return `${received.join('')}Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nFrom: Alice <alice@sender.example>\r\nTo: Bob <bob@example.com>\r\nMessage-ID: <${id}@sender.example>\r\nSubject: ${id}\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}\r\n\r\n${body}`;
}

describe('DNS blocklists against a real rbldnsd', { skip: rbldnsdMissing, timeout: 120_000 }, () => {
  let rbl: Rbldnsd;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-dnsbl-'));
    rbl = await startRbldnsd({
      zones: [
        {
          name: 'bl.test',
          dataset: 'ip4set',
          lines: [
            ':127.0.0.2:listed: $',
            '192.0.2.0/24',
            '!192.0.2.99',
            '198.51.100.7 :127.0.0.4:worse',
            '198.51.100.20 :127.0.0.9:a code Moat has no weight for',
            '203.0.113.25',
            '203.0.113.66 :127.0.0.20:the worst',
          ],
        },
        // A second dataset of the same zone: rbldnsd answers with both values for an address in both.
        { name: 'bl.test', dataset: 'ip4set', lines: ['198.51.100.7 :127.0.0.10:also in the policy list'] },
        { name: 'bl.test', dataset: 'ip6trie', lines: ['2001:db8:bad::/48 :127.0.0.3:listed v6'] },
        { name: 'uri.test', dataset: 'dnset', lines: ['.spammy.example :127.0.0.2:uri'] },
        // A list whose servers hang: queries from 127.0.0.1 are dropped unanswered (the acl
        // dataset's default action), while the other zones of the same server answer.
        { name: 'silent.test', dataset: 'acl', lines: ['127.0.0.1'] },
        { name: 'silent.test', dataset: 'ip4set', lines: ['192.0.2.0/24'] },
      ],
    });
  });

  after(async () => {
    await rbl?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A config file in the temp dir: state there, the rbldnsd as the only DNS server, no SPF/DKIM (it would ask TXT records). */
  async function config(name: string, options: { trusted: number; lists: string[] }): Promise<string> {
    const file = join(dir, `${name}.toml`);
    await writeFile(file, `[global]\nstate_dir = "${join(dir, `state-${name}`)}"\n[antispam]\nauthentication = false\ntrusted_received = ${options.trusted}\ndns_servers = ["${rbl.address}"]\n${options.lists.join('')}`);
    return file;
  }

  async function messages(name: string, texts: string[]): Promise<string[]> {
    const files = texts.map((_, i) => join(dir, `${name}-${i}.eml`));
    for (const [i, text] of texts.entries()) await writeFile(files[i]!, text);
    return files;
  }

  /**
   * `moat classify --network --json FILES`: one result per file, how long it took and, unless the
   * server is paused (its log cannot be read then), the names rbldnsd was asked meanwhile.
   */
  async function classify(configFile: string, files: string[], options: { paused?: boolean } = {}) {
    const asked = options.paused ? 0 : (await rbl.queries()).length;
    const started = performance.now();
    const run = await runMoat(['--config', configFile, 'classify', '--network', '--json', ...files], { timeoutMs: 30_000 });
    const ms = performance.now() - started;
    assert.equal(run.code, 0, run.stderr);
    const results = run.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as Classified);
    assert.deepEqual(results.map((r) => r.path), files, 'every message classified');
    return { results, queries: options.paused ? [] : (await rbl.queries()).slice(asked), ms, stderr: run.stderr };
  }

  /** The blocklist symbols of a result, as [name, score, options]. */
  const listed = (r: Classified) => r.symbols.filter((s) => BLOCKLIST_SYMBOLS.has(s.name)).map((s) => [s.name, s.score, s.options ?? []]);

  test('the Received chain is looked up past trusted_received only; private and loopback hops never', async () => {
    // trusted_received = 2: header 0 (by our relay, naming our MX 203.0.113.25, which the list
    // has) and header 1 (by our MX, naming the client that connected to it) are ours. That client
    // is private here, so the names asked are the same whether or not classify reads the client
    // from header trusted_received−1 (and from the first public hop below it).
    const chain = [
      hop('mx-in.ours.example', '203.0.113.25', 'relay.ours.example'),
      hop('submit.ours.example', '10.20.30.40', 'mx-in.ours.example'),
      hop('bad.sender.example', '192.0.2.10', 'submit.ours.example'),
      hop('lan.sender.example', '192.168.1.20', 'bad.sender.example'),
      hop('dmz.sender.example', '172.16.5.5', 'lan.sender.example'),
      hop('localhost', '127.0.0.1', 'dmz.sender.example'),
      hop('origin.sender.example', '198.51.100.50', 'localhost'),
    ];
    const [file] = await messages('trust', [message('trust', chain)]);
    const { results, queries } = await classify(await config('trust2', { trusted: 2, lists: [IP_LIST] }), [file!]);
    assert.deepEqual(queries.sort(), ['10.2.0.192.bl.test', '50.100.51.198.bl.test'], 'only the two untrusted public hops are asked');
    assert.deepEqual(listed(results[0]!), [['RBL_TEST', 3, ['10.2.0.192', '127.0.0.2']]]);

    // The boundary is the setting's: with no trusted hop, our MX's address is asked (and listed) too.
    const none = await classify(await config('trust0', { trusted: 0, lists: [IP_LIST] }), [file!]);
    assert.deepEqual(none.queries.sort(), ['10.2.0.192.bl.test', '25.113.0.203.bl.test', '50.100.51.198.bl.test']);
    assert.deepEqual(listed(none.results[0]!).map(([name, score]) => [name, score]), [['RBL_TEST', 3]]);
  });

  test('return codes: a mapped code takes its weight, an unmapped one `score`, several codes the highest; CIDR entries and exclusions as rbldnsd defines them', async () => {
    const ours = hop('mx-in.ours.example', '10.0.0.1', 'relay.ours.example');
    const files = await messages('codes', [
      message('cidr', [ours, hop('a.sender.example', '192.0.2.200', 'x')]),
      message('excluded', [ours, hop('b.sender.example', '192.0.2.99', 'x')]),
      message('unmapped', [ours, hop('c.sender.example', '198.51.100.20', 'x')]),
      message('two-codes', [ours, hop('d.sender.example', '198.51.100.7', 'x')]),
    ]);
    const { results, queries } = await classify(await config('codes', { trusted: 1, lists: [IP_LIST] }), files);
    assert.deepEqual(queries, ['200.2.0.192.bl.test', '99.2.0.192.bl.test', '20.100.51.198.bl.test', '7.100.51.198.bl.test']);
    assert.deepEqual(listed(results[0]!), [['RBL_TEST', 3, ['200.2.0.192', '127.0.0.2']]], 'inside 192.0.2.0/24: the default value 127.0.0.2');
    assert.deepEqual(listed(results[1]!), [], '!192.0.2.99 excludes it from the /24: not listed, and not a failure');
    assert.deepEqual(listed(results[2]!), [['RBL_TEST', 1.5, ['20.100.51.198', '127.0.0.9']]], '127.0.0.9 has no weight in `codes`: `score`');
    const [twoCodes] = listed(results[3]!);
    assert.deepEqual(twoCodes!.slice(0, 2), ['RBL_TEST', 6], '127.0.0.4 (6.0) and 127.0.0.10 (0.5): the higher');
    assert.deepEqual([...(twoCodes![2] as string[])].sort(), ['127.0.0.10', '127.0.0.4', '7.100.51.198']);
  });

  test('two listed hops: the list weighs the worse listing, not whichever answer came first', async () => {
    // The newer hop (asked first, answered first) has the light code, the older one the heavy one.
    const chain = [hop('mx-in.ours.example', '10.0.0.1', 'relay.ours.example'), hop('c.sender.example', '198.51.100.20', 'x'), hop('d.sender.example', '198.51.100.7', 'c.sender.example')];
    const [file] = await messages('worst', [message('worst', chain)]);
    const { results, queries } = await classify(await config('worst', { trusted: 1, lists: [IP_LIST] }), [file!]);
    assert.deepEqual(queries, ['20.100.51.198.bl.test', '7.100.51.198.bl.test']);
    const [symbol] = listed(results[0]!);
    assert.deepEqual(symbol!.slice(0, 2), ['RBL_TEST', 6], `the 127.0.0.4 listing of 198.51.100.7 counts: ${JSON.stringify(symbol)}`);
  });

  test('IPv6 hops are asked as 32 reversed nibbles (RFC 5782) of an ip6trie; link-local and loopback are not asked', async () => {
    const chain = [
      hop('mx-in.ours.example', '10.0.0.1', 'relay.ours.example'),
      // Sendmail writes IPv6 literals with the IPv6: tag, Postfix without.
      `Received: from bad6.sender.example (bad6.sender.example [IPv6:2001:DB8:BAD::25])\r\n\tby mx-in.ours.example (8.17.1/8.17.1) with ESMTP id 5A; Sat, 21 Nov 2026 10:00:00 +0000\r\n`,
      hop('link.sender.example', 'fe80::1', 'bad6.sender.example'),
      hop('localhost', '::1', 'link.sender.example'),
      hop('good6.sender.example', '2001:db8:600d::1', 'localhost'),
    ];
    const [file] = await messages('v6', [message('v6', chain)]);
    const { results, queries } = await classify(await config('v6', { trusted: 1, lists: [IP_LIST] }), [file!]);
    const listedName = '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.a.b.0.8.b.d.0.1.0.0.2';
    assert.deepEqual(queries, [`${listedName}.bl.test`, '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.0.0.6.8.b.d.0.1.0.0.2.bl.test']);
    assert.deepEqual(listed(results[0]!), [['RBL_TEST', 2.5, [listedName, '127.0.0.3']]]);
  });

  test('URI lists: registered domains of links in plain text and HTML, wildcard subdomains; address literals are not domains', async () => {
    const ours = hop('mx-in.ours.example', '10.0.0.1', 'relay.ours.example');
    const files = await messages('uri', [
      message('uri-text', [ours], 'Offer: http://www.spammy.example/offer and https://deep.sub.spammy.example/x?y=1\r\nDocs: https://docs.clean.example/\r\n'),
      message('uri-html', [ours], '<html><body><p>Your <a href="https://click.spammy.example/t?id=1">bank statement</a> is ready.</p><a href="mailto:x@spammy.example">mail</a></body></html>\r\n', 'text/html; charset=utf-8'),
      message('uri-clean', [ours], 'Only http://www.clean.example/ and two addresses: http://192.0.2.10/ and http://[2001:db8::1]/x\r\n'),
    ]);
    const { results, queries } = await classify(await config('uri', { trusted: 1, lists: [URI_LIST] }), files);
    assert.deepEqual(queries, ['spammy.example.uri.test', 'clean.example.uri.test', 'spammy.example.uri.test', 'clean.example.uri.test'], 'each registered domain once per message; mailto: is not a link to a host; addresses are not asked');
    assert.deepEqual(listed(results[0]!), [['URIBL_TEST', 2.5, ['spammy.example', '127.0.0.2']]]);
    assert.deepEqual(listed(results[1]!), [['URIBL_TEST', 2.5, ['spammy.example', '127.0.0.2']]], 'the href counts, not the text shown');
    assert.deepEqual(listed(results[2]!), []);
  });

  /** Messages whose Received chain has three untrusted public hops, 192.0.2.N (listed, 3.0) first: three lookups per IP list. */
  const threeHops = (name: string, count: number) =>
    messages(
      name,
      Array.from({ length: count }, (_, i) =>
        message(`${name}-${i}`, [hop('mx-in.ours.example', '10.0.0.1', 'relay.ours.example'), hop('a.sender.example', `192.0.2.${20 + i}`, 'mx-in.ours.example'), hop('b.sender.example', `198.51.100.${30 + i}`, 'a.sender.example'), hop('c.sender.example', `203.0.113.${40 + i}`, 'b.sender.example')]),
      ),
    );

  test('a server that stops answering: every message is still classified (DNSBL_UNAVAILABLE, score 0), only the first waits for the timeout; answering again, it counts again', async () => {
    const files = await threeHops('down', 6);
    const configFile = await config('down', { trusted: 1, lists: [IP_LIST] });
    const answering = await classify(configFile, files);
    assert.deepEqual(answering.results.map((r) => listed(r).map(([name, score]) => [name, score])), files.map(() => [['RBL_TEST', 3]]));

    rbl.pause();
    let down: Awaited<ReturnType<typeof classify>>;
    try {
      down = await classify(configFile, files, { paused: true });
    } finally {
      rbl.resume();
    }
    // The first message's three lookups time out together, which suspends the list: the other
    // five fail at once (ECANCELLED) instead of waiting too.
    assert.deepEqual(
      down.results.map((r) => listed(r)),
      files.map((_, i) => [['DNSBL_UNAVAILABLE', 0, [`bl.test (${i === 0 ? 'ETIMEOUT' : 'ECANCELLED'})`]]]),
    );
    assert.match(down.stderr, /DNS blocklist bl\.test not answering: its lookups suspended/);
    // One 1.5 s timeout, which Node's c-ares timer (it checks once a second) makes 2 s; one per
    // message would be 12 s. The bound leaves room for a loaded machine; ECANCELLED above is the exact proof.
    const waited = down.ms - answering.ms;
    assert.ok(waited > 1400 && waited < 7000, `the paused run took ${down.ms.toFixed(0)} ms, ${waited.toFixed(0)} ms more than with answers`);

    const again = await classify(configFile, files);
    assert.deepEqual(again.results.map((r) => listed(r).map(([name, score]) => [name, score])), files.map(() => [['RBL_TEST', 3]]), 'a new process asks again, and the answers count');
  });

  test('one list that never answers while the others on the server do: only that list is suspended', async () => {
    const files = await threeHops('silent', 4);
    const { results, stderr } = await classify(await config('silent', { trusted: 1, lists: [IP_LIST, SILENT_LIST] }), files);
    assert.deepEqual(
      results.map((r) => listed(r)),
      files.map((_, i) => [
        ['RBL_TEST', 3, [`${20 + i}.2.0.192`, '127.0.0.2']],
        ['DNSBL_UNAVAILABLE', 0, [`silent.test (${i === 0 ? 'ETIMEOUT' : 'ECANCELLED'})`]],
      ]),
      'bl.test keeps counting in every message',
    );
    assert.match(stderr, /DNS blocklist silent\.test not answering/);
    assert.doesNotMatch(stderr, /DNS resolver unreachable/);
  });

  test('through the daemon (SMTP agent, Maildir delivery): a listed hop is named in X-Spam-Status; past reject_score the message is refused with 550 5.7.1', async () => {
    const daemonDir = join(dir, 'daemon');
    await mkdir(daemonDir);
    const [smtpPort, metricsPort] = [await freePort(), await freePort()];
    const moat = await startMoatDaemon({
      dir: daemonDir,
      waitPort: smtpPort,
      toml: `[global]\nstate_dir = "${join(daemonDir, 'state')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${smtpPort}\n[daemon]\nmetrics_listen = "127.0.0.1:${metricsPort}"\n[antispam]\nauthentication = false\ntrusted_received = 2\ndns_servers = ["${rbl.address}"]\n${IP_LIST}`,
    });
    try {
      // swaks connects without XFORWARD, so the Received chain is all Moat knows of the client.
      // Headers 0 and 1 are ours (trusted_received = 2): our MX, listed, must not be asked; the
      // client our MX recorded is private, so nothing depends on whether that hop is read.
      const ours = [hop('mx-in.ours.example', '203.0.113.25', 'relay.ours.example'), hop('submit.ours.example', '10.20.30.40', 'mx-in.ours.example')];
      const send = async (id: string, ip: string) => {
        const file = join(daemonDir, `${id}.eml`);
        await writeFile(file, message(id, [...ours, hop('bad.sender.example', ip, 'submit.ours.example')]).replace(/\r\n$/, ''));
        const r = await swaks(['--server', `127.0.0.1:${smtpPort}`, '--from', 'alice@sender.example', '--to', 'bob@example.com', '--data', `@${file}`]);
        return dataReply(r.output);
      };
      const asked = (await rbl.queries()).length;
      // With no next hop the daemon delivers to Maildirs before it answers, and its reply says so.
      assert.match(await send('daemon-listed', '192.0.2.10'), /^250 .*delivered to 1 maildir/);
      const maildir = join(daemonDir, 'state', 'mail', 'bob', 'new');
      const [delivered] = await readdir(maildir);
      const copy = await readFile(join(maildir, delivered!), 'latin1');
      assert.match(copy, /^Message-ID: <daemon-listed@sender\.example>/m);
      const status = /^X-Spam-Status: (.*(?:\r\n[ \t].*)*)/m.exec(copy)?.[1]?.replace(/\s+/g, ' ');
      // No rule fires on this message: its 3.0 is the listing's (127.0.0.2), and tests= names it.
      assert.match(status ?? copy, /^No, score=3\.0 required=5\.0 tests=(?:\w+,)*RBL_TEST[, ]/);

      // 127.0.0.20 weighs 16.0, past reject_score (15): refused in the session (docs/antispam.md, Actions).
      assert.equal(await send('daemon-reject', '203.0.113.66'), '550 5.7.1 Message rejected as spam (score 16.0)');
      assert.deepEqual((await readdir(maildir)).length, 1, 'the refused message was not delivered');
      assert.deepEqual((await rbl.queries()).slice(asked), ['10.2.0.192.bl.test', '66.113.0.203.bl.test'], 'our MX (25.113.0.203) is not asked');
    } finally {
      await moat.stop();
    }
  });
});
