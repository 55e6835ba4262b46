import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMail, getHeader } from '../parse-mail.js';
import { addHeaders, tagSubject } from './header-rewrite.js';
import { removePart, replacePart } from './replace-parts.js';
import { appendFooter } from './append-footer.js';
import { isMoatError } from '../../core/errors.js';

const ATT = 'Content-Type: application/octet-stream; name=x.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAA\r\n';
const MULTI = `From: a@example.com\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\npre\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nHello=\r\n world\r\n--XX\r\n${ATT}--XX\r\nContent-Type: text/plain\r\n\r\nlast\r\n--XX--\r\nepi\r\n`;

test('addHeaders prepends folded, encoded fields and keeps every original byte', () => {
  const long = 'word '.repeat(40).trim();
  const out = addHeaders(Buffer.from(MULTI), [{ name: 'X-Moat-Status', value: 'clean' }, { name: 'X-Long', value: long }, { name: 'X-Utf', value: 'Grüße\r\nInjected: yes' }]);
  assert.ok(out.subarray(out.length - MULTI.length).equals(Buffer.from(MULTI)));
  const head = out.subarray(0, out.length - MULTI.length).toString('latin1');
  for (const line of head.split('\r\n')) assert.ok(line.length <= 78, line);
  assert.ok(!/^Injected:/m.test(head), 'line breaks in values cannot inject fields');
  const m = parseMail(out);
  assert.equal(getHeader(m, 'x-long'), long);
  assert.equal(getHeader(m, 'x-utf'), 'Grüße Injected: yes');
  assert.deepEqual(m.leaves.map((l) => l.path), ['1', '2', '3']);
  assert.throws(() => addHeaders(Buffer.from(MULTI), [{ name: 'Bad Name', value: 'x' }]), (e) => isMoatError(e, 'MAIL_HEADER_INVALID'));
});

test('tagSubject changes only the Subject field, encodes non-ASCII tags, is idempotent', () => {
  const out = tagSubject(Buffer.from(MULTI), '[SPAM]');
  assert.equal(getHeader(parseMail(out), 'subject'), '[SPAM] café');
  assert.equal(out.length, MULTI.length + 7);
  assert.ok(tagSubject(out, '[SPAM]').equals(out));
  const enc = tagSubject(Buffer.from(MULTI), '[Spät]');
  assert.equal(getHeader(parseMail(enc), 'subject'), '[Spät] café');
  assert.ok(/^[\x00-\x7f]*$/.test(enc.toString('latin1')), 'stays 7-bit');
  const none = tagSubject(Buffer.from('From: a@b\nTo: c@d\n\nbody\n'), '[SPAM]');
  assert.equal(none.toString(), 'From: a@b\nTo: c@d\nSubject: [SPAM]\n\nbody\n');
  const two = tagSubject(Buffer.from('Subject: one\nSubject:two\n\nx'), '[T]');
  assert.equal(two.toString(), 'Subject: [T] one\nSubject: [T] two\n\nx');
});

test('replacePart swaps one part for a notice; everything else byte-identical; re-parses', () => {
  const out = replacePart(Buffer.from(MULTI), '2', 'Removed: infected.\n')!;
  const before = parseMail(Buffer.from(MULTI)).root.children[1]!;
  assert.ok(out.subarray(0, before.start).equals(Buffer.from(MULTI).subarray(0, before.start)));
  const tail = Buffer.from(MULTI).subarray(before.end);
  assert.ok(out.subarray(out.length - tail.length).equals(tail));
  const m = parseMail(out);
  assert.deepEqual(m.ambiguities, []);
  assert.deepEqual(m.leaves.map((l) => [l.path, l.contentType]), [['1', 'text/plain'], ['2', 'text/plain'], ['3', 'text/plain']]);
  assert.equal(m.leaves[1]!.text, 'Removed: infected.\r\n');
  assert.equal(replacePart(Buffer.from(MULTI), '9', 'x'), undefined);
  assert.equal(replacePart(Buffer.from(MULTI), '', 'x'), undefined);
});

test('appendFooter: plain, quoted-printable and base64 bodies; other parts untouched', () => {
  const plain = appendFooter(Buffer.from('Subject: s\n\nhello\n'), 'Scanned by Moat')!;
  assert.equal(plain.toString(), 'Subject: s\n\nhello\nScanned by Moat\n');
  const qp = appendFooter(Buffer.from(MULTI), 'Geprüft — Moat')!;
  const m = parseMail(qp);
  assert.equal(m.leaves[0]!.text, 'Hello world\r\nGeprüft — Moat');
  const orig = parseMail(Buffer.from(MULTI)).root.children[1]!;
  const tail = Buffer.from(MULTI).subarray(orig.start);
  assert.ok(qp.subarray(qp.length - tail.length).equals(tail), 'later parts byte-identical');
  const b64 = appendFooter(Buffer.from(`Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n${Buffer.from('caf\xe9\n', 'latin1').toString('base64')}\n`), 'Pr\u00fcfung')!;
  assert.equal(parseMail(b64).leaves[0]!.text, 'café\nPrüfung\n');
  assert.equal(appendFooter(Buffer.from('Content-Type: text/html\n\n<p>x</p>'), 'f'), undefined);
});

test('property: rewrites never throw on arbitrary messages and keep the message parseable', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), fc.string({ maxLength: 40 }), (bytes, s) => {
      const msg = Buffer.concat([Buffer.from(MULTI.slice(0, 200)), Buffer.from(bytes)]);
      const a = addHeaders(msg, [{ name: 'X-T', value: s }]);
      assert.ok(a.subarray(a.length - msg.length).equals(msg));
      tagSubject(msg, s);
      appendFooter(msg, s);
      replacePart(msg, '1', s);
      parseMail(a);
    }),
    { numRuns: 400 },
  );
});

test('removePart drops one part and its delimiter line; the rest is byte-identical and re-parses', () => {
  const src = Buffer.from(MULTI);
  const before = parseMail(src).root.children[1]!;
  const out = removePart(src, '2')!;
  const delimiterLine = src.lastIndexOf(10, before.start - 2) + 1;
  assert.ok(out.subarray(0, delimiterLine).equals(src.subarray(0, delimiterLine)));
  const tail = src.subarray(before.end + 2);
  assert.ok(out.subarray(out.length - tail.length).equals(tail));
  assert.equal(out.length, src.length - (before.end + 2 - delimiterLine));
  const m = parseMail(out);
  assert.deepEqual(m.ambiguities, []);
  assert.deepEqual(m.leaves.map((l) => l.text), ['Hello world', 'last']);
  assert.equal(removePart(src, '7'), undefined);
});
