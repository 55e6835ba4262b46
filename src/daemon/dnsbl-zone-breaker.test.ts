import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { rbldnsdMissing, startRbldnsd, type Rbldnsd } from '../../test/e2e/harness/rbldnsd.js';
import { openSpamScorer } from './spam-scorer-factory.js';

/**
 * Two IP lists on one real DNS server, Debian's rbldnsd on loopback: bl.test answers, dead.test
 * never does (its `acl` dataset drops every query from 127.0.0.1 unanswered, while the server's
 * other zone answers), as a list whose servers are gone while the rest of DNS works.
 */
describe('per-zone circuit breakers against a real rbldnsd', { skip: rbldnsdMissing }, () => {
  let rbl: Rbldnsd | undefined;

  before(async () => {
    rbl = await startRbldnsd({
      zones: [
        { name: 'bl.test', dataset: 'ip4set', lines: ['1.2.3.4 :127.0.0.2:listed', '192.0.2.10 :127.0.0.2:listed'] },
        { name: 'dead.test', dataset: 'acl', lines: ['127.0.0.1'] },
        // Everything listed: were the acl to let a query through, dead.test would answer, not time out.
        { name: 'dead.test', dataset: 'ip4set', lines: ['0.0.0.0/0'] },
      ],
    });
  });
  after(async () => {
    await rbl?.stop();
  });

  /** A fresh scorer (its breakers closed) with both lists and the rbldnsd as its only DNS server. */
  async function withDeadZone() {
    const config = loadConfig([
      {
        file: 't.toml',
        text: `[global]\nstate_dir = "/nonexistent/moat-no-state"\n[antispam]\nauthentication = false\ntrusted_received = 0\ndns_servers = ["${rbl!.address}"]\n[[antispam.dnsbl]]\nzone = "dead.test"\nkind = "ip"\n[[antispam.dnsbl]]\nzone = "bl.test"\nkind = "ip"\nsymbol = "RBL_TEST"\n`,
      },
    ]).config;
    return openSpamScorer(config, silentLogger(), { readOnly: true });
  }

  test('a blocklist zone that stops answering (the rest of DNS fine) costs its timeout on the first messages only, and the other lists keep working', async () => {
    const { scorer, store } = await withDeadZone();
    try {
      const message = Buffer.from('Received: from bad.host ([1.2.3.4]) by mx\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n');
      const times: number[] = [];
      for (let i = 0; i < 8; i++) {
        const t = performance.now();
        const v = await scorer.check({ message, mailFrom: '', rcptTo: [] });
        times.push(performance.now() - t);
        assert.ok(v.symbols.some((s) => s.name === 'RBL_TEST'), `message ${i}: the answering list still counts`);
        assert.ok(v.symbols.some((s) => s.name === 'DNSBL_UNAVAILABLE'), `message ${i}: the silent list is said to be unavailable`);
      }
      assert.ok(times.slice(0, 3).every((ms) => ms > 1000), `the first three wait for the timeout: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      assert.ok(times.slice(3).every((ms) => ms < 500), `then the zone is suspended: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    } finally {
      await store.close();
    }
  });

  test('a silent list\'s timeouts are its own: one message with three relays suspends that list, not the resolver with every other list', async () => {
    const { scorer, store } = await withDeadZone();
    try {
      const message = Buffer.from('Received: from a ([192.0.2.10]) by mx\r\nReceived: from b ([198.51.100.1]) by a\r\nReceived: from c ([203.0.113.1]) by b\r\nFrom: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n');
      for (let i = 0; i < 3; i++) {
        const v = await scorer.check({ message, mailFrom: '', rcptTo: [] });
        const blocklists = v.symbols.filter((s) => s.name === 'RBL_TEST' || s.name === 'DNSBL_UNAVAILABLE').map((s) => [s.name, s.options]);
        // Was, from the second message on: no RBL_TEST, and DNSBL_UNAVAILABLE ["dead.test (ECANCELLED)", "bl.test (ECANCELLED)"].
        assert.deepEqual(blocklists, [['RBL_TEST', ['10.2.0.192', '127.0.0.2']], ['DNSBL_UNAVAILABLE', [`dead.test (${i === 0 ? 'ETIMEOUT' : 'ECANCELLED'})`]]], `message ${i}`);
      }
    } finally {
      await store.close();
    }
  });
});
