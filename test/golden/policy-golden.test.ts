/**
 * Golden table: (settings, message, spam result, envelope) → outcome per recipient.
 * Messages are real bytes scanned by the real engine (built-in EICAR database): a clean text
 * mail, EICAR as an attachment, EICAR inside a zip made by Info-ZIP, and a password-protected
 * zip (not scanned). Only the engine-failure row uses a scanner that throws, because a real
 * engine failure cannot be produced on demand (the agents' crash tests kill real workers).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { MoatError } from '../../src/core/errors.js';
import type { Scanner } from '../../src/core/verdict.js';
import type { SpamScorer, SpamVerdict } from '../../src/antispam/types.js';
import { spamHeaders } from '../../src/antispam/spam-verdict.js';
import { buildSnapshot, createScanner } from '../../src/engine/scanner.js';
import { EICAR } from '../../src/engine/sigdb/builtin-database.js';
import { createPipeline } from '../../src/pipeline/create-pipeline.js';
import { cleanByMimePart } from '../../src/pipeline/mime-cleaner.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { Outcome } from '../../src/pipeline/types.js';
import { zipFixtures } from '../fixtures/containers/zip-fixtures.js';

const { snapshot } = await buildSnapshot({ paths: [], strict: false, pua: false });
const engine = createScanner({ snapshot, workers: 1 });
after(() => engine.close());

const failingEngine: Scanner = {
  dbVersion: 'test:1',
  stats: () => engine.stats(),
  close: async () => {},
  scan: () => Promise.reject(new MoatError('SCAN_TIMEOUT', 'engine timed out')),
};

const zips = zipFixtures();
const TEXT = 'From: a@sender.test\r\nTo: x@example.com\r\nSubject: Hello\r\n';
const withAttachment = (name: string, bytes: Buffer) =>
  Buffer.from(`${TEXT}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nBody\r\n--B\r\nContent-Type: application/octet-stream; name=${name}\r\nContent-Transfer-Encoding: base64\r\n\r\n${bytes.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--B--\r\n`);

type MessageKind = 'clean' | 'eicar' | 'zipped-eicar' | 'encrypted-zip' | 'engine-failure';
const MESSAGES: Record<MessageKind, Buffer> = {
  clean: Buffer.from(`${TEXT}\r\nBody\r\n`),
  eicar: withAttachment('eicar.com', Buffer.from(EICAR)),
  'zipped-eicar': withAttachment('invoice.zip', readFileSync(join(zips, 'deflate.zip'))),
  'encrypted-zip': withAttachment('secret.zip', readFileSync(join(zips, 'encrypted.zip'))),
  'engine-failure': Buffer.from(`${TEXT}\r\nBody\r\n`),
};
/** What the engine must say about each message (checked in every row through the outcome summary). */
const AV_SUMMARY: Record<MessageKind, RegExp> = {
  clean: /^av=clean /,
  eicar: /^av=infected \(Eicar-Test-Signature\) /,
  'zipped-eicar': /^av=infected \(Eicar-Test-Signature\) /,
  'encrypted-zip': /^av=not_scanned /,
  'engine-failure': /^av=error /,
};

function scorer(score: number, action: SpamVerdict['action']): SpamScorer {
  return {
    learn: async () => {},
    check: async () => {
      const symbols = [{ name: 'TEST', score, description: 'test' }];
      return { score, required: 5, spam: score >= 5, action, symbols, headers: [...spamHeaders(score, 5, symbols, 'no'), { name: 'Authentication-Results', value: 'mx.test; none' }], scanned: true, autolearn: 'no' };
    },
  };
}

interface Scenario {
  name: string;
  toml?: string;
  message: MessageKind;
  spam?: [number, SpamVerdict['action']];
  from?: string;
  rcpt: string[];
  /** action per recipient */
  expect: Record<string, string>;
  quarantined?: boolean;
  subject?: string;
  /** Subject per recipient, where recipients differ. */
  subjects?: Record<string, string>;
  /** The interception point (default smtp, which delivers recipient groups separately). */
  agent?: 'smtp' | 'pipe' | 'qmail' | 'mda' | 'milter';
  /** Recipients the quarantine copy is held for. */
  heldFor?: string[];
  /** X-Spam-Flag and `required=` per accepted recipient (per-recipient thresholds). */
  spamFlag?: Record<string, [string, string]>;
  /** The policy skipped the antivirus for everyone (white/black list). */
  avSkipped?: boolean;
  /** The infected part was replaced (clean mode). */
  cleaned?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'clean mail is accepted', message: 'clean', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'zipped EICAR is rejected and kept in quarantine (default)', message: 'zipped-eicar', rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' }, quarantined: true },
  { name: 'infected mail can be cleaned: the part is replaced, the rest delivered', toml: '[policy]\nav_clean_mode = "standard"\n', message: 'eicar', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' }, quarantined: true, cleaned: true },
  { name: 'infected mail is rejected and kept in quarantine (default)', message: 'eicar', rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' }, quarantined: true },
  { name: 'not scanned (encrypted) is accepted with a result header (default)', message: 'encrypted-zip', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'engine failure defers (never lose mail)', message: 'engine-failure', rcpt: ['x@example.com'], expect: { 'x@example.com': 'defer' } },
  { name: 'not scanned can be deferred by configuration', toml: '[policy]\naction_av_notscanned = "defer"\n', message: 'encrypted-zip', rcpt: ['x@example.com'], expect: { 'x@example.com': 'defer' } },
  {
    name: 'a per-recipient override splits a two-recipient message',
    toml: '[users."lab@example.com"]\naction_av_infected = "accept"\nquarantine_infected = false\n',
    message: 'eicar',
    rcpt: ['x@example.com', 'lab@example.com'],
    expect: { 'x@example.com': 'reject', 'lab@example.com': 'accept' },
    quarantined: true,
    subject: '[virus Eicar-Test-Signature] Hello',
  },
  {
    name: 'group inheritance through parent_id',
    toml: '[groups.base]\naction_av_infected = "discard"\n[groups.strict]\nparent_id = "base"\n[users."@example.com"]\ngroup = "strict"\n',
    message: 'zipped-eicar',
    rcpt: ['x@example.com', 'y@other.test'],
    expect: { 'x@example.com': 'discard', 'y@other.test': 'reject' },
    quarantined: true,
  },
  {
    name: 'the recipient entry wins over the sender entry',
    toml: '[senders."@partner.test"]\naction_av_infected = "accept"\n[users."x@example.com"]\naction_av_infected = "discard"\n',
    message: 'zipped-eicar',
    from: 'bob@partner.test',
    rcpt: ['x@example.com', 'y@example.com'],
    expect: { 'x@example.com': 'discard', 'y@example.com': 'accept' },
    quarantined: true,
    subject: '[virus Eicar-Test-Signature] Hello',
  },
  { name: 'white-listed sender skips the antivirus', toml: '[lists]\nwhitelist_av = ["@trusted.test"]\n', message: 'eicar', avSkipped: true, from: 'ops@trusted.test', rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  { name: 'black-listed sender is rejected', toml: '[lists]\nblacklist = ["spammer@bad.test"]\n', message: 'clean', avSkipped: true, from: 'spammer@bad.test', rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' } },
  { name: 'spam over the reject threshold is rejected', message: 'clean', spam: [15, 'reject'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'reject' } },
  { name: 'spam below the rewrite_subject threshold: flagged in the headers, subject untouched', message: 'clean', spam: [6, 'add_header'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' }, spamFlag: { 'x@example.com': ['YES', '5.0'] } },
  { name: 'spam tagged: accepted with a subject tag', message: 'clean', spam: [6, 'rewrite_subject'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' }, subject: '[SPAM] Hello' },
  { name: 'spam quarantine threshold: held, not delivered', message: 'clean', spam: [11, 'quarantine'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'discard' }, quarantined: true },
  { name: 'ham is accepted with spam headers', message: 'clean', spam: [1, 'no_action'], rcpt: ['x@example.com'], expect: { 'x@example.com': 'accept' } },
  {
    name: "a recipient's own required_score makes the message spam for it only",
    toml: '[users."strict@example.com"]\nrequired_score = 3\nrewrite_subject_score = 3.5\n',
    message: 'clean',
    spam: [4, 'no_action'],
    rcpt: ['x@example.com', 'strict@example.com'],
    expect: { 'x@example.com': 'accept', 'strict@example.com': 'accept' },
    subjects: { 'x@example.com': 'Hello', 'strict@example.com': '[SPAM] Hello' },
    spamFlag: { 'x@example.com': ['NO', '5.0'], 'strict@example.com': ['YES', '3.0'] },
  },
  {
    name: "a group's quarantine_score holds the message for its members only",
    toml: '[groups.tight]\nrequired_score = 2\nquarantine_score = 3\n[users."@tight.test"]\ngroup = "tight"\n',
    message: 'clean',
    spam: [3.5, 'no_action'],
    rcpt: ['x@example.com', 'y@tight.test'],
    expect: { 'x@example.com': 'accept', 'y@tight.test': 'discard' },
    quarantined: true,
    spamFlag: { 'x@example.com': ['NO', '5.0'] },
  },
  {
    name: "a sender entry's required_score (lenient for a partner) applies to its mail",
    toml: '[senders."@partner.test"]\nrequired_score = 10\nquarantine_score = 12\n',
    message: 'clean',
    spam: [6, 'rewrite_subject'],
    from: 'bob@partner.test',
    rcpt: ['x@example.com'],
    expect: { 'x@example.com': 'accept' },
    spamFlag: { 'x@example.com': ['NO', '10.0'] },
  },
  {
    name: 'one-copy agents (MDA, pipe): a discard for one recipient holds the others\' copy in quarantine, never drops it silently',
    toml: '[users."y@example.com"]\nrequired_score = 2\nquarantine_score = 3\n',
    message: 'clean',
    spam: [4, 'no_action'],
    agent: 'mda',
    rcpt: ['x@example.com', 'y@example.com'],
    expect: { 'x@example.com': 'discard', 'y@example.com': 'discard' },
    quarantined: true,
    heldFor: ['x@example.com', 'y@example.com'],
  },
  {
    name: 'one-copy agents: a reject for one recipient refuses the whole message (the sender is told), nothing held for the others',
    toml: '[users."y@example.com"]\nrequired_score = 2\nquarantine_score = 3\nreject_score = 3\n',
    message: 'clean',
    spam: [4, 'no_action'],
    agent: 'pipe',
    rcpt: ['x@example.com', 'y@example.com'],
    expect: { 'x@example.com': 'accept', 'y@example.com': 'reject' },
  },
  {
    name: 'qmail-queue writes its own envelope: the pipeline leaves per-recipient discards to it',
    toml: '[users."y@example.com"]\nrequired_score = 2\nquarantine_score = 3\n',
    message: 'clean',
    spam: [4, 'no_action'],
    agent: 'qmail',
    rcpt: ['x@example.com', 'y@example.com'],
    expect: { 'x@example.com': 'accept', 'y@example.com': 'discard' },
    quarantined: true,
    heldFor: ['y@example.com'],
  },
  { name: 'white-listed recipient skips anti-spam', toml: '[lists]\nwhitelist_as = ["x@example.com"]\n', message: 'clean', spam: [15, 'reject'], rcpt: ['x@example.com', 'y@example.com'], expect: { 'x@example.com': 'accept', 'y@example.com': 'reject' } },
];

for (const s of SCENARIOS) {
  test(`golden: ${s.name}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'moat-golden-'));
    const store = openSqliteStore(dir);
    try {
      const config = loadConfig(s.toml ? [{ file: 'golden.toml', text: s.toml }] : []).config;
      const pipeline = createPipeline({ scanner: s.message === 'engine-failure' ? failingEngine : engine, cleaner: cleanByMimePart, spamScorer: s.spam ? scorer(...s.spam) : undefined, config: () => config, quarantine: store.quarantine, events: store.events, logger: silentLogger() });
      const outcome: Outcome = await pipeline.process({ id: 'tx1', agent: s.agent ?? 'smtp', envelope: { mailFrom: s.from ?? 'a@sender.test', rcptTo: s.rcpt }, client: {}, message: { kind: 'buffer', data: MESSAGES[s.message] }, receivedAt: new Date() });
      assert.match(outcome.summary, s.avSkipped ? /^av=skipped / : AV_SUMMARY[s.message], 'the engine\'s verdict on this message');
      const got: Record<string, string> = {};
      for (const g of outcome.groups) for (const r of g.recipients) got[r] = g.action;
      assert.deepEqual(got, s.expect);
      assert.equal(store.quarantine.list({ limit: 10 }).length > 0, s.quarantined ?? false, 'quarantine copy');
      if (s.heldFor) assert.deepEqual([...store.quarantine.list({ limit: 10 })[0]!.recipients].sort(), s.heldFor, 'held for');
      for (const g of outcome.groups) {
        if (g.action === 'reject') assert.equal(g.reply?.code, 550);
        if (g.action === 'defer') assert.equal(g.reply?.code, 451);
        if (g.action === 'accept') {
          const text = g.message!.kind === 'buffer' ? g.message!.data.toString('latin1') : '';
          const original = MESSAGES[s.message].toString('latin1').replace('Subject: Hello', `Subject: ${s.subjects?.[g.recipients[0]!] ?? s.subject ?? 'Hello'}`);
          if (s.cleaned) {
            assert.equal(g.bodyReplaced, true);
            assert.ok(!text.includes(Buffer.from(EICAR).toString('base64').slice(0, 40)), 'the infected part is gone');
            assert.ok(text.includes('--B\r\nContent-Type: text/plain\r\n\r\nBody\r\n'), 'the clean part is kept byte for byte');
          } else assert.ok(text.endsWith(original), 'original bytes kept after the added headers');
          assert.match(text, /^X-Virus-Scanned: Moat/);
          // A recipient white-listed for anti-spam gets no spam verdict headers.
          if (s.spam) assert.equal(/X-Spam-Status: /.test(text), !(s.toml ?? '').includes(`whitelist_as = ["${g.recipients[0]}"]`));
          for (const r of g.recipients) {
            const want = s.spamFlag?.[r];
            if (!want) continue;
            assert.match(text, new RegExp(`^X-Spam-Flag: ${want[0]}\\r\\n`, 'm'), `X-Spam-Flag for ${r}`);
            assert.match(text, new RegExp(`^X-Spam-Status: ${want[0] === 'YES' ? 'Yes' : 'No'}, score=\\S+ required=${want[1].replace('.', '\\.')} tests=TEST autolearn=no\\r\\n`, 'm'), `X-Spam-Status for ${r}`);
            assert.equal(text.match(/^X-Spam-Flag:/gm)?.length, 1, 'one set of X-Spam-* headers');
            assert.match(text, /^Authentication-Results: mx\.test; none\r\n/m, 'the other anti-spam headers are kept');
          }
        }
      }
      assert.equal(store.events.recent(1)[0]!.transactionId, 'tx1');
    } finally {
      store.close();
    }
  });
}

test('anti-spam stuck on a hung server (a check that never ends): the message is not decided past its deadline, TIMEOUT (temporary), nothing quarantined', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-golden-'));
  const store = openSqliteStore(dir);
  try {
    const config = loadConfig([]).config;
    const hung: SpamScorer = { learn: async () => {}, check: () => new Promise(() => undefined) };
    const pipeline = createPipeline({ scanner: engine, spamScorer: hung, config: () => config, quarantine: store.quarantine, events: store.events, logger: silentLogger() });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException('timed out after 300 ms', 'TimeoutError')), 300);
    const t = performance.now();
    await assert.rejects(
      pipeline.process({ id: 'tx-hung', agent: 'smtp', envelope: { mailFrom: 'a@sender.test', rcptTo: ['x@example.com'] }, client: {}, message: { kind: 'buffer', data: MESSAGES.clean }, receivedAt: new Date() }, controller.signal),
      (e: unknown) => e instanceof MoatError && e.code === 'TIMEOUT' && e.temporary,
    );
    assert.ok(performance.now() - t < 3000, `${(performance.now() - t).toFixed(0)} ms`);
    assert.equal(store.quarantine.list({ limit: 10 }).length, 0);
  } finally {
    store.close();
  }
});
