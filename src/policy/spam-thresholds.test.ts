import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config/load.js';
import { isMoatError } from '../core/errors.js';
import { recipientThresholds } from './spam-thresholds.js';
import { resolveSettings, validateUserConfig } from './user-settings.js';

const site = { add_header: 5, rewrite_subject: 8, quarantine: 12, reject: 15 };
const configOf = (text: string) => loadConfig([{ file: 'moat.toml', text }]).config;

test('a recipient without its own thresholds uses the site\'s; one that sets some overrides only those', () => {
  const config = configOf('[groups.tight]\nrequired_score = 3\nquarantine_score = 6\n[users."@lab.example"]\ngroup = "tight"\nreject_score = 9\n[senders."@partner.example"]\nrequired_score = 9\n[users."boss@example.com"]\nrewrite_subject_score = 5\n');
  assert.equal(recipientThresholds(site, resolveSettings(config, 'a@x.example', 'bob@example.com').settings), undefined);
  assert.deepEqual(recipientThresholds(site, resolveSettings(config, 'a@x.example', 'eve@lab.example').settings), { add_header: 3, rewrite_subject: 8, quarantine: 6, reject: 9 });
  assert.deepEqual(recipientThresholds(site, resolveSettings(config, 'p@partner.example', 'bob@example.com').settings), { add_header: 9, rewrite_subject: 8, quarantine: 12, reject: 15 }, 'a sender entry applies too');
  assert.deepEqual(recipientThresholds(site, resolveSettings(config, 'p@partner.example', 'eve@lab.example').settings), { add_header: 3, rewrite_subject: 8, quarantine: 6, reject: 9 }, 'the recipient\'s own setting wins over the sender\'s');
  assert.deepEqual(recipientThresholds(site, resolveSettings(config, 'p@partner.example', 'boss@example.com').settings), { add_header: 9, rewrite_subject: 5, quarantine: 12, reject: 15 }, 'layers merge key by key');
});

test('spam thresholds are keys of [users], [senders] and [groups], not of [policy] (the site-wide ones are in [antispam])', () => {
  assert.throws(() => configOf('[policy]\nrequired_score = 3\n'), (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /policy/.test(e.message) && /required_score/.test(e.message));
  assert.throws(() => configOf('[users."a@example.com"]\nrequired_score = "high"\n'), (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /users\.a@example\.com\.required_score|required_score/.test(e.message));
});

test('a recipient for whom held or refused mail would not be spam is refused at start, with the entry and where each value came from', () => {
  const refused = (text: string, pattern: RegExp) => assert.throws(() => validateUserConfig(configOf(text)), (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && pattern.test(e.message), text);
  refused('[users."bob@example.com"]\nrequired_score = 13\n', /^\[users\."bob@example\.com"\]: required_score 13 \(from recipient:bob@example\.com\) is above quarantine_score 12 \(from \[antispam\]\)/);
  refused('[groups.lenient]\nrequired_score = 20\nquarantine_score = 20\n[users."@example.com"]\ngroup = "lenient"\n', /^\[users\."@example\.com"\]: required_score 20 \(from group:lenient\) is above reject_score 15 \(from \[antispam\]\)/);
  refused('[senders."@partner.example"]\nreject_score = 4\n', /^\[senders\."@partner\.example"\]: required_score 5 \(from \[antispam\]\) is above reject_score 4 \(from sender:@partner\.example\): a message held or refused would not count as spam; set reject_score too/);
  refused('[antispam]\nrequired_score = 13\n', /^\[antispam\]: required_score 13 \(from \[antispam\]\) is above quarantine_score 12/);
  // Accepted: a lenient recipient that raises what it needs, a rewrite_subject below required (only spam is tagged), quarantine switched off by raising it.
  validateUserConfig(configOf('[users."bob@example.com"]\nrequired_score = 13\nquarantine_score = 14\n[users."eve@example.com"]\nrequired_score = 9\n[antispam]\nquarantine_score = 100\n'));
});
