import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messageKey } from './message-key.js';

const received = [
  'From: Deals <deals@promo.example>',
  'To: bob@example.org',
  'Subject: Cheap meds',
  'Date: Mon, 7 Dec 2026 05:00:00 +0000',
  'Message-ID: <abc123@promo.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain',
  '',
  'Buy cheap meds online now.',
  'From the makers of fine pills.',
  '>From a quoted line',
  '',
].join('\r\n');

/** The same message as a user's Maildir holds it after Postfix, Moat and Dovecot delivered it. */
function delivered(message: string): string {
  const [head, body] = [message.slice(0, message.indexOf('\r\n\r\n')), message.slice(message.indexOf('\r\n\r\n') + 4)];
  const trace = [
    'Return-Path: <deals@promo.example>',
    'Delivered-To: bob@example.org',
    'Received: from mx.example.org (localhost [127.0.0.1])\n\tby mail.example.org (Postfix) with ESMTP id 4F1',
    'X-Spam-Flag: YES',
    'X-Spam-Status: Yes, score=14.2 required=5.0 tests=BAYES_99',
    'Authentication-Results: mail.example.org; spf=none',
  ].join('\n');
  return `${trace}\n${head.replace('Subject: Cheap meds', 'Subject: [SPAM] Cheap meds').replace(/\r\n/g, '\n')}\n\n${body.replace(/\r\n/g, '\n')}`;
}

/** As an mbox holds it (mboxrd): `From ` lines escaped, a blank line before the next message. */
const inMbox = (message: string) => `${message.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1')}\n`;

test('message key: the copy delivered to a Maildir (trace headers on top, [SPAM] subject, LF) and the mbox copy are the message the daemon saw', () => {
  const key = messageKey(Buffer.from(received));
  assert.equal(messageKey(Buffer.from(delivered(received))), key);
  assert.equal(messageKey(Buffer.from(inMbox(received))), key);
  // A refolded Message-ID or Date is the same header.
  assert.equal(messageKey(Buffer.from(received.replace('Date: Mon, 7 Dec', 'Date: Mon,\r\n 7  Dec'))), key);
});

test('message key: another body or Message-ID is another message; without a Message-ID, another Date or From', () => {
  const key = messageKey(Buffer.from(received));
  assert.notEqual(messageKey(Buffer.from(received.replace('online now', 'online today'))), key);
  assert.notEqual(messageKey(Buffer.from(received.replace('abc123', 'abc124'))), key);
  assert.equal(messageKey(Buffer.from(received.replace('05:00:00', '05:00:01'))), key, 'the Message-ID says which message it is');
  const noId = received.replace('Message-ID: <abc123@promo.example>\r\n', '');
  assert.notEqual(messageKey(Buffer.from(noId.replace('05:00:00', '05:00:01'))), messageKey(Buffer.from(noId)));
  assert.notEqual(messageKey(Buffer.from(noId.replace('deals@', 'offers@'))), messageKey(Buffer.from(noId)));
  // A body line an MTA broke at 998 characters (CRLF and a space inserted) is the same body.
  const long = `Message-ID: <l@example.org>\r\n\r\n${'x'.repeat(1500)}\r\n`;
  assert.equal(messageKey(Buffer.from(long.replace('x'.repeat(1500), `${'x'.repeat(998)}\r\n ${'x'.repeat(502)}`))), messageKey(Buffer.from(long)));
  // Without Message-ID and Date, From tells messages with one body apart; the subject does not
  // count then.
  const bare = (from: string, subject: string) => Buffer.from(`From: ${from}\r\nSubject: ${subject}\r\n\r\nsame body\r\n`);
  assert.notEqual(messageKey(bare('a@example.org', 'one')), messageKey(bare('b@example.org', 'one')));
  assert.equal(messageKey(bare('a@example.org', 'one')), messageKey(bare('a@example.org', '[SPAM] one')));
  assert.notEqual(messageKey(Buffer.from('Date: Mon, 7 Dec 2026\r\n\r\nsame body\r\n')), messageKey(Buffer.from('From: a@example.org\r\n\r\nsame body\r\n')));
  // Without Message-ID, Date and From, the Subject tells messages with one body apart.
  assert.notEqual(messageKey(Buffer.from('Subject: one\r\n\r\nsame body\r\n')), messageKey(Buffer.from('Subject: two\r\n\r\nsame body\r\n')));
});

test('message key: the first 256 KB of the normalized body count, counted after normalizing (a CRLF copy of a long body is the LF copy)', () => {
  const lines = (eol: string, tail: string) => `Message-ID: <long@example.org>${eol}${eol}${Array.from({ length: 9000 }, (_, i) => `line ${i} of a long message body, some words`).join(eol)}${eol}${tail}${eol}`;
  const key = messageKey(Buffer.from(lines('\n', 'end')));
  assert.ok(lines('\n', 'end').length > 300 * 1024 && lines('\n', 'end').length < 512 * 1024);
  assert.equal(messageKey(Buffer.from(lines('\r\n', 'end'))), key, 'CRLF copy: its first 256 KB after normalizing are the LF copy\'s');
  assert.equal(messageKey(Buffer.from(lines('\n', 'a footer appended past 256 KB'))), key, 'a difference past 256 KB is the same message');
  assert.notEqual(messageKey(Buffer.from(lines('\n', 'end').replace('line 5 of', 'line 5 in'))), key, 'a difference within the first 256 KB is another message');
});

test('message key: the body is read from its first megabyte only (a body of blanks costs no more than that)', () => {
  const blanksThen = (word: string) => Buffer.from(`Message-ID: <b@example.org>\r\n\r\n${' '.repeat(1536 * 1024)}${word}\r\n`);
  assert.equal(messageKey(blanksThen('alpha')), messageKey(blanksThen('omega')), 'what comes after the first megabyte is not read');
  const early = (word: string) => Buffer.from(`Message-ID: <b@example.org>\r\n\r\n${' '.repeat(1000 * 1024)}${word}\r\n`);
  assert.notEqual(messageKey(early('alpha')), messageKey(early('omega')), 'what comes before it is');
});

test('message key: any headers added on top, CRLF or LF, and mbox escaping leave it unchanged (property)', () => {
  const line = fc.stringMatching(/^[A-Za-z0-9 .,!>?-]{0,40}$/);
  const field = fc.tuple(fc.constantFrom('Received', 'X-Spam-Status', 'Delivered-To', 'Return-Path', 'X-Original-To', 'Authentication-Results'), line).map(([n, v]) => `${n}: ${v}`);
  fc.assert(
    fc.property(line, fc.array(line, { maxLength: 12 }), fc.array(field, { maxLength: 6 }), fc.boolean(), (id, bodyLines, added, crlf) => {
      const eol = crlf ? '\r\n' : '\n';
      const original = `Message-ID: <${id}@example.org>${eol}Date: Mon, 7 Dec 2026${eol}Subject: s${eol}${eol}${bodyLines.join(eol)}${eol}`;
      const copy = `${added.join('\n')}${added.length ? '\n' : ''}${original.replace(/\r\n/g, '\n')}`;
      const key = messageKey(Buffer.from(original));
      assert.equal(messageKey(Buffer.from(copy)), key);
      assert.equal(messageKey(Buffer.from(inMbox(original))), key);
    }),
    { numRuns: 500 },
  );
});

test('message key: hostile bodies take linear time (4 MiB of ">", blanks, line ends or ">From " well under 2 s each)', () => {
  const huge = (s: string) => Buffer.from(`Message-ID: <x@y>\r\n\r\n${s}`);
  for (const body of ['>'.repeat(4 << 20), `${' '.repeat(4 << 20)}x`, '\r\n'.repeat(2 << 20), `${'>From '.repeat(1 << 20)}`, ' '.repeat(50 << 20)]) {
    const t = performance.now();
    messageKey(huge(body));
    const ms = performance.now() - t;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms for ${JSON.stringify(body.slice(0, 8))}…`);
  }
});
