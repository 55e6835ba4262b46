import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { createSpamScorer } from './spam-scorer.js';
import { RuleSet, parseRuleFile } from './rules/rule-set.js';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';

test('autolearn learns as ham below the configured autolearn_ham_score (not the default 0.1), and not just above it nor between the ham and spam thresholds', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-autolearn-ham-')));
  // Only these rules (not the shipped ones), so each message scores exactly what its marker weighs.
  const rule = (name: string, score: number) => `[[rule]]\nname = "${name}"\nscore = ${score}\ndescription = "d"\nfield = "body"\nliterals = ["${name.toLowerCase()}"]\n`;
  const rules = new RuleSet(parseRuleFile('t.toml', rule('BELOW', 2.9) + rule('ABOVE', 3.1) + rule('MIDDLE', 6)));
  const config = loadConfig([{ file: 't.toml', text: '[antispam]\nrequired_score = 8\nrewrite_subject_score = 9\n[antispam.bayes]\nautolearn_ham_score = 3\nautolearn_spam_score = 10\n' }]).config.antispam;
  assert.equal(config.bayes.autolearn_ham_score, 3, 'not the default');
  const scorer = createSpamScorer({ config, rules, store, logger: silentLogger() });
  const check = (marker: string) => scorer.check({ message: Buffer.from(`From: a@example.org\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${marker}@example.org>\r\nSubject: report\r\n\r\nmarker ${marker}\r\n`), mailFrom: '', rcptTo: [] });

  const below = await check('below');
  assert.deepEqual([below.score, below.autolearn], [2.9, 'ham'], 'scores 2.9 < 3: learned as ham');
  const above = await check('above');
  assert.deepEqual([above.score, above.autolearn], [3.1, 'no'], 'scores 3.1 ≥ 3: not learned');
  const middle = await check('middle');
  assert.deepEqual([middle.score, middle.spam, middle.autolearn], [6, false, 'no'], 'between the ham (3) and spam (10) thresholds: not learned');
  assert.deepEqual(await store.totals(), { spam: 0, ham: 1 });
  await store.close();
});
