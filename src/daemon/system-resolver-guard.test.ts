import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { isMoatError } from '../core/errors.js';
import { openSpamScorer } from './spam-scorer-factory.js';
import { startMoatDaemon } from '../../test/e2e/harness/moat-daemon.js';
import { freePort } from '../../test/e2e/harness/ports.js';

/**
 * Tests use a local zone, never the internet: under the test runner (MOAT_TEST=1), network
 * checks that would ask the system's resolver, or a DNS server off this host, refuse to start.
 */
const DNSBL = '[[antispam.dnsbl]]\nzone = "bl.test"\nkind = "ip"\n';

async function open(antispam: string, options: { network?: boolean } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'moat-resolver-guard-'));
  const { config } = loadConfig([{ file: 't.toml', text: `[global]\nstate_dir = "${join(dir, 'state')}"\n[antispam]\n${antispam}` }]);
  const previous = process.env.MOAT_TEST;
  process.env.MOAT_TEST = '1';
  try {
    const { store } = await openSpamScorer(config, silentLogger(), { readOnly: true, ...options });
    await store.close();
    return 'opened';
  } catch (err) {
    if (!isMoatError(err, 'CONFIG_INVALID')) throw err;
    return err.message;
  } finally {
    if (previous === undefined) delete process.env.MOAT_TEST;
    else process.env.MOAT_TEST = previous;
  }
}

test('under MOAT_TEST, DNS checks without a DNS server on loopback refuse to start, naming what to fix', async () => {
  assert.match(await open(''), /^MOAT_TEST is set \(a test run\) and \[antispam\] authentication would ask the system's resolver \(no dns_servers\): point \[antispam\] dns_servers at the test's own DNS server/, 'authentication is on by default');
  assert.match(await open(`authentication = false\n${DNSBL}`), /\[antispam\] dnsbl would ask the system's resolver/);
  assert.match(await open('dns_servers = ["127.0.0.1:5353", "192.0.2.53"]\n'), /would ask DNS servers off this host \(127\.0\.0\.1:5353, 192\.0\.2\.53\)/);
  for (const servers of ['"127.0.0.1:5353"', '"127.0.0.1"', '"::1"', '"[::1]:5353"']) assert.equal(await open(`dns_servers = [${servers}]\n${DNSBL}`), 'opened', servers);
  assert.equal(await open(`authentication = false\n`), 'opened', 'no DNS check, no DNS server needed');
  assert.equal(await open('', { network: false }), 'opened', 'network checks not built (moat classify without --network, moat learn)');
});

test('a test daemon whose configuration would use the system resolver does not start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-resolver-guard-daemon-'));
  const port = await freePort();
  const toml = `[global]\nstate_dir = "${join(dir, 'state')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${port}\n[daemon]\nmetrics_listen = ""\n`;
  const started = await startMoatDaemon({ dir, toml, waitPort: port }).catch((err: Error) => err);
  if (!(started instanceof Error)) {
    await started.stop();
    assert.fail('the daemon started with authentication on and no dns_servers');
  }
  assert.match(started.message, /moat daemon exited \(\d+\) before listening:[\s\S]*MOAT_TEST is set .*authentication would ask the system's resolver/);
});
