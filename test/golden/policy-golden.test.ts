/**
 * Golden table: (settings, scan result, spam result, envelope) → outcome per recipient.
 * The scanner here replays the scan report each scenario specifies, so the table pins down the
 * Handle Object Policy itself; the engine's own detection is tested in src/engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { MoatError } from '../../src/core/errors.js';
import type { AvVerdict, ScanReport, Scanner } from '../../src/core/verdict.js';
import type { SpamScorer, SpamVerdict } from '../../src/antispam/types.js';
import { createPipeline } from '../../src/pipeline/create-pipeline.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Outcome } from '../../src/pipeline/types.js';

type Av = AvVerdict | 'error';

function scannerFor(av: Av, detections: string[] = []): Scanner {
  return {
    dbVersion: 'test:1',
    stats: () => ({ scans: 0, bytes: 0, detections: 0, errors: 0, busyWorkers: 0, workers: 1, queued: 0, signatures: 1 }),
    close: async () => {},
    async scan(): Promise<ScanReport> {
      if (av === 'error') throw new MoatError('SCAN_TIMEOUT', 'engine timed out');
      const state = av === 'infected' ? 'infected' : av === 'not_scanned' ? 'encrypted' : 'clean';
      return { verdict: av, detections, dbVersion: 'test:1', durationMs: 1, bytesScanned: 10, root: { id: 0, parentId: null, depth: 0, type: 'CL_TYPE_MAIL', size: 10, sha256: '', state, detections: detections.map((name) => ({ name, kind: 'signature' })), children: [] } };
    },
  };
}

function scorer(score: number, action: SpamVerdict['action']): SpamScorer {
  return {
    learn: async () => {},
    check: async () => ({ score, required: 5, spam: score >= 5, action, symbols: [{ name: 'TEST', score, description: 'test' }], headers: [{ name: 'X-Spam-Status', value: `${score >= 5 ? 'Yes' : 'No'}, score=${score.toFixed(1)} required=5.0 tests=TEST` }], scanned: true }),
  };
}

const MESSAGE = Buffer.from('From: a@sender.test\r\nTo: x@example.com\r\nSubject: Hello\r\n\r\nBody\r\n');

interface Scenario {
  name: string;
  toml?: string;
  av: Av;
  detections?: string[];
  spam?: [number, SpamVerdict['action']];
  from?: string;
  rcpt: string[];
  /** action per recipient */
  expect: Record<string, string>;
  quarantined?: boolean;
  subject?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'clean mail is accepted', av: 'clean', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'infected mail is rejected and kept in quarantine (default)', av: 'infected', detections: ['Eicar-Test-Signature'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' }, quarantined: true },
  { name: 'not scanned (encrypted) is accepted with a result header (default)', av: 'not_scanned', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'engine failure defers (never lose mail)', av: 'error', rcpt: ['x@example.com'], expect: { 'x@example.com': 'defer' } },
  { name: 'not scanned can be deferred by configuration', toml: '[policy]\naction_av_notscanned = "defer"\n', av: 'not_scanned', rcpt: ['x@example.com'], expect: { 'x@example.com': 'defer' } },
  {
    name: 'a per-recipient override splits a two-recipient message',
    toml: '[users."lab@example.com"]\naction_av_infected = "accept"\nquarantine_infected = false\n',
    av: 'infected',
    detections: ['Eicar-Test-Signature'],
    rcpt: ['x@example.com', 'lab@example.com'],
    expect: { 'x@example.com': 'reject', 'lab@example.com': 'accept' },
    quarantined: true,
    subject: '[virus Eicar-Test-Signature] Hello',
  },
  {
    name: 'group inheritance through parent_id',
    toml: '[groups.base]\naction_av_infected = "discard"\n[groups.strict]\nparent_id = "base"\n[users."@example.com"]\ngroup = "strict"\n',
    av: 'infected',
    detections: ['X'],
    rcpt: ['x@example.com', 'y@other.test'],
    expect: { 'x@example.com': 'discard', 'y@other.test': 'reject' },
    quarantined: true,
  },
  {
    name: 'the recipient entry wins over the sender entry',
    toml: '[senders."@partner.test"]\naction_av_infected = "accept"\n[users."x@example.com"]\naction_av_infected = "discard"\n',
    av: 'infected',
    from: 'bob@partner.test',
    rcpt: ['x@example.com', 'y@example.com'],
    expect: { 'x@example.com': 'discard', 'y@example.com': 'accept' },
    quarantined: true,
    subject: '[virus unknown] Hello',
  },
  { name: 'white-listed sender skips the antivirus', toml: '[lists]\nwhitelist_av = ["@trusted.test"]\n', av: 'infected', from: 'ops@trusted.test', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'black-listed sender is rejected', toml: '[lists]\nblacklist = ["spammer@bad.test"]\n', av: 'clean', from: 'spammer@bad.test', rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' } },
  { name: 'spam over the reject threshold is rejected', av: 'clean', spam: [15, 'reject'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' } },
  { name: 'spam tagged: accepted with a subject tag', av: 'clean', spam: [6, 'rewrite_subject'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' }, subject: '[SPAM] Hello' },
  { name: 'spam quarantine threshold: held, not delivered', av: 'clean', spam: [11, 'quarantine'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'discard' }, quarantined: true },
  { name: 'ham is accepted with spam headers', av: 'clean', spam: [1, 'no_action'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'white-listed recipient skips anti-spam', toml: '[lists]\nwhitelist_as = ["x@example.com"]\n', av: 'clean', spam: [15, 'reject'], rcpt: ['x@example.com', 'y@example.com'], expect: { 'x@example.com': 'accept', 'y@example.com': 'reject' } },
];

for (const s of SCENARIOS) {
  test(`golden: ${s.name}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-golden-'));
    const store = openSqliteStore(dir);
    try {
      const config = loadConfig(s.toml ? [{ file: 'golden.toml', text: s.toml }] : []).config;
      const pipeline = createPipeline({ scanner: scannerFor(s.av, s.detections), spamScorer: s.spam ? scorer(...s.spam) : undefined, config: () => config, quarantine: store.quarantine, events: store.events, logger: silentLogger() });
      const outcome: Outcome = await pipeline.process({ id: 'tx1', agent: 'smtp', envelope: { mailFrom: s.from ?? 'a@sender.test', rcptTo: s.rcpt }, client: {}, message: { kind: 'buffer', data: MESSAGE }, receivedAt: new Date() });
      const got: Record<string, string> = {};
      for (const g of outcome.groups) for (const r of g.recipients) got[r] = g.action;
      assert.deepEqual(got, s.expect);
      assert.equal(store.quarantine.list({ limit: 10 }).length > 0, s.quarantined ?? false, 'quarantine copy');
      for (const g of outcome.groups) {
        if (g.action === 'reject') assert.equal(g.reply?.code, 550);
        if (g.action === 'defer') assert.equal(g.reply?.code, 451);
        if (g.action === 'accept') {
          const text = g.message!.kind === 'buffer' ? g.message!.data.toString() : '';
          assert.ok(text.endsWith(MESSAGE.toString().replace('Subject: Hello', `Subject: ${s.subject ?? 'Hello'}`)), 'original bytes kept after the added headers');
          assert.match(text, /^X-Virus-Scanned: Moat/);
          // A recipient white-listed for anti-spam gets no spam verdict headers.
          if (s.spam) assert.equal(/X-Spam-Status: /.test(text), !(s.toml ?? '').includes(`whitelist_as = ["${g.recipients[0]}"]`));
        }
      }
      assert.equal(store.events.recent(1)[0]!.transactionId, 'tx1');
    } finally {
      store.close();
    }
  });
}
