import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { createSpamScorer, learnMessage } from './spam-scorer.js';
import { messageKey } from './bayes/message-key.js';
import Database from 'better-sqlite3';
import { spamHeaders } from './spam-verdict.js';
import { loadRules } from './load-rules.js';
import { RuleSet, parseRuleFile } from './rules/rule-set.js';
import { LiteralAutomaton } from './rules/literal-automaton.js';
import { tokenize } from './bayes/tokenizer.js';
import { viewMessage } from './message-view.js';
import { combine, tokenProbability } from './bayes/classifier.js';
import { bayesBand, bayesScore } from './bayes/bayes-score.js';
import { openSqliteTokenStore } from '../storage/bayes/sqlite-token-store.js';
import { isMoatError } from '../core/errors.js';
import type { BayesTokenStore } from './bayes/token-store.js';

const config = loadConfig([{ file: 't.toml', text: '[antispam.bayes]\nmin_learned = 2\nautolearn = false\n' }]).config;
const msg = (subject: string, body: string, extra = '') => Buffer.from(`From: a@example.com\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${Math.random()}@x>\r\nSubject: ${subject}\r\n${extra}\r\n${body}\r\n`);

test('literal automaton finds every literal in one pass, case-insensitively', () => {
  const a = new LiteralAutomaton(['he', 'she', 'his', 'hers', 'Viagra']);
  assert.deepEqual([...a.find('uSHERS buy VIAGRA')].sort(), [0, 1, 3, 4]);
  fc.assert(
    fc.property(fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 20 }), fc.string({ maxLength: 200 }), (lits, text) => {
      const found = new LiteralAutomaton(lits).find(text);
      lits.forEach((l, i) => assert.equal(found.has(i), text.toLowerCase().includes(l.toLowerCase()), `literal ${JSON.stringify(l)}`));
    }),
    { numRuns: 300 },
  );
});

test('literals fold case as rule regexes do: ſ is s, final sigma is sigma, and İ is only itself (whole words stay whole)', () => {
  const find = (lits: string[], text: string, whole = false) => [...new LiteralAutomaton(lits, lits.map(() => whole)).find(text)].map((i) => lits[i]);
  assert.deepEqual(find(['casino'], 'CAſINO bonus'), ['casino']);
  assert.deepEqual(find(['σοφια'], 'ΣΟΦΙΑ'), ['σοφια']);
  assert.deepEqual(find(['ας'], 'ΑΣ'), ['ας']);
  // whole_words counts any Unicode letter as part of a word (regex \b knows only ASCII ones).
  for (const [lit, text] of [['kredi', 'KREDİLER'], ['stanbul', 'İstanbul'], ['i', 'İstanbul']]) assert.deepEqual(find([lit], text, true), [], `${lit} in ${text}`);
  assert.deepEqual(find(['kredi'], 'KREDİ'), [], '/kredi/iu does not match KREDİ either');
});

test('rules: literals, regex with prefilter, built-in checks, meta; every symbol explained', async () => {
  const rules = await loadRules([]);
  const view = viewMessage(Buffer.from('From: "support@bank.com" <x@evil.top>\r\nSubject: VERIFY YOUR ACCOUNT NOW!!!\r\nContent-Type: text/html\r\n\r\n<p>Please verify your account at <a href="http://evil.top/login">www.bank.com</a></p>\r\n'));
  const names = rules.evaluate(view).map((s) => s.name);
  for (const expected of ['MISSING_DATE', 'MISSING_MID', 'SUBJ_ALL_CAPS', 'SUBJ_EXCLAIM', 'MIME_HTML_ONLY', 'PHISH_LINK_MISMATCH', 'URI_SUSPICIOUS_TLD', 'FROM_DISPLAY_MISMATCH', 'BODY_URGENT_ACCOUNT', 'PHISH_COMBO']) assert.ok(names.includes(expected), expected);
  assert.ok(rules.evaluate(view).every((s) => s.description.length > 0));
});

test('rule files are validated with file and rule named', () => {
  assert.throws(() => parseRuleFile('x.toml', '[[rule]]\nname = "bad name"\nscore = 1\ndescription = "d"\ncheck = "html_only"\n'), (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /x\.toml: \[\[rule\]\] #1 \(bad name\) key "name": upper-case/.test(e.message));
  assert.throws(() => new RuleSet(parseRuleFile('x.toml', '[[rule]]\nname = "A"\nscore = 1\ndescription = "d"\ncheck = "nope"\n')), /unknown check "nope"/);
  const regexRule = (name: string, regex: string) => `[[rule]]\nname = "${name}"\nscore = 1\ndescription = "d"\nfield = "body"\nregex = ${JSON.stringify(regex)}\nprefilter = "a"\n`;
  // Every bad regex of a file in one message, each named as the schema's errors are.
  const twoBad = `${regexRule('BACKREF', '(a)\\1')}${regexRule('FINE', 'a+b')}${regexRule('BROKEN', '(a')}`;
  assert.throws(() => parseRuleFile('x.toml', twoBad), (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /^x\.toml: \[\[rule\]\] #1 \(BACKREF\) key "regex": backreferences \(\\1…\) cannot be matched in linear time \(at character 4: "\\1"\)\nx\.toml: \[\[rule\]\] #3 \(BROKEN\) key "regex": Unterminated group$/.test(e.message));
  assert.throws(() => parseRuleFile('x.toml', '[[rule]]\nname = "P"\nscore = 1\ndescription = "d"\nfield = "body"\nliterals = ["x"]\nprefilter = "x"\n'), /\(P\): prefilter applies to regex rules/);
  // Problems that need the whole set (other files' rules) are all listed, with where each rule is.
  const set = () => new RuleSet([...parseRuleFile('a.toml', '[[rule]]\nname = "C"\nscore = 1\ndescription = "d"\ncheck = "nope"\n[[rule]]\nname = "M"\nscore = 1\ndescription = "d"\nall_of = ["GONE"]\n'), ...parseRuleFile('b.toml', '[[rule]]\nname = "M1"\nscore = 1\ndescription = "d"\nall_of = ["M2"]\n[[rule]]\nname = "M2"\nscore = 1\ndescription = "d"\nany_of = ["M1"]\n')]);
  assert.throws(set, (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /^a\.toml: \[\[rule\]\] #1 \(C\): unknown check "nope".*\na\.toml: \[\[rule\]\] #2 \(M\): meta rule refers to unknown rule GONE\nmeta rules name each other in a cycle: M1 → M2 → M1 \(b\.toml: \[\[rule\]\] #1 \(M1\)\)$/.test(e.message));
  // Every cycle at once, a rule naming itself included; the rules outside the cycles load fine.
  const meta = (name: string, key: string, refs: string[]) => `[[rule]]\nname = "${name}"\nscore = 1\ndescription = "d"\n${key} = ${JSON.stringify(refs)}\n`;
  const cycles = () => new RuleSet(parseRuleFile('c.toml', meta('M1', 'all_of', ['M2']) + meta('M2', 'any_of', ['M1']) + meta('SELF', 'none_of', ['SELF']) + meta('OK', 'all_of', ['M1', 'SELF'])));
  assert.throws(cycles, (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /^meta rules name each other in a cycle: M1 → M2 → M1 \(c\.toml: \[\[rule\]\] #1 \(M1\)\)\nmeta rules name each other in a cycle: SELF → SELF \(c\.toml: \[\[rule\]\] #3 \(SELF\)\)$/.test(e.message));
  // Cycles that share rules are one group, named whole: fixing A → B alone would leave A → C → B → A.
  const shared = () => new RuleSet(parseRuleFile('d.toml', meta('A', 'all_of', ['B', 'C']) + meta('B', 'any_of', ['A']) + meta('C', 'all_of', ['B'])));
  assert.throws(shared, (e: unknown) => isMoatError(e, 'CONFIG_INVALID') && /^meta rules name each other in a cycle: A → B → A \(and, through it, C\) \(d\.toml: \[\[rule\]\] #1 \(A\)\)$/.test(e.message));
  const over = new RuleSet([...parseRuleFile('a.toml', '[[rule]]\nname = "A"\nscore = 1\ndescription = "d"\nfield = "body"\nliterals = ["x"]\n'), ...parseRuleFile('b.toml', '[[rule]]\nname = "A"\nscore = 0\ndescription = "off"\nfield = "body"\nliterals = ["x"]\n')]);
  assert.equal(over.size, 1, 'a later rule with the same name replaces the earlier one');
});

test('rules: a chain of 10,000 meta rules, each defined before the one it names, loads and is evaluated in order (no recursion to exhaust the stack)', () => {
  const n = 10_000;
  const chain = Array.from({ length: n }, (_, i) => `[[rule]]\nname = "M${n - 1 - i}"\nscore = ${n - 1 - i === n - 1 ? 1 : 0}\ndescription = "d"\nall_of = ["${n - 1 - i === 0 ? 'BASE' : `M${n - 2 - i}`}"]\n`).join('');
  const set = new RuleSet(parseRuleFile('chain.toml', `${chain}[[rule]]\nname = "BASE"\nscore = 0\ndescription = "d"\nfield = "body"\nliterals = ["chainmarker"]\n`));
  const fired = (body: string) => set.evaluate(viewMessage(Buffer.from(`Subject: x\r\n\r\n${body}\r\n`))).some((x) => x.name === `M${n - 1}`);
  assert.equal(fired('the chainmarker is here'), true, 'the last link fires through all 10,000');
  assert.equal(fired('nothing here'), false);
});

test('rules: meta rules work in any order, ^ and $ match at line ends, and rules that cannot work as written are warned about', () => {
  const rule = (name: string, body: string) => `[[rule]]\nname = "${name}"\nscore = 1\ndescription = "d"\n${body}\n`;
  const rules = new RuleSet(parseRuleFile('x.toml', [
    rule('BOTH', 'all_of = ["PILLS", "CHEAP"]'), // names a meta rule defined after it
    rule('CHEAP', 'any_of = ["CHEAP_WORD"]'),
    rule('CHEAP_WORD', 'field = "body"\nliterals = ["cheap"]'),
    rule('PILLS', 'field = "body"\nliterals = ["pills"]'),
    rule('OUTLOOK', 'field = "headers"\nregex = "^x-mailer: microsoft outlook$"\nprefilter = "outlook"'),
    rule('BULK', 'field = "headers"\nregex = "(massmail|bulk ?mailer|sendblaster)"\nprefilter = "mail"'),
    rule('ANY', 'field = "body"\nregex = "x*"'),
    rule('GAP', 'field = "body"\nregex = "cheap\\\\s+meds"\nprefilter = "cheap"'),
    rule('WORD_EDGE', 'field = "body"\nregex = "(?:viagra)?\\\\b"'),
    rule('PASTED', 'field = "body"\nregex = "/lottery winner/i"'),
    rule('FOLDED', 'field = "body"\nregex = "casino\\\\s+bonus"\nprefilter = "CASINO"'),
    rule('EDGE_CASE', 'field = "body"\nregex = "\\\\b\\\\$\\\\d+|lottery"\nprefilter = "lottery"'),
  ].join('')));
  const names = (headers: string, body: string) => rules.evaluate(viewMessage(Buffer.from(`${headers}Subject: x\r\n\r\n${body}\r\n`))).map((x) => x.name);
  assert.deepEqual(names('', 'cheap pills'), ['BOTH', 'CHEAP', 'CHEAP_WORD', 'PILLS', 'ANY', 'WORD_EDGE']);
  assert.ok(names('', 'CAſINO bonus').includes('FOLDED'), 'the prefilter folds as the regex does (ſ is s)');
  assert.ok(names('X-Mailer: Microsoft Outlook\r\n', 'hello').includes('OUTLOOK'), '^ and $ at the header line');
  assert.ok(!names('X-Note: see X-Mailer: Microsoft Outlook\r\n', 'hello').includes('OUTLOOK'));
  assert.deepEqual(rules.warnings, [
    'x.toml: [[rule]] #6 (BULK): the regex matches "sendblaster", which does not hold its prefilter "mail", so the rule misses such text: make the prefilter a part every match contains, or drop it',
    'x.toml: [[rule]] #7 (ANY): the regex can match no text at all, only a position (as in ""), so the rule matches nearly every message',
    'x.toml: [[rule]] #9 (WORD_EDGE): the regex can match no text at all, only a position (as in "x"), so the rule matches nearly every message',
    'x.toml: [[rule]] #10 (PASTED): the regex looks pasted with SpamAssassin\'s slashes (/lottery winner/i): the slashes and flags are matched as characters; write only what is between them (rule regexes are always case-insensitive, and ^ and $ match at line ends)',
    'x.toml: [[rule]] #12 (EDGE_CASE): the regex matches "x$0", which does not hold its prefilter "lottery", so the rule misses such text: make the prefilter a part every match contains, or drop it',
  ]);
});

test('a rule regex that backtracks exponentially in JavaScript is run in linear time, not refused, and still matches', { timeout: 60_000 }, () => {
  // (a+)+$ on 30,000 a's froze the daemon (all mail, SIGTERM included) when rules ran on RegExp;
  // (a+)+b backtracks the same way on a's without a b.
  const rules = new RuleSet(parseRuleFile('x.toml', '[[rule]]\nname = "SLOW"\nscore = 2\ndescription = "d"\nfield = "body"\nregex = "(a+)+b"\nprefilter = "aaa"\n[[rule]]\nname = "SPACED"\nscore = 1\ndescription = "d"\nfield = "body"\nregex = "v\\\\s*i\\\\s*a\\\\s*g\\\\s*r\\\\s*a"\nprefilter = "v"\n'));
  const body = (text: string) => viewMessage(Buffer.from(`Subject: x\r\n\r\n${text}\r\n`));
  const names = (text: string) => rules.evaluate(body(text)).map((s) => s.name);
  assert.deepEqual(names(`${'a'.repeat(200_000)}!`), [], 'no match, and an answer');
  assert.deepEqual(names('x aaaab'), ['SLOW'], 'it matches where it should');
  assert.deepEqual(names('V  I A  G R A'), ['SPACED']);
  assert.deepEqual(names(`v${' '.repeat(100_000)}x`), []);
});

test('Bayes learns, classifies, is idempotent, and headers are SpamAssassin-compatible', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-bayes-')));
  const spam = ['cheap meds pharmacy discount pills order now', 'discount pills pharmacy cheap order today', 'order cheap pills now pharmacy'];
  const ham = ['meeting agenda for the quarterly review attached', 'please review the quarterly report before the meeting', 'lunch after the review meeting tomorrow'];
  for (const s of spam) await store.learn(messageKey(msg('offer', s)), tokenize(viewMessage(msg('offer', s))), 'spam');
  for (const h of ham) await store.learn(messageKey(msg('work', h)), tokenize(viewMessage(msg('work', h))), 'ham');
  const again = msg('offer', spam[0]!);
  assert.equal(await store.learn('k1', ['a'], 'spam'), 'new');
  assert.equal(await store.learn('k1', ['a'], 'spam'), 'known', 'idempotent');
  assert.equal(await store.learn('k1', ['a'], 'ham'), 'moved', 'moves to the other class');
  const scorer = createSpamScorer({ config: config.antispam, rules: await loadRules([]), store, logger: silentLogger() });
  const v = await scorer.check({ message: msg('offer', 'cheap pharmacy pills discount'), mailFrom: '', rcptTo: [] });
  const b = v.symbols.find((s) => s.name.startsWith('BAYES_'))!;
  assert.ok(b.score > 0, `spammy text scores positive: ${b.name}`);
  const h = await scorer.check({ message: msg('work', 'quarterly review meeting agenda'), mailFrom: '', rcptTo: [] });
  assert.ok(h.symbols.find((s) => s.name.startsWith('BAYES_'))!.score < 0);
  assert.equal(h.spam, false);
  assert.match(h.headers.find((x) => x.name === 'X-Spam-Status')!.value, /^No, score=-?\d+\.\d required=5\.0 tests=\S+ autolearn=no$/);
  void again;
  await store.close();
});

test('thresholds map to actions, per-recipient thresholds override', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-bayes-')));
  const rules = new RuleSet(parseRuleFile('t.toml', '[[rule]]\nname = "BIG"\nscore = 9\ndescription = "d"\nfield = "subject"\nliterals = ["winner"]\n'));
  const scorer = createSpamScorer({ config: config.antispam, rules, store, logger: silentLogger() });
  const m = msg('you are a winner', 'x');
  assert.equal((await scorer.check({ message: m, mailFrom: '', rcptTo: [] })).action, 'rewrite_subject');
  assert.equal((await scorer.check({ message: m, mailFrom: '', rcptTo: [], thresholds: { reject: 8 } })).action, 'reject');
  assert.deepEqual(spamHeaders(7.25, 5, [{ name: 'B', score: 2, description: '' }, { name: 'A', score: 5.25, description: '' }], 'no'), [
    { name: 'X-Spam-Flag', value: 'YES' },
    { name: 'X-Spam-Status', value: 'Yes, score=7.3 required=5.0 tests=A,B autolearn=no' },
    { name: 'X-Spam-Level', value: '*******' },
  ]);
  await store.close();
});

test('classifier math: unknown tokens are neutral, strong evidence is decisive', () => {
  assert.equal(tokenProbability({ spam: 0, ham: 0 }, 10, 10), 0.5);
  assert.ok(combine(new Map([['a', 0.99], ['b', 0.98]])).probability > 0.9);
  assert.ok(combine(new Map([['a', 0.01], ['b', 0.02]])).probability < 0.1);
  assert.equal(combine(new Map([['a', 0.5]])).probability, 0.5);
});

test('property: the view and tokenizer never throw on arbitrary bytes', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => void tokenize(viewMessage(b))), { numRuns: 500 });
});

test('the worst messages at the limits are viewed, tokenized and ruled in seconds, not minutes', async () => {
  // Each of these stalled the scorer for one to several minutes before the HTML scan and the
  // display-name check were made linear (the message was held, the event loop blocked).
  const rules = await loadRules([]);
  const worst: Record<string, string> = {
    'From header of 1 MB without <': `From: ${'a'.repeat(1 << 20)}\r\nSubject: x\r\n\r\nx\r\n`,
    'From header of 1 MB of addresses': `From: "${'a@b.c '.repeat(170_000)}\r\nSubject: x\r\n\r\nx\r\n`,
    'HTML of 512 KB of <': `From: a@b.c\r\nContent-Type: text/html\r\n\r\n${'<'.repeat(512 * 1024)}\r\n`,
    'HTML of unclosed comments': `From: a@b.c\r\nContent-Type: text/html\r\n\r\n${'<!--'.repeat(128 * 1024)}\r\n`,
    'HTML of links never closed': `From: a@b.c\r\nContent-Type: text/html\r\n\r\n${'<a href=x>'.repeat(50_000)}\r\n`,
    'subject of 1 MB of !': `From: a@b.c\r\nSubject: ${'!a'.repeat(1 << 19)}\r\n\r\nx\r\n`,
  };
  for (const [name, message] of Object.entries(worst)) {
    const t = performance.now();
    const view = viewMessage(Buffer.from(message));
    tokenize(view);
    rules.evaluate(view);
    const ms = performance.now() - t;
    assert.ok(ms < 10_000, `${name}: ${ms.toFixed(0)} ms`);
  }
});

test('whole-word literals do not match inside longer words', () => {
  const a = new LiteralAutomaton(['cialis', 'earn $', 'x'], [true, true, false]);
  assert.deepEqual([...a.find('the specialist on socialism')], []);
  assert.deepEqual([...a.find('Cialis, cheap')], [0]);
  assert.deepEqual([...a.find('earn $500 today')], [1], 'a literal ending in punctuation needs no boundary after it');
  assert.deepEqual([...a.find('yearn $5')], []);
  assert.deepEqual([...a.find('box')], [2], 'substring literals still match anywhere');
});

test('meta rules: none_of, alone or with all_of/any_of, and score-0 building blocks', async () => {
  const rules = new RuleSet(
    parseRuleFile(
      't.toml',
      [
        '[[rule]]\nname = "__A"\nscore = 0\ndescription = "a"\nfield = "subject"\nliterals = ["alpha"]\n',
        '[[rule]]\nname = "__B"\nscore = 0\ndescription = "b"\nfield = "subject"\nliterals = ["beta"]\n',
        '[[rule]]\nname = "A_NOT_B"\nscore = 1\ndescription = "a without b"\nall_of = ["__A"]\nnone_of = ["__B"]\n',
        '[[rule]]\nname = "NEITHER"\nscore = 1\ndescription = "neither"\nnone_of = ["__A", "__B"]\n',
      ].join('\n'),
    ),
  );
  const names = (subject: string) => rules.evaluate(viewMessage(msg(subject, 'x'))).map((s) => s.name).filter((n) => !n.startsWith('__'));
  assert.deepEqual(names('alpha'), ['A_NOT_B']);
  assert.deepEqual(names('alpha beta'), []);
  assert.deepEqual(names('gamma'), ['NEITHER']);
  assert.throws(() => parseRuleFile('x.toml', '[[rule]]\nname = "A"\nscore = 1\ndescription = "d"\ncheck = "html_only"\nwhole_words = true\n'), /whole_words applies to literals/);
  // Building blocks never reach the verdict or X-Spam-Status.
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-bayes-')));
  const verdict = await createSpamScorer({ config: config.antispam, rules, store, logger: silentLogger() }).check({ message: msg('alpha', 'x'), mailFrom: '', rcptTo: [] });
  assert.deepEqual(verdict.symbols.map((s) => s.name), ['A_NOT_B']);
  assert.match(verdict.headers.find((h) => h.name === 'X-Spam-Status')!.value, / tests=A_NOT_B /);
  await store.close();
});

test('shipped rules: whole-word vocabulary, display-name addresses compared by domain; plain mail stays clean', async () => {
  const rules = await loadRules([]);
  const names = (m: Buffer) => rules.evaluate(viewMessage(m)).filter((s) => s.score !== 0).map((s) => s.name);
  assert.ok(names(msg('offer', 'Cheap cialis and viagra, no prescription.')).includes('BODY_PHARMA'));
  const plain = msg('Re: lunch', 'See you at noon at the usual place. The specialist said socialism is a long word.', 'To: b@example.com\r\nMIME-Version: 1.0\r\n');
  assert.deepEqual(names(plain), []);
  const display = (from: string) => rules.evaluate(viewMessage(Buffer.from(`From: ${from}\r\nSubject: x\r\n\r\nx\r\n`))).some((s) => s.name === 'FROM_DISPLAY_MISMATCH');
  assert.equal(display('"support@bank.com" <x@evil.top>'), true);
  assert.equal(display('"news@shop.example.com" <list@example.com>'), false, 'same registered domain');
  assert.equal(display('"hyatt@mozilla" <feeds@example.org>'), false, 'not an address with a domain');
});

test('BAYES_* scores: fixed bands by default, clamped log-odds on request; band names from the probability', () => {
  const logOdds = { scoring: 'log_odds' as const, weight: 0.5, min_score: -3, max_score: 6 };
  assert.equal(bayesScore(0.5, logOdds), 0);
  assert.equal(bayesScore(0.99, logOdds), 2.3, '0.5 × ln(99)');
  assert.equal(bayesScore(0.9999, logOdds), 4.61);
  assert.equal(bayesScore(1, logOdds), 6, 'p = 1 is clamped, not infinite');
  assert.equal(bayesScore(0, logOdds), -3);
  assert.equal(bayesScore(Number.NaN, logOdds), 0);
  assert.equal(bayesScore(1, { ...logOdds, weight: 0 }), 0, 'weight 0 silences it');
  const bands = { ...logOdds, scoring: 'bands' as const };
  assert.deepEqual([0.9995, 0.995, 0.97, 0.5, 0.01].map((p) => bayesScore(p, bands)), [6, 5, 3.5, 0, -3]);
  assert.deepEqual([0.9995, 0.995, 0.5, 0, 1].map((p) => bayesBand(p).name), ['BAYES_999', 'BAYES_99', 'BAYES_50', 'BAYES_00', 'BAYES_999']);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const s = bayesScore(lo, logOdds);
      assert.ok(s >= -3 && s <= 6 && s <= bayesScore(hi, logOdds), 'bounded and monotonic');
    }),
    { numRuns: 500 },
  );
});

test('score_trained: with trained_rule_scores, a rule weighs its trained score once Bayes answers, and still feeds meta rules at 0', async () => {
  const text = [
    '[[rule]]\nname = "WEAK"\nscore = 1.5\nscore_trained = 0\ndescription = "weak"\nfield = "subject"\nliterals = ["deal"]\n',
    '[[rule]]\nname = "LESS"\nscore = 2\nscore_trained = 0.5\ndescription = "less"\nfield = "subject"\nliterals = ["deal"]\n',
    '[[rule]]\nname = "COMBO"\nscore = 1\nscore_trained = 4\ndescription = "combo"\nall_of = ["WEAK", "LESS"]\n',
  ].join('\n');
  const rules = new RuleSet(parseRuleFile('t.toml', text));
  const view = viewMessage(msg('a deal', 'x'));
  assert.deepEqual(rules.evaluate(view).map((s) => [s.name, s.score]), [['WEAK', 1.5], ['LESS', 2], ['COMBO', 1]]);
  assert.deepEqual(rules.evaluate(view, { trained: true }).map((s) => [s.name, s.score]), [['WEAK', 0], ['LESS', 0.5], ['COMBO', 4]]);
  // In the scorer, "trained" means Bayes has min_learned (2 here) spam and ham.
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-bayes-')));
  const scorerWith = (toml: string) => createSpamScorer({ config: loadConfig([{ file: 't.toml', text: `${toml}[antispam.bayes]\nmin_learned = 2\nautolearn = false\n` }]).config.antispam, rules, store, logger: silentLogger() });
  const scorer = scorerWith('[antispam]\ntrained_rule_scores = true\n');
  const ruleSymbols = async (s = scorer) => (await s.check({ message: msg('a deal', 'x'), mailFrom: '', rcptTo: [] })).symbols.filter((s) => !s.name.startsWith('BAYES_')).map((s) => `${s.name}=${s.score}`);
  assert.deepEqual(await ruleSymbols(), ['WEAK=1.5', 'LESS=2', 'COMBO=1']);
  for (const [i, as] of (['spam', 'spam', 'ham', 'ham'] as const).entries()) await store.learn(`k${i}`, [`t${i}`], as);
  assert.deepEqual(await ruleSymbols(), ['LESS=0.5', 'COMBO=4'], 'trained: WEAK scores 0 and is not shown, COMBO still sees it');
  assert.deepEqual(await ruleSymbols(scorerWith('')), ['WEAK=1.5', 'LESS=2', 'COMBO=1'], 'trained_rule_scores is off by default');
  assert.throws(() => parseRuleFile('x.toml', '[[rule]]\nname = "A"\nscore = 1\nscore_trained = "x"\ndescription = "d"\ncheck = "html_only"\n'), /score_trained/);
  await store.close();
});

test('a failing Bayes store costs no verdict: rules still score, BAYES_UNAVAILABLE explains, autolearn says unavailable or failed, the log says so once', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-bayes-')));
  for (let i = 0; i < 3; i++) {
    await store.learn(`s${i}`, ['pills', `s${i}`], 'spam');
    await store.learn(`h${i}`, ['meeting', `h${i}`], 'ham');
  }
  const broken = new Set<string>();
  const failing: BayesTokenStore = {
    ...store,
    totals: () => (broken.has('totals') ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) : store.totals()),
    counts: (t) => (broken.has('counts') ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : store.counts(t)),
    learn: (...a) => (broken.has('learn') ? Promise.reject(new Error('SQLITE_BUSY: database is locked')) : store.learn(...a)),
  };
  const warnings: string[] = [];
  const logger = { ...silentLogger(), warn: (_o: object | string, msg?: string) => void warnings.push(msg ?? '') };
  const rules = new RuleSet(parseRuleFile('t.toml', '[[rule]]\nname = "BIG"\nscore = 13\ndescription = "d"\nfield = "subject"\nliterals = ["winner"]\n'));
  const autolearnConfig = loadConfig([{ file: 't.toml', text: '[antispam.bayes]\nmin_learned = 2\n' }]).config.antispam;
  const scorer = createSpamScorer({ config: autolearnConfig, rules, store: failing, logger });
  const status = (v: { headers: Array<{ name: string; value: string }> }) => v.headers.find((h) => h.name === 'X-Spam-Status')!.value;

  broken.add('totals');
  const a = await scorer.check({ message: msg('you are a winner', 'pills'), mailFrom: '', rcptTo: [] });
  assert.equal(a.score, 13, 'the rules still score');
  assert.equal(a.spam, true);
  assert.ok(a.symbols.some((s) => s.name === 'BAYES_UNAVAILABLE'));
  assert.match(status(a), /^Yes, score=13\.0 required=5\.0 tests=BAYES_UNAVAILABLE,BIG autolearn=unavailable$/, 'the header names BAYES_UNAVAILABLE too');
  broken.clear();
  broken.add('counts');
  const b = await scorer.check({ message: msg('another winner', 'pills'), mailFrom: '', rcptTo: [] });
  assert.equal(b.score, 13);
  assert.match(status(b), /autolearn=unavailable$/);
  assert.equal(warnings.length, 1, 'logged once, not per message');
  assert.match(warnings[0]!, /Bayes store failed/);
  broken.clear();
  broken.add('learn');
  const c = await scorer.check({ message: msg('winner again', 'pills'), mailFrom: '', rcptTo: [] });
  assert.ok(c.symbols.some((s) => s.name.startsWith('BAYES_') && s.name !== 'BAYES_UNAVAILABLE'), 'Bayes answers again');
  assert.ok(c.score >= 13);
  assert.match(status(c), /autolearn=failed$/, 'the verdict stands when autolearn fails');
  broken.clear();
  const d = await scorer.check({ message: msg('winner once more', 'pills'), mailFrom: '', rcptTo: [] });
  assert.match(status(d), /autolearn=spam$/);
  await store.close();
});

test('a regex rule that gives up at its work limit is named in RULE_REGEX_LIMIT, shown in tests=, and the message is not autolearned as ham', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-regex-limit-'));
  const rulesFile = join(dir, 'slow.toml');
  await writeFile(rulesFile, '[[rule]]\nname = "AB_TAIL"\nscore = 2\ndescription = "d"\nfield = "body"\nregex = "[ab]*a[ab]{500}x"\nprefilter = "ab"\n');
  const store = openSqliteTokenStore(dir);
  const cfg = loadConfig([{ file: 't.toml', text: '[antispam]\nauthentication = false\n[antispam.bayes]\nautolearn = true\n' }]).config;
  const warnings: string[] = [];
  const logger = { ...silentLogger(), warn: (o: object, msg: string) => void warnings.push(`${msg} ${JSON.stringify(o)}`) };
  const scorer = createSpamScorer({ config: cfg.antispam, rules: await loadRules([rulesFile]), store, logger });
  const message = (body: string) => Buffer.from(`From: a@example.org\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${body.length}@example.org>\r\nSubject: hi\r\n\r\n${body}\r\n`);
  const random = fc.sample(fc.array(fc.constantFrom('a', 'b'), { minLength: 200_000, maxLength: 200_000 }), { numRuns: 1, seed: 3 })[0]!.join('');
  const cut = await scorer.check({ message: message(random), mailFrom: '', rcptTo: [] });
  const limit = cut.symbols.find((s) => s.name === 'RULE_REGEX_LIMIT');
  assert.deepEqual(limit?.options, ['AB_TAIL'], JSON.stringify(cut.symbols.map((s) => s.name)));
  assert.match(cut.headers.find((h) => h.name === 'X-Spam-Status')!.value, /tests=.*RULE_REGEX_LIMIT/);
  assert.equal(cut.autolearn, 'no', 'partly checked: not learned as ham');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /regex rule gave up .* \{"rules":\["AB_TAIL"\]\}$/, 'the log names the rule, which X-Spam-Status cannot');
  await scorer.check({ message: message(`${random} `), mailFrom: '', rcptTo: [] });
  assert.equal(warnings.length, 1, 'once a minute per rule, not per message');
  const short = await scorer.check({ message: message(random.slice(0, 3000)), mailFrom: '', rcptTo: [] });
  assert.ok(!short.symbols.some((s) => s.name === 'RULE_REGEX_LIMIT'));
  assert.equal(short.autolearn, 'ham', 'the same kind of message, checked whole, is learned');
  await store.close();
});

/** A scorer with autolearn on and one rule that scores 13 (so a message with "bigmarker" is autolearned as spam), its store in `dir`. */
async function autolearningScorer(dir: string) {
  const rulesFile = join(dir, 'big.toml');
  await writeFile(rulesFile, '[[rule]]\nname = "BIG"\nscore = 13\ndescription = "d"\nfield = "body"\nliterals = ["bigmarker"]\n');
  const store = openSqliteTokenStore(dir);
  const cfg = loadConfig([{ file: 't.toml', text: '[antispam]\nauthentication = false\n' }]).config;
  return { store, scorer: createSpamScorer({ config: cfg.antispam, rules: await loadRules([rulesFile]), store, logger: silentLogger() }) };
}

test('autolearn never moves a message someone learned as the other class: a later copy of a corrected false positive keeps it ham (SpamAssassin\'s no_relearn)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-no-relearn-'));
  const { store, scorer } = await autolearningScorer(dir);
  const copy = (rcpt: string) => Buffer.from(`Received: from mx by mail for <${rcpt}>\r\nFrom: a@example.org\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <fp-1@example.org>\r\nSubject: report\r\n\r\nbigmarker in a real report\r\n`);
  assert.equal((await scorer.check({ message: copy('alice@example.com'), mailFrom: '', rcptTo: [] })).autolearn, 'spam');
  assert.equal(await learnMessage(store, copy('alice@example.com'), 'ham', false), 'moved', 'alice corrects it');
  const again = await scorer.check({ message: copy('bob@example.com'), mailFrom: '', rcptTo: [] });
  assert.equal(again.autolearn, 'no', "bob's copy is not learned over alice's correction");
  assert.deepEqual(await store.totals(), { spam: 0, ham: 1 });
  assert.equal(await learnMessage(store, copy('bob@example.com'), 'spam', false), 'moved', 'an explicit moat learn still moves it');
  await store.close();
});

test('quarantine release learns the stored original as it is: the autolearned spam moves to ham, with the tokens Moat scored (an upstream Moat\'s fields on top, which a mailbox copy would lose with the hop above them, stay)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-release-learn-'));
  const { store, scorer } = await autolearningScorer(dir);
  const original = Buffer.from('Received: from mx.upstream.example by gw\r\nX-Virus-Scanned: Moat (signatures edge:1)\r\nX-Moat-Result: clean\r\nX-Spam-Flag: NO\r\nFrom: a@example.org\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <q-1@example.org>\r\nSubject: report\r\n\r\nbigmarker in a real report\r\n');
  assert.equal((await scorer.check({ message: original, mailFrom: '', rcptTo: [] })).autolearn, 'spam');
  await scorer.learn(original, 'ham');
  assert.deepEqual(await store.totals(), { spam: 0, ham: 1 }, 'moved, not counted twice');
  await store.close();
  const db = new Database(join(dir, 'bayes.db'), { readonly: true });
  const tokens = JSON.parse((db.prepare('SELECT tokens FROM learned').pluck().get() as string)) as string[];
  db.close();
  assert.ok(tokens.includes('Hreceived:mx.upstream.example'), 'the hop above the upstream verdict is learned, as it was scored');
});

test('a message read only in part (nested past the MIME depth limit) says so with MIME_TRUNCATED and is never autolearned as ham', async () => {
  const store = openSqliteTokenStore(await mkdtemp(join(tmpdir(), 'moat-trunc-')));
  const cfg = loadConfig([{ file: 't.toml', text: '[antispam]\nauthentication = false\n[antispam.bayes]\nautolearn = true\n' }]).config;
  const scorer = createSpamScorer({ config: cfg.antispam, rules: await loadRules([]), store, logger: silentLogger() });
  const nested = (depth: number) => {
    let body = 'Content-Type: text/plain\r\n\r\nhello there\r\n';
    for (let i = 0; i < depth; i++) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
    return Buffer.from(`From: a@example.org\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <n${depth}@example.org>\r\nSubject: hi\r\nMIME-Version: 1.0\r\n${body}`);
  };
  const deep = await scorer.check({ message: nested(12), mailFrom: '', rcptTo: [] });
  const truncated = deep.symbols.find((s) => s.name === 'MIME_TRUNCATED');
  assert.ok(truncated, JSON.stringify(deep.symbols));
  assert.deepEqual(truncated.options, ['max_depth']);
  assert.equal(deep.autolearn, 'no');
  const shallow = await scorer.check({ message: nested(2), mailFrom: '', rcptTo: [] });
  assert.ok(!shallow.symbols.some((s) => s.name === 'MIME_TRUNCATED'));
  assert.equal(shallow.autolearn, 'ham', 'the same message read whole is autolearned as before');
  await store.close();
});
