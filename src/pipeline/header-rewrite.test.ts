import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { appendFooter, prependHeaders, tagSubject } from './header-rewrite.js';

test('tagSubject prefixes once, keeps CRLF and every other byte', () => {
  const msg = Buffer.from('From: a@b\r\nSubject: Hello\r\n world\r\nTo: c@d\r\n\r\nSubject: not a header\r\n');
  const { message, subject } = tagSubject(msg, '[SPAM]');
  assert.equal(subject, '[SPAM] Hello world');
  assert.equal(message.toString(), 'From: a@b\r\nSubject: [SPAM] Hello world\r\nTo: c@d\r\n\r\nSubject: not a header\r\n');
  assert.equal(tagSubject(message, '[SPAM]').message.toString(), message.toString(), 'not tagged twice');
  assert.match(tagSubject(Buffer.from('From: a\n\nx\n'), 'Vírus').message.toString(), /^Subject: =\?UTF-8\?B\?/);
});

test('prependHeaders keeps an mbox envelope line first (what local(8) gives moat mda), so the delivery program still sees it as the envelope', () => {
  const fromLine = Buffer.from('From alice@example.org  Mon Dec  7 06:00:00 2026\nReturn-Path: <alice@example.org>\nSubject: hi\n\nbody\n');
  assert.equal(prependHeaders(fromLine, [{ name: 'X-Moat-Result', value: 'clean' }]).toString(), 'From alice@example.org  Mon Dec  7 06:00:00 2026\nX-Moat-Result: clean\nReturn-Path: <alice@example.org>\nSubject: hi\n\nbody\n');
  assert.equal(prependHeaders(Buffer.from('From: a@b\n\nx\n'), [{ name: 'X-A', value: '1' }]).toString(), 'X-A: 1\nFrom: a@b\n\nx\n', 'a From: field is no envelope line');
});

test('appendFooter only touches single-part unencoded text', () => {
  assert.equal(appendFooter(Buffer.from('Subject: x\n\nhello\n'), 'scanned')!.toString(), 'Subject: x\n\nhello\n\n-- \nscanned\n');
  assert.equal(appendFooter(Buffer.from('Content-Type: multipart/mixed; boundary=b\n\n--b--\n'), 'x'), undefined);
  assert.equal(appendFooter(Buffer.from('Content-Transfer-Encoding: base64\n\naGk=\n'), 'x'), undefined);
});

test('property: rewrites never alter the original bytes after the header block they touch', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), fc.constantFrom('\r\n', '\n'), (body, subj, eol) => {
      const msg = Buffer.from(`From: a@b${eol}Subject: ${subj.replace(/[\r\n]/g, '')}${eol}${eol}${body}`);
      const withHeaders = prependHeaders(msg, [{ name: 'X-Test', value: 'v' }]);
      assert.ok(withHeaders.subarray(withHeaders.length - msg.length).equals(msg));
      const tagged = tagSubject(msg, '[T]').message;
      const bodyStart = msg.indexOf(`${eol}${eol}`);
      assert.ok(tagged.subarray(tagged.length - (msg.length - bodyStart)).equals(msg.subarray(bodyStart)));
    }),
    { numRuns: 500 },
  );
});
