import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureSink, type CaptureSink } from '../harness/capture-sink.js';
import { startFaultProxy } from '../harness/fault-proxy.js';
import { startMoatDaemon, type MoatDaemon } from '../harness/moat-daemon.js';
import { freePort, waitFor } from '../harness/ports.js';
import { afterQueueConfig, startPostfix, type PostfixInstance } from '../harness/postfix-instance.js';
import { dataReply, swaks } from '../harness/swaks.js';

/**
 * Never-lose-mail under faults, with the real Postfix queue as the judge: Moat killed with
 * messages in flight, the next hop refusing then hanging, the state directory full. After each
 * fault every message is either delivered or still in Postfix's queue; after recovery
 * (`postqueue -f`) all are delivered as policy says.
 */
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
let dir: string;
let postfix: PostfixInstance;
let sink: CaptureSink;
let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
let moat: MoatDaemon | undefined;
let moatPort: number;
let toml: string;
let stateDir: string;
let mounted = false;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-faults-'));
  await chmod(dir, 0o755); // Postfix's mail_owner must reach its data_directory below
  sink = await startCaptureSink();
  const [smtpPort, reinjectPort] = [await freePort(), await freePort()];
  moatPort = await freePort();
  const aq = afterQueueConfig(moatPort, reinjectPort);
  postfix = await startPostfix({ dir: join(dir, 'postfix'), port: smtpPort, main: { ...aq.main, relayhost: `[127.0.0.1]:${sink.port}` }, masterExtra: aq.masterExtra });
  proxy = await startFaultProxy(reinjectPort);
  stateDir = join(dir, 'state');
  await mkdir(stateDir);
  try {
    // A 4 MB file system for the state directory, so "disk full" is real ENOSPC.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', stateDir], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
  toml = `
[global]
state_dir = "${stateDir}"
[local]
enabled = false
[smtp]
listen_port = ${moatPort}
next_hop = "127.0.0.1:${proxy.port}"
next_hop_timeout_ms = 2000
[daemon]
metrics_listen = ""
[antispam]
authentication = false   # not under test, and tests ask no DNS but their own
`;
  moat = await startMoatDaemon({ dir, toml, waitPort: moatPort });
});

after(async () => {
  await moat?.stop();
  await postfix?.stop();
  await proxy?.close();
  await sink?.close();
  if (mounted) execFileSync('umount', ['-l', stateDir]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function send(marker: string, body = 'hello\r\n'): Promise<void> {
  const r = await swaks(['--server', `127.0.0.1:${postfix.port}`, '--from', 'alice@example.org', '--to', 'bob@example.com', '--header', `Subject: ${marker}`, '--header', `Message-ID: <${marker}@example.org>`, '--body', body]);
  assert.match(dataReply(r.output), /^250 /, `Postfix accepted ${marker}`);
}

const deliveredTo = (marker: string) => sink.matching(new RegExp(`<${marker}@example\\.org>`)).filter((m) => m.to.includes('bob@example.com')).length;
const queued = async () => (await postfix.queue()).length;

/** Every marker delivered to bob at least once (a crash after the next hop's 250 may duplicate, never lose). */
async function expectAllDelivered(markers: string[]): Promise<void> {
  await postfix.flush();
  await waitFor(`delivery of ${markers.join(', ')}`, async () => markers.every((m) => deliveredTo(m) >= 1) && (await queued()) === 0, 40_000, 500).catch(async (err: Error) => {
    throw new Error(`${err.message}: delivered ${markers.map((m) => `${m}=${deliveredTo(m)}`).join(' ')}; queue ${JSON.stringify(await postfix.queue())}`);
  });
}

test('next hop refusing (4xx), then hanging: mail stays queued in Postfix, then is delivered', async () => {
  proxy.mode = 'refuse-temp';
  await send('refuse-1');
  await send('refuse-2');
  await waitFor('Moat relayed the 421 as a deferral', async () => /refuse-|status=deferred.*421 4\.3\.2 fault-proxy/.test(await postfix.log()) && (await queued()) === 2);
  proxy.mode = 'hang';
  await send('hang-1');
  await postfix.waitForLog(/status=deferred .*4\.4\.7/, 30_000);
  assert.equal(deliveredTo('refuse-1') + deliveredTo('refuse-2') + deliveredTo('hang-1'), 0);
  const queue = await postfix.queue();
  assert.equal(queue.length, 3, `all three still in the Postfix queue: ${JSON.stringify(queue)}`);
  proxy.mode = 'pass';
  await expectAllDelivered(['refuse-1', 'refuse-2', 'hang-1']);
});

test('SIGKILL with messages in flight: nothing lost; delivered after restart', async () => {
  proxy.mode = 'hang';
  const markers = ['kill-1', 'kill-2', 'kill-3'];
  const receivedBefore = moat!.logLines().filter((l) => l.step === 'received').length;
  for (const m of markers) await send(m);
  await waitFor('three messages in flight inside Moat', () => moat!.logLines().filter((l) => l.step === 'received').length >= receivedBefore + 3, 20_000);
  moat!.signal('SIGKILL');
  await moat!.exited;
  await waitFor('Postfix deferred them', async () => (await queued()) === 3 && /lost connection|Connection refused|conversation with 127\.0\.0\.1/.test(await postfix.log()), 30_000);
  assert.equal(markers.reduce((n, m) => n + deliveredTo(m), 0), 0);
  proxy.mode = 'pass';
  moat = await startMoatDaemon({ dir, toml, waitPort: moatPort });
  await expectAllDelivered(markers);
});

test('state directory full: infected mail that cannot be quarantined stays queued; clean mail flows; all recovers', async (t) => {
  if (!mounted) return t.skip('mount -t tmpfs is not permitted here');
  const filler = join(stateDir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=200'], { stdio: 'ignore' });
  } catch {
    // dd exits non-zero at ENOSPC: the file system is full, which is the point.
  }
  await writeFile(join(stateDir, 'probe'), Buffer.alloc(64 * 1024)).then(
    () => assert.fail('the state directory should be full'),
    (err: NodeJS.ErrnoException) => assert.equal(err.code, 'ENOSPC'),
  );
  await send('full-eicar', `${EICAR}\r\n`);
  await send('full-clean');
  // Clean mail needs no durable state write and is delivered; infected mail must be quarantined
  // first, cannot be, and so stays in Postfix's queue with Moat's 4xx.
  await waitFor('clean delivered, infected deferred', async () => {
    const q = await postfix.queue();
    return deliveredTo('full-clean') === 1 && q.length === 1 && /^451 .*QUARANTINE_FAILED/.test(q[0]!.recipients[0]!.delay_reason?.replace(/^host \S+ said: /, '') ?? '');
  }, 30_000).catch(async (err: Error) => {
    throw new Error(`${err.message}: queue ${JSON.stringify(await postfix.queue())} clean delivered ${deliveredTo('full-clean')}`);
  });
  assert.equal(deliveredTo('full-eicar'), 0, 'infected mail never slips through when it cannot be quarantined');
  await unlink(filler);
  await postfix.flush();
  await waitFor('the bounce for the infected mail', () => sink.matching(/<full-eicar@example\.org>/).some((m) => m.from === ''), 30_000);
  assert.equal(deliveredTo('full-eicar'), 0);
});
