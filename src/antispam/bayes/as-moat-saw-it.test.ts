import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { asMoatSawIt } from './as-moat-saw-it.js';
import { messageKey } from './message-key.js';
import { tokenize } from './tokenizer.js';
import { viewMessage } from '../message-view.js';
import { prependHeaders, tagSubject } from '../../pipeline/header-rewrite.js';

/** What Moat's pipeline adds when it passes a spam on (the same functions, the same order). */
function asMoatPassesIt(original: Buffer, spam: boolean): Buffer {
  const tagged = spam ? tagSubject(original, '[SPAM]').message : original;
  return prependHeaders(tagged, [
    { name: 'X-Virus-Scanned', value: 'Moat (signatures moat-builtin:1)' },
    { name: 'X-Moat-Result', value: 'clean' },
    { name: 'X-Spam-Flag', value: spam ? 'YES' : 'NO' },
    { name: 'X-Spam-Status', value: `${spam ? 'Yes' : 'No'}, score=9.1 required=5.0 tests=BAYES_99 autolearn=no` },
    { name: 'X-Spam-Level', value: spam ? '*********' : '' },
    { name: 'Authentication-Results', value: 'mx.example.com; spf=pass smtp.mailfrom=example.org' },
  ]);
}

const MARKS = { marks: true, milterAppends: false, subjectTags: ['[SPAM]'], authenticationResults: true };

const original = Buffer.from('Received: from mail.shop.example (mail.shop.example [192.0.2.7])\r\n\tby mx.example.com (Postfix) with ESMTPS id 4F1\r\nFrom: Shop <news@shop.example>\r\nTo: bob@example.com\r\nSubject: Our autumn offers\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\nMessage-ID: <n1@shop.example>\r\n\r\nAutumn offers for you.\r\n');

test('a delivered copy is read as Moat saw it: hops added after Moat, Moat\'s fields and the subject tag go; the rest is byte for byte the original', () => {
  const delivered = Buffer.concat([Buffer.from('Return-Path: <news@shop.example>\r\nDelivered-To: bob@example.com\r\nReceived: from localhost (localhost [127.0.0.1])\r\n\tby mx.example.com (Postfix) with ESMTP id 5A2\r\n'), asMoatPassesIt(original, true)]);
  assert.deepEqual(Buffer.from(asMoatSawIt(delivered, MARKS)), original);
  assert.deepEqual(tokenize(viewMessage(asMoatSawIt(delivered, MARKS))), tokenize(viewMessage(original)), 'the tokens Moat scored');
  assert.equal(messageKey(asMoatSawIt(delivered, MARKS)), messageKey(original));
  // Behind moat mda the fields are on top of what the MTA handed over.
  assert.deepEqual(Buffer.from(asMoatSawIt(asMoatPassesIt(original, false), MARKS)), original);
});

test('a milter whose MTA appends Moat\'s fields at the end of the header block: only they go', () => {
  const end = original.indexOf('\r\n\r\n') + 2;
  const appended = Buffer.concat([original.subarray(0, end), Buffer.from('X-Virus-Scanned: Moat (signatures moat-builtin:1)\r\nX-Moat-Result: clean\r\nX-Spam-Flag: NO\r\nX-Spam-Status: No, score=0.1 required=5.0 tests=none autolearn=no\r\n'), original.subarray(end)]);
  assert.deepEqual(Buffer.from(asMoatSawIt(appended, { ...MARKS, milterAppends: true })), original);
  assert.deepEqual(Buffer.from(asMoatSawIt(appended, MARKS)), appended, 'not where this site\'s milter puts its fields: left as it is');
  // Another Moat's run near the top (the sender's gateway) stays; ours, at the end, goes.
  const otherMoat = Buffer.concat([Buffer.from('X-Virus-Scanned: Moat (signatures edge:1)\r\nX-Moat-Result: clean\r\nX-Spam-Flag: NO\r\n'), appended]);
  const expected = Buffer.concat([Buffer.from('X-Virus-Scanned: Moat (signatures edge:1)\r\nX-Moat-Result: clean\r\nX-Spam-Flag: NO\r\n'), original]);
  assert.deepEqual(Buffer.from(asMoatSawIt(otherMoat, { ...MARKS, milterAppends: true })), expected);
});

test('a site whose Moat does not mark mail (add_headers off everywhere) reads every copy as it is; only the first Subject is untagged, as only it is tagged', () => {
  const delivered = asMoatPassesIt(original, true);
  assert.deepEqual(Buffer.from(asMoatSawIt(delivered, { ...MARKS, marks: false })), delivered);
  const two = Buffer.from(original.toString('latin1').replace('Subject: Our autumn offers\r\n', 'Subject: Our autumn offers\r\nSubject: [SPAM] second\r\n'), 'latin1');
  assert.deepEqual(Buffer.from(asMoatSawIt(asMoatPassesIt(two, true), MARKS)), two);
});

test('a message that never passed Moat is left as it is, and Moat-like fields a sender put lower down do not cut it', () => {
  assert.deepEqual(Buffer.from(asMoatSawIt(original, MARKS)), original);
  // A receiving MTA's Authentication-Results on top (Gmail, Microsoft) is not Moat's run: the hops stay.
  const fromGmail = Buffer.concat([Buffer.from('Delivered-To: bob@gmail.example\r\nReceived: by 2002:a05:6a10 with SMTP id x\r\nAuthentication-Results: mx.google.com; spf=pass smtp.mailfrom=shop.example\r\n'), original]);
  assert.deepEqual(Buffer.from(asMoatSawIt(fromGmail, MARKS)), fromGmail);
  const forged = Buffer.from(original.toString('latin1').replace('To: bob@example.com\r\n', 'To: bob@example.com\r\nX-Spam-Status: No, score=-50\r\n'), 'latin1');
  const delivered = asMoatPassesIt(forged, true);
  const seen = Buffer.from(asMoatSawIt(delivered, MARKS)).toString('latin1');
  assert.equal(seen, forged.toString('latin1'), "Moat's own run is the first one; the forged field stays where the sender put it");
  assert.match(seen, /^Received: from mail\.shop\.example/, 'the hop that received it is kept');
});

test('Moat-named fields a message carries lower down (amavisd-milter, Exchange, a sender) leave it whole; one appended at the end goes alone', () => {
  const end = original.indexOf('\r\n\r\n') + 2;
  const withField = (field: string, at: number) => Buffer.concat([original.subarray(0, at), Buffer.from(field), original.subarray(at)]);
  const middle = withField('X-Virus-Scanned: amavisd-new at example.org\r\n', original.indexOf('Subject:'));
  assert.deepEqual(Buffer.from(asMoatSawIt(middle, MARKS)), middle, 'From, To, Subject… are never cut');
  const spammer = withField('X-Spam-Flag: NO\r\n', end);
  assert.deepEqual(Buffer.from(asMoatSawIt(spammer, MARKS)), spammer, 'a verdict field without Moat\'s mark is not Moat\'s');
  // amavisd-new as a content filter, without Moat: its fields on top are its own, and stay.
  const amavis = Buffer.concat([Buffer.from('Received: from localhost by mx (Postfix)\r\nX-Virus-Scanned: Debian amavisd-new at mx.example.com\r\nX-Spam-Flag: YES\r\nX-Spam-Score: 9.1\r\n'), Buffer.from(original.toString('latin1').replace('Subject: Our', 'Subject: [SPAM] Our'), 'latin1')]);
  assert.deepEqual(Buffer.from(asMoatSawIt(amavis, MARKS)), amavis);
  // amavisd-new before Moat: Moat's run goes, amavisd-new's fields below it and its [SPAM] tag (what Moat saw) stay.
  const amavisThenMoat = asMoatPassesIt(amavis, false);
  assert.deepEqual(Buffer.from(asMoatSawIt(amavisThenMoat, MARKS)), amavis);
  // An upstream milter's Authentication-Results right below a run of a Moat that writes none stays.
  const upstream = Buffer.concat([Buffer.from('Authentication-Results: mx.example.com; dkim=pass\r\n'), original]);
  const noAuth = prependHeaders(upstream, [{ name: 'X-Virus-Scanned', value: 'Moat (signatures moat-builtin:1)' }, { name: 'X-Spam-Flag', value: 'NO' }]);
  assert.deepEqual(Buffer.from(asMoatSawIt(noAuth, { ...MARKS, authenticationResults: false })), upstream);
  const tagged = Buffer.from(original.toString('latin1').replace('Subject: Our', 'Subject: [SPAM] Our'), 'latin1');
  assert.deepEqual(Buffer.from(asMoatSawIt(tagged, MARKS)), tagged, 'no run of Moat\'s: the subject is left as the sender wrote it');
});

test('a Subject Moat added to a message that had none goes; any configured tag (site, user, group) is taken off', () => {
  const noSubject = Buffer.from(original.toString('latin1').replace('Subject: Our autumn offers\r\n', ''), 'latin1');
  assert.deepEqual(Buffer.from(asMoatSawIt(asMoatPassesIt(noSubject, true), MARKS)), noSubject);
  const perUser = prependHeaders(tagSubject(original, '*** BULK ***').message, [{ name: 'X-Moat-Result', value: 'clean' }, { name: 'X-Spam-Flag', value: 'YES' }]);
  assert.deepEqual(Buffer.from(asMoatSawIt(perUser, { ...MARKS, subjectTags: ['[SPAM]', '*** BULK ***'] })), original);
});

test('a non-ASCII subject tag, which Moat writes RFC 2047-encoded, is taken off too', () => {
  const delivered = prependHeaders(tagSubject(original, '[СПАМ]').message, [{ name: 'X-Moat-Result', value: 'clean' }, { name: 'X-Spam-Flag', value: 'YES' }]);
  assert.match(delivered.toString('latin1'), /^Subject: =\?UTF-8\?/m);
  assert.deepEqual(Buffer.from(asMoatSawIt(delivered, { ...MARKS, subjectTags: ['[СПАМ]'] })), original);
});

test('a run that is the whole header block leaves the body and the line that ended the headers', () => {
  assert.deepEqual(Buffer.from(asMoatSawIt(Buffer.from('Received: from localhost\r\nX-Moat-Result: clean\r\n\r\nbody\r\n'), MARKS)), Buffer.from('\r\nbody\r\n'));
  assert.deepEqual(Buffer.from(asMoatSawIt(Buffer.from('X-Moat-Result: clean\n\nbody\n'), MARKS)), Buffer.from('\nbody\n'));
});

test('any message through Moat\'s header rewriting and later hops reads back as the original (property)', () => {
  const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .,!?-]{0,30}$/);
  fc.assert(
    fc.property(word, fc.array(word, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), fc.array(fc.constantFrom('Received: from localhost by mx', 'Delivered-To: bob@example.com', 'Return-Path: <a@b.c>', 'X-Original-To: bob@example.com'), { maxLength: 4 }), (subject, body, spam, crlf, hops) => {
      const eol = crlf ? '\r\n' : '\n';
      const message = Buffer.from(`Received: from a by b${eol}From: a@example.org${eol}Subject: ${subject.trim() || 'x'}${eol}Message-ID: <${subject.length}@example.org>${eol}${eol}${body.join(eol)}${eol}`);
      const delivered = Buffer.concat([Buffer.from(hops.map((h) => `${h}${eol}`).join('')), asMoatPassesIt(message, spam)]);
      assert.deepEqual(Buffer.from(asMoatSawIt(delivered, MARKS)), message);
    }),
    { numRuns: 300 },
  );
});
