import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import type { ScanReport, Scanner } from '../core/verdict.js';
import { createPipeline } from './create-pipeline.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import type { Envelope } from './types.js';

const infected: Scanner = {
  dbVersion: 't',
  stats: () => ({ scans: 0, bytes: 0, detections: 0, errors: 0, cacheHits: 0, busyWorkers: 0, workers: 1, queued: 0, signatures: 1 }),
  close: async () => {},
  scan: async (): Promise<ScanReport> => ({ verdict: 'infected', detections: ['Eicar-Test-Signature'], dbVersion: 't', durationMs: 1, bytesScanned: 1, root: { id: 0, parentId: null, depth: 0, type: 'CL_TYPE_MAIL', size: 1, sha256: '', state: 'infected', detections: [{ name: 'Eicar-Test-Signature', kind: 'signature' }], children: [] } }),
};

/**
 * Notices are sent after the decision, without holding it up: wait until the expected number
 * arrived (a loaded machine may take a while), then a little longer for any that should not.
 */
async function run(toml: string, expected: number) {
  const store = openSqliteStore(await mkdtemp(join(tmpdir(), 'moat-notify-')));
  const sent: Array<{ envelope: Envelope; text: string }> = [];
  const config = loadConfig([{ file: 'n.toml', text: toml }]).config;
  const pipeline = createPipeline({ scanner: infected, config: () => config, quarantine: store.quarantine, events: store.events, logger: silentLogger(), notify: async (envelope, message) => void sent.push({ envelope, text: message.toString() }) });
  const outcome = await pipeline.process({ id: 'tx9', agent: 'smtp', envelope: { mailFrom: 'forged@victim.test', rcptTo: ['bob@example.com'] }, client: {}, message: { kind: 'buffer', data: Buffer.from('Subject: invoice\r\nMessage-ID: <m1@x>\r\n\r\nbody\r\n') }, receivedAt: new Date() });
  for (const deadline = Date.now() + 10_000; sent.length < expected && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  store.close();
  return { outcome, sent };
}

test('infected mail notifies the admin by default; never the (forged) sender unless configured', async () => {
  const { outcome, sent } = await run('[notifications]\nadmin = "postmaster@example.com"\n', 1);
  assert.equal(outcome.groups[0]!.action, 'reject', 'notices do not change the decision');
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]!.envelope, { mailFrom: '', rcptTo: ['postmaster@example.com'] });
  assert.match(sent[0]!.text, /^From: postmaster@localhost\r\nTo: postmaster@example\.com\r\nSubject: \[Moat\] infected message rejected, a copy kept in quarantine: Eicar-Test-Signature\r\n/);
  assert.match(sent[0]!.text, /Auto-Submitted: auto-replied/);
  assert.match(sent[0]!.text, /Sender: {7}forged@victim\.test/);
  assert.match(sent[0]!.text, /moat quarantine release \d{8}-[0-9a-f]+/);
});

test('recipient and sender notices when switched on; none without an admin address', async () => {
  const { sent } = await run('[notifications]\nnotify_recipient = true\nnotify_sender = true\n', 2);
  assert.deepEqual(sent.map((s) => s.envelope.rcptTo[0]).sort(), ['bob@example.com', 'forged@victim.test']);
  assert.match(sent.find((s) => s.envelope.rcptTo[0] === 'bob@example.com')!.text, /Subject: A message to you was blocked/);
});
