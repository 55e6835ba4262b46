import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';
import { loadRules } from './load-rules.js';
import { createSpamScorer } from './spam-scorer.js';
import { actionFor, siteThresholds, verdictWithThresholds } from './spam-verdict.js';
import type { SpamThresholds, SpamVerdict } from './types.js';

const base: SpamVerdict = {
  score: 6.2,
  required: 5,
  spam: true,
  action: 'add_header',
  symbols: [{ name: 'B', score: 4.2, description: 'b' }, { name: 'A', score: 2, description: 'a' }, { name: 'Z', score: 0, description: 'zero' }],
  headers: [
    { name: 'X-Spam-Flag', value: 'YES' },
    { name: 'X-Spam-Status', value: 'Yes, score=6.2 required=5.0 tests=A,B autolearn=ham' },
    { name: 'X-Spam-Level', value: '******' },
    { name: 'Authentication-Results', value: 'mx.example; spf=pass' },
  ],
  scanned: true,
  autolearn: 'ham',
};

test('a recipient\'s thresholds re-judge the scored message: verdict, action and X-Spam-* follow, the rest is kept', () => {
  const lenient = verdictWithThresholds(base, { add_header: 7, rewrite_subject: 9, quarantine: 20, reject: 30 });
  assert.equal(lenient.spam, false);
  assert.equal(lenient.required, 7);
  assert.equal(lenient.action, 'no_action');
  assert.equal(lenient.score, 6.2, 'the score does not change');
  assert.deepEqual(lenient.symbols, base.symbols);
  assert.deepEqual(lenient.headers, [
    { name: 'X-Spam-Flag', value: 'NO' },
    { name: 'X-Spam-Status', value: 'No, score=6.2 required=7.0 tests=A,B,Z autolearn=ham' },
    { name: 'X-Spam-Level', value: '******' },
    { name: 'Authentication-Results', value: 'mx.example; spf=pass' },
  ]);
  const strict = verdictWithThresholds(base, { add_header: 2, rewrite_subject: 3, quarantine: 6, reject: 10 });
  assert.equal(strict.action, 'quarantine');
  assert.equal(strict.headers.filter((h) => h.name === 'X-Spam-Flag').length, 1, 'replaced, not added');
  const notScanned: SpamVerdict = { ...base, scanned: false };
  assert.equal(verdictWithThresholds(notScanned, { add_header: 1, rewrite_subject: 2, quarantine: 3, reject: 4 }), notScanned, 'an unscanned verdict has nothing to re-judge');
});

test('property: re-judging the site verdict equals scoring with the recipient\'s thresholds', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-verdict-'));
  const store = openSqliteTokenStore(dir);
  try {
    const config = loadConfig([{ file: 't.toml', text: '[antispam]\nauthentication = false\n[antispam.bayes]\nautolearn = false\n' }]).config;
    const scorer = createSpamScorer({ config: config.antispam, rules: await loadRules([]), store, logger: silentLogger() });
    const site = siteThresholds(config.antispam);
    const subjects = ['hello', 'FREE MONEY NOW!!!', 'VERIFY YOUR ACCOUNT', 'meeting notes'];
    const bodies = ['see you tomorrow', 'click here to claim your prize $$$', '<a href="http://10.0.0.1/x">www.bank.com</a> verify your account', 'unsubscribe from this list'];
    const threshold = fc.double({ min: -5, max: 20, noNaN: true }).map((x) => Math.round(x * 10) / 10);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...subjects), fc.constantFrom(...bodies), fc.boolean(), fc.tuple(threshold, threshold, threshold, threshold), async (subject, body, html, ts) => {
        const [add_header, rewrite_subject, quarantine, reject] = ts;
        const t: SpamThresholds = { add_header, rewrite_subject, quarantine, reject };
        const message = Buffer.from(`From: a@example.org\r\nSubject: ${subject}\r\n${html ? 'Content-Type: text/html\r\n' : ''}\r\n${body}\r\n`);
        const atSite = await scorer.check({ message, mailFrom: '', rcptTo: [] });
        assert.equal(atSite.action, actionFor(atSite.score, site));
        const direct = await scorer.check({ message, mailFrom: '', rcptTo: [], thresholds: t });
        assert.deepEqual(verdictWithThresholds(atSite, t), direct);
      }),
      { numRuns: 150 },
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
