import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRules } from '../load-rules.js';
import { viewMessage } from '../message-view.js';

/**
 * The shipped rules over the built-in structural checks that no other test reaches: each fires on
 * a message of its kind and stays silent on a near miss.
 */
const rules = await loadRules([]);
const fires = (symbol: string, message: string) => rules.evaluate(viewMessage(Buffer.from(message))).some((s) => s.name === symbol);
const HEAD = 'From: a@example.org\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n';
const plain = (body: string, subject = 'Subject: hello\r\n') => `${HEAD}${subject}\r\n${body}\r\n`;

test('URI_NUMERIC_IP: a link to a bare IPv4 address, not to a host name that starts with one', () => {
  assert.equal(fires('URI_NUMERIC_IP', plain('log in at http://203.0.113.9/login now')), true);
  assert.equal(fires('URI_NUMERIC_IP', plain('see http://198.51.100.7.nip.example/ and https://www.example.com/')), false);
});

test('MANY_URIS: more than 15 distinct links, not 15', () => {
  const links = (n: number) => Array.from({ length: n }, (_, i) => `https://site${i}.example/`).join('\r\n');
  assert.equal(fires('MANY_URIS', plain(links(16))), true);
  assert.equal(fires('MANY_URIS', plain(`${links(15)}\r\n${links(15)}`)), false, 'the same 15 twice are 15');
});

test('MIME_BASE64_TEXT: a text/plain part sent base64, not quoted-printable text or a base64 attachment', () => {
  const part = (type: string, encoding: string, body: string) => `${HEAD}Subject: hello\r\nMIME-Version: 1.0\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}\r\n`;
  assert.equal(fires('MIME_BASE64_TEXT', part('text/plain; charset=utf-8', 'base64', Buffer.from('Hello there, a normal letter.').toString('base64'))), true);
  assert.equal(fires('MIME_BASE64_TEXT', part('text/plain; charset=utf-8', 'quoted-printable', 'Hello there, caf=C3=A9.')), false);
  assert.equal(fires('MIME_BASE64_TEXT', part('application/pdf', 'base64', Buffer.from('%PDF-1.4').toString('base64'))), false);
});

test('IMAGE_SPAM: an image with almost no text, not an image in a letter', () => {
  const html = (text: string) => `${HEAD}Subject: hello\r\nContent-Type: text/html\r\n\r\n<p><img src="https://img.example/offer.png">${text}</p>\r\n`;
  assert.equal(fires('IMAGE_SPAM', html('Click!')), true);
  assert.equal(fires('IMAGE_SPAM', html('Dear Bob, here is the photo of the new office we talked about on Monday. '.repeat(4))), false);
});

test('MISSING_SUBJECT: no Subject header, not one with a subject', () => {
  assert.equal(fires('MISSING_SUBJECT', plain('hello', '')), true);
  assert.equal(fires('MISSING_SUBJECT', plain('hello')), false);
});
