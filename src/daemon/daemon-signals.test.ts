import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { startCaptureSink, type CaptureSink } from '../../test/e2e/harness/capture-sink.js';
import { startMoatDaemon, type MoatDaemon } from '../../test/e2e/harness/moat-daemon.js';
import { freePort, sleep, waitFor } from '../../test/e2e/harness/ports.js';

/** `moat daemon` as a process: SIGHUP under continuous load, metrics, SIGTERM with mail in flight. */
let dir: string;
let sink: CaptureSink;
let moat: MoatDaemon;
let port: number;
let metricsPort: number;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'moat-daemon-'));
  sink = await startCaptureSink();
  [port, metricsPort] = [await freePort(), await freePort()];
  // Authentication off: not under test, and tests ask no DNS server but their own (SPF of example.org).
  moat = await startMoatDaemon({
    dir,
    waitPort: port,
    toml: `[global]\nstate_dir = "${join(dir, 'state')}"\n[local]\nenabled = false\n[smtp]\nlisten_port = ${port}\nnext_hop = "127.0.0.1:${sink.port}"\n[daemon]\nmetrics_listen = "127.0.0.1:${metricsPort}"\n[antispam]\nauthentication = false\n`,
  });
});

after(async () => {
  await moat?.stop();
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends message `tag`-`i` (its Message-ID); each test its own tag, however many messages the load test got through. */
async function sendOne(i: number, tag = 'load'): Promise<string> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail({ envelope: { from: 'load@example.org', to: ['bob@example.com'] }, raw: `From: load@example.org\r\nTo: bob@example.com\r\nMessage-ID: <${tag}-${i}@example.org>\r\nSubject: ${tag} ${i}\r\n\r\nmessage ${i}\r\n` });
    return info.response;
  } catch (err) {
    return `ERROR ${(err as Error).message}`;
  } finally {
    transport.close();
  }
}

test('SIGHUP several times under continuous load: every message gets 250 and is delivered', async () => {
  const replies: string[] = [];
  let next = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      const i = next++;
      replies.push(await sendOne(i));
    }
  };
  const workers = Array.from({ length: 4 }, worker);
  for (let h = 0; h < 5; h++) {
    await sleep(600);
    moat.signal('SIGHUP');
  }
  await sleep(800);
  // On a machine busy with other test files the load may be slow: keep it going (reloads may still
  // be queued) until it is enough, rather than fail on how fast this machine is.
  await waitFor('20 messages sent', () => replies.length >= 20, 30_000);
  running = false;
  await Promise.all(workers);
  const bad = replies.filter((r) => !/^250 /.test(r));
  assert.deepEqual(bad, [], 'no message failed during reloads');
  for (let i = 0; i < next; i++) assert.equal(sink.matching(new RegExp(`<load-${i}@example\\.org>`)).length, 1, `load-${i} delivered once`);
  // Each SIGHUP queues one full reload (config + signature snapshot rebuilt in a worker); on a
  // loaded machine the last ones finish after the load stops, so wait for them before counting.
  await waitFor('five reloads', () => moat.logLines().filter((l) => l.step === 'reload' && l.level === 30).length >= 5);
  const reloads = moat.logLines().filter((l) => l.step === 'reload' && l.level === 30).length;
  assert.equal(reloads, 5, 'five reloads logged');
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(metrics, /^moat_reloads_total 5$/m);
  assert.match(metrics, new RegExp(`^moat_messages_total\\{action="accept"\\} ${replies.length}$`, 'm'));
  assert.match(metrics, /^moat_message_processing_seconds_count \d+$/m);
});

test('SIGHUP applies a changed policy; a broken file is refused and the running config kept', async () => {
  const { readFile, writeFile } = await import('node:fs/promises');
  const configFile = join(dir, 'moat.toml');
  const base = await readFile(configFile, 'utf8');
  const eicar = async (tag: string) => {
    const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({ envelope: { from: 'a@example.org', to: ['bob@example.com'] }, raw: `Subject: ${tag}\r\n\r\nX5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\r\n` });
      return '250';
    } catch (err) {
      return String((err as { responseCode?: number }).responseCode);
    } finally {
      transport.close();
    }
  };
  assert.equal(await eicar('before'), '550');
  await writeFile(configFile, `${base}\n[users."bob@example.com"]\naction_av_infected = "discard"\n`);
  const reloadsBefore = moat.logLines().filter((l) => l.step === 'reload').length;
  moat.signal('SIGHUP');
  await waitFor('reload', () => moat.logLines().filter((l) => l.step === 'reload').length > reloadsBefore);
  assert.equal(await eicar('after'), '250', 'discarded under the new policy');
  await writeFile(configFile, `${base}\n[smtp\nbroken`);
  moat.signal('SIGHUP');
  await waitFor('failed reload', () => moat.logLines().some((l) => l.step === 'reload' && l.level === 50));
  assert.equal(await eicar('kept'), '250', 'the last good configuration stays in force');
  await writeFile(configFile, base);
});

test('SIGTERM finishes in-flight messages, then exits 0', async () => {
  const pending = Array.from({ length: 6 }, (_, i) => sendOne(i, 'term'));
  await sleep(30);
  moat.signal('SIGTERM');
  const replies = await Promise.all(pending);
  for (const r of replies) assert.ok(/^250 /.test(r) || /^ERROR .*(421|ECONNREFUSED|ECONNRESET)/.test(r), `accepted or cleanly refused, never lost: ${r}`);
  for (const [i, r] of replies.entries()) if (/^250 /.test(r)) assert.equal(sink.matching(new RegExp(`<term-${i}@example\\.org>`)).length, 1);
  assert.equal(await moat.exited, 0);
});
