import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCaptureSink, type CaptureSink } from '../harness/capture-sink.js';
import { startMoatDaemon, type MoatDaemon } from '../harness/moat-daemon.js';
import { freePort, sleep, waitFor } from '../harness/ports.js';
import { beforeQueueConfig, startPostfix, type PostfixInstance } from '../harness/postfix-instance.js';
import { dataReply, swaks } from '../harness/swaks.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';

/** Moat as Postfix's smtpd_proxy_filter: the verdict reaches the client inside its SMTP session. */
let dir: string;
let postfix: PostfixInstance;
let sink: CaptureSink;
let moat: MoatDaemon;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-bq-'));
  await chmod(dir, 0o755); // Postfix's mail_owner must reach its data_directory below
  sink = await startCaptureSink();
  const [smtpPort, reinjectPort, moatPort] = [await freePort(), await freePort(), await freePort()];
  const bq = beforeQueueConfig(moatPort, reinjectPort);
  postfix = await startPostfix({ dir: join(dir, 'postfix'), port: smtpPort, main: { relayhost: `[127.0.0.1]:${sink.port}` }, smtpdOptions: bq.smtpdOptions, masterExtra: bq.masterExtra });
  // Authentication off: not under test, and tests ask no DNS server but their own.
  moat = await startMoatDaemon({
    dir,
    waitPort: moatPort,
    toml: `[global]\nstate_dir = "${join(dir, 'state')}"\n[local]\nenabled = false\n[smtp]\nmode = "before-queue"\nlisten_port = ${moatPort}\nnext_hop = "127.0.0.1:${reinjectPort}"\n[daemon]\nmetrics_listen = ""\n[antispam]\nauthentication = false\n`,
  });
});

after(async () => {
  await moat?.stop();
  await postfix?.stop();
  await sink?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const send = async (marker: string, body: string) =>
  dataReply((await swaks(['--server', `127.0.0.1:${postfix.port}`, '--from', 'alice@example.org', '--to', 'bob@example.com', '--header', `Message-ID: <${marker}@example.org>`, '--body', body])).output);

test('clean mail: the client gets the after-filter smtpd queue id, and the mail is delivered', async () => {
  assert.match(await send('bq-clean', 'hello'), /^250 2\.0\.0 Ok: queued as [0-9A-F]+/);
  await waitFor('delivery', () => sink.matching(/<bq-clean@example\.org>/).length === 1);
  assert.match(sink.matching(/<bq-clean@example\.org>/)[0]!.data.toString('latin1'), /X-Virus-Scanned: Moat/);
});

test('EICAR: the client gets 550 in its session; nothing is queued, nothing bounced', async () => {
  assert.match(await send('bq-eicar', EICAR), /^550 5\.7\.1 .*Eicar/i);
  await sleep(1_500);
  assert.equal(sink.matching(/bq-eicar@example\.org/).length, 0);
  assert.equal((await postfix.queue()).length, 0);
});
