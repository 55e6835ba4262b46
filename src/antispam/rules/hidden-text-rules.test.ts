import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRules } from '../load-rules.js';
import { viewMessage } from '../message-view.js';
import { parseRuleFile } from './rule-set.js';
import { isMoatError } from '../../core/errors.js';

const TOP = 'Received: from relay.example.net by mx.example.com; Mon, 7 Dec 2026 10:00:00 +0000\r\n';
const mail = (headers: string, body: string, type = 'text/plain', date = 'Mon, 7 Dec 2026 09:59:00 +0000') => Buffer.from(`${TOP}From: a@example.net\r\nTo: b@example.com\r\nDate: ${date}\r\nMessage-ID: <1@example.net>\r\n${headers}Content-Type: ${type}; charset=utf-8\r\n\r\n${body}\r\n`);
const fired = async (message: Buffer) => (await loadRules([])).evaluate(viewMessage(message)).map((s) => s.name);

test('the shipped rules name hidden words, split words, look-alike letters and a Date from the future', async () => {
  assert.ok((await fired(mail('Subject: hello\r\n', 'Get your v1agra here'))).includes('BODY_OBFUSCATED_WORD'));
  assert.ok((await fired(mail('Subject: cheap c-i-a-l-i-s\r\n', 'hi'))).includes('SUBJ_OBFUSCATED_WORD'));
  assert.ok((await fired(mail('Subject: hi\r\n', '<p>V<b></b>iagra, c<!-- x -->ialis and mo<font color="#fff">z</font>ney</p>', 'text/html'))).includes('HTML_SPLIT_WORDS'));
  assert.ok((await fired(mail(`Subject: =?utf-8?B?${Buffer.from('your pаypal account').toString('base64')}?=\r\n`, 'hi'))).includes('MIXED_SCRIPT_WORD'), 'in the Subject');
  assert.ok((await fired(mail('Subject: hi\r\n', 'log in to your Miсrosoft account'))).includes('MIXED_SCRIPT_WORD'), 'in the body');
  assert.ok((await fired(mail('Subject: your pаypal account, raw UTF-8\r\n', 'hi'))).includes('MIXED_SCRIPT_WORD'), 'in a raw UTF-8 Subject (RFC 6532)');
  assert.ok((await fired(mail('Subject: hi\r\n', 'hi', 'text/plain', 'Thu, 7 Jan 2027 09:59:00 +0000'))).includes('DATE_IN_FUTURE'));
});

test('the same rules stay quiet on ordinary mail that names the same things', async () => {
  const quiet = await fired(
    mail(
      'Subject: Viagra patent news and our mortgage rates\r\n',
      '<p><font size="4">W</font>elcome to the <b>Java<sup>TM</sup></b> newsletter. Viagra and Cialis are trade names; our mortgage desk is open. Привет, Ελλάδα.</p>',
      'text/html',
    ),
  );
  for (const name of ['BODY_OBFUSCATED_WORD', 'SUBJ_OBFUSCATED_WORD', 'HTML_SPLIT_WORDS', 'MIXED_SCRIPT_WORD', 'DATE_IN_FUTURE']) assert.ok(!quiet.includes(name), `${name} in ${quiet.join(',')}`);
});

test('obfuscated_words rules: need a field and plain lower-case words of at least 4 letters', () => {
  const rule = (body: string) => parseRuleFile('r.toml', `[[rule]]\nname = "X"\nscore = 1\ndescription = "x"\n${body}\n`);
  assert.equal(rule('field = "body"\nobfuscated_words = ["viagra"]')[0]!.obfuscated_words?.[0], 'viagra');
  for (const [body, message] of [
    ['obfuscated_words = ["viagra"]', /need a field/],
    ['field = "body"\nobfuscated_words = ["Viagra"]', /lower-case letters a-z, at least 4/],
    ['field = "body"\nobfuscated_words = ["sex"]', /at least 4/],
    ['field = "body"\nobfuscated_words = []', /obfuscated_words/],
    ['field = "body"\nobfuscated_words = ["viagra"]\nliterals = ["x"]', /exactly one of/],
  ] as const)
    assert.throws(() => rule(body), (err: unknown) => isMoatError(err, 'CONFIG_INVALID') && message.test((err as Error).message), body);
});
