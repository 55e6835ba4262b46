import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from './tokenizer.js';
import { viewMessage } from '../message-view.js';

/** What Bayes learns and scores a message by (the view as the scorer makes it, then its tokens). */
const tokensOf = (message: string) => new Set(tokenize(viewMessage(Buffer.from(message))));

const missing = (tokens: Set<string>, expected: string[]) => expected.filter((t) => !tokens.has(t));
const present = (tokens: Set<string>, unexpected: string[]) => unexpected.filter((t) => tokens.has(t));

test('tokenizer: link hosts and their registered domain become U: tokens, from plain-text URLs and HTML links alike', () => {
  const tokens = tokensOf(
    [
      'Subject: offer',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'See https://Track.Clicks.example/c?id=1 today',
      '--b',
      'Content-Type: text/html',
      '',
      '<p>Or <a href="http://www.shop.example/deal">here</a></p>',
      '--b--',
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(missing(tokens, ['U:track.clicks.example', 'U:clicks.example', 'U:www.shop.example', 'U:shop.example']), []);
});

test('tokenizer: HTML is read as the browser shows it: visible words and entities, no tag, attribute, comment, script or style words', () => {
  const html = [
    '<html><head><style>.stylewordzz { color: red }</style><script>scriptwordzz();</script></head>',
    '<body><table class="attrwordzz"><tr><td><font face="Arial">Visible cheapest <b>offer</b> caf&#233;s &amp; crème</font></td></tr></table>',
    '<!-- commentwordzz -->',
    '</body></html>',
  ].join('\n');
  const tokens = tokensOf(`Subject: x\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
  assert.deepEqual(missing(tokens, ['visible', 'cheapest', 'offer', 'cafés', 'crème']), []);
  assert.deepEqual(present(tokens, ['stylewordzz', 'scriptwordzz', 'attrwordzz', 'commentwordzz', 'table', 'font', 'face', 'arial', 'class', 'html', 'body', 'color', 'caf', 'amp']), []);
});

test('tokenizer: parts are read decoded: a base64 and a quoted-printable body give their words, not their encoded form', () => {
  const base64 = Buffer.from('Decoded base64secretword inside\r\n').toString('base64');
  const tokens = tokensOf(
    [
      'Subject: =?UTF-8?B?ZW5jb2RlZHN1YmplY3R3b3Jk?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64,
      '--b',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      '<p class=3D"x">quotedprint=',
      'ableword caf=C3=A9=20menu</p>',
      '--b--',
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(missing(tokens, ['decoded', 'base64secretword', 'quotedprintableword', 'café', 'menu', 'Hsubject:encodedsubjectword']), []);
  const encoded = base64.toLowerCase().replace(/[=+/]+$/, '');
  assert.deepEqual(present(tokens, ['quotedprint', 'ableword', 'caf', 'c3', encoded, 'Hsubject:utf-8']), []);
});

test('tokenizer: words of Subject, From, To, Reply-To, X-Mailer, User-Agent, Content-Type, Message-ID, List-Id and Received are tokens under their header name', () => {
  const tokens = tokensOf(
    [
      'Received: from relay.sender.example (relay.sender.example [198.51.100.23]) by mx.example.com',
      'From: "Shop Deals" <news@shop.example>',
      'To: bob@example.com',
      'Reply-To: replies@elsewhere.example',
      'Subject: Weekly bargains',
      'Message-ID: <abc123@mailer.shop.example>',
      'List-Id: Bargain list <bargains.shop.example>',
      'X-Mailer: BulkBlaster 7',
      'User-Agent: Thunderbird/115.0',
      'X-Other: notatokenword',
      'Content-Type: text/plain; charset=iso-8859-1',
      '',
      'hello there',
      '',
    ].join('\r\n'),
  );
  const expected = [
    'Hsubject:weekly',
    'Hsubject:bargains',
    'Hfrom:shop',
    'Hfrom:deals',
    'Hfrom:news',
    'Hfrom:shop.example',
    'Hto:bob',
    'Hto:example.com',
    'Hreply-to:replies',
    'Hreply-to:elsewhere.example',
    'Hx-mailer:bulkblaster',
    'Huser-agent:thunderbird',
    'Huser-agent:115.0',
    'Hcontent-type:plain',
    'Hcontent-type:iso-8859-1',
    'Hmessage-id:abc123',
    'Hmessage-id:mailer.shop.example',
    'Hlist-id:bargain',
    'Hlist-id:bargains.shop.example',
    'Hreceived:relay.sender.example',
    // The relay's address is kept to its /24, so a sender's neighbouring hosts share the token.
    'Hreceived:198.51.100',
  ];
  assert.deepEqual(missing(tokens, expected), []);
  assert.deepEqual(present(tokens, ['Hreceived:198.51.100.23', 'Hx-other:notatokenword', 'notatokenword', 'Hsubject:hello']), []);
});
