import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleSet, parseRuleFile } from './rule-set.js';
import { viewMessage } from '../message-view.js';

/**
 * What each rule field holds (docs/antispam.md, "What each field holds"), through a small rule
 * file of the site's kind: `body` the text as shown, `html` the raw HTML, `uri` the links,
 * `header:<Name>` that header alone.
 */
const RULES = `
[[rule]]
name = "BODY_SHOWN"
score = 1
description = "Words as the reader sees them (the HTML's entities decoded)"
field = "body"
literals = ["watches & clocks"]

[[rule]]
name = "BODY_HIDDEN"
score = 1
description = "A word only in an HTML comment or a tag"
field = "body"
literals = ["commentword", "color="]

[[rule]]
name = "HTML_WHITE_FONT"
score = 1
description = "White text in the raw HTML"
field = "html"
literals = ["<font color=\\"#ffffff\\">"]

[[rule]]
name = "HTML_COMMENT"
score = 1
description = "A word in an HTML comment"
field = "html"
regex = "<!--\\\\s*commentword"
prefilter = "commentword"

[[rule]]
name = "URI_TRACKER"
score = 1
description = "A link to the click tracker"
field = "uri"
regex = "^https?://track\\\\.clicks\\\\.example/c\\\\?"
prefilter = "clicks.example"

[[rule]]
name = "HDR_BULK_MAILER"
score = 1
description = "Sent with the bulk mailer"
field = "header:X-Mailer"
regex = "^bulkblaster\\\\b"
prefilter = "bulkblaster"
`;

const rules = new RuleSet(parseRuleFile('site.toml', RULES));
const fired = (message: string) => rules.evaluate(viewMessage(Buffer.from(message))).map((s) => s.name).sort();
const html = (body: string, headers = '') => `From: a@example.org\r\nSubject: x\r\n${headers}Content-Type: text/html\r\n\r\n${body}\r\n`;
const plain = (body: string, headers = '') => `From: a@example.org\r\nSubject: x\r\n${headers}\r\n${body}\r\n`;

test('field body: the HTML as the browser shows it, not its tags, attributes or comments', () => {
  assert.deepEqual(fired(html('<p>Cheap <b>watches &amp; clocks</b> <!-- commentword --> <span style="color=red">now</span></p>')), ['BODY_SHOWN', 'HTML_COMMENT']);
  assert.deepEqual(fired(plain('cheap watches & clocks, commentword')), ['BODY_HIDDEN', 'BODY_SHOWN'], 'the same words as text are seen');
});

test('field html: the raw HTML of the text/html parts, tags and comments included; not the text of a plain part', () => {
  assert.deepEqual(fired(html('<font color="#ffffff">hidden</font> hello')), ['HTML_WHITE_FONT']);
  assert.deepEqual(fired(plain('<font color="#ffffff"> <!-- commentword')).filter((n) => n.startsWith('HTML_')), [], 'a text/plain part is not HTML');
});

test('field uri: the links and URLs of the message, one per line; not a host name written in the text', () => {
  assert.deepEqual(fired(html('<a href="http://track.clicks.example/c?id=1">unsubscribe</a>')), ['URI_TRACKER'], 'a link');
  assert.deepEqual(fired(plain('Go to https://www.example.com/a and\r\nhttps://track.clicks.example/c?id=2 now')), ['URI_TRACKER'], 'a URL in the text, at the start of its line');
  assert.deepEqual(fired(plain('Our tracker is track.clicks.example/c?id=3, see http://clicks.example/about')), [], 'no link to it');
});

test('field header:<Name>: that header\'s values (MIME-decoded, one per line), not other headers or the body', () => {
  assert.deepEqual(fired(plain('hi', 'X-Mailer: BulkBlaster 7.1\r\n')), ['HDR_BULK_MAILER']);
  assert.deepEqual(fired(plain('hi', 'X-Mailer: Thunderbird\r\nX-Mailer: =?UTF-8?B?QnVsa0JsYXN0ZXIgOA==?=\r\n')), ['HDR_BULK_MAILER'], 'the second X-Mailer, decoded, on its own line');
  assert.deepEqual(fired(plain('bulkblaster in the body', 'X-Comment: bulkblaster\r\nX-Mailer: Thunderbird, not bulkblaster\r\n')), []);
});
