import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseMail, getHeader } from './parse-mail.js';
import { decodeBase64, decodeQuotedPrintable, findUuencoded } from './transfer-decoding.js';
import { parseStructured, decodeEncodedWords } from './header-fields.js';

const MSG = [
  'From: =?UTF-8?B?SsO8cmdlbg==?= <j@example.com>',
  'Subject: =?iso-8859-1?Q?R=E9sum=E9?= and',
  ' more',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  'preamble',
  '--b1',
  'Content-Type: text/plain; charset=iso-8859-1',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'caf=E9 soft=',
  'break',
  '--b1',
  'Content-Type: application/octet-stream;',
  ' name*0*=utf-8\'\'na%C3%AFve;',
  ' name*1=".txt"',
  'Content-Transfer-Encoding: base64',
  '',
  'aGVs bG8g\nd29y!!bGQ',
  '--b1',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  '',
  'inner body',
  '--b1--',
  'epilogue',
].join('\r\n');

test('parses the part tree with decoding, RFC 2047 headers and RFC 2231 filenames', () => {
  const mail = parseMail(Buffer.from(MSG));
  assert.equal(getHeader(mail, 'subject'), 'Résumé and more');
  assert.equal(getHeader(mail, 'from'), 'Jürgen <j@example.com>');
  assert.deepEqual(mail.leaves.map((l) => l.path), ['1', '2', '3.1']);
  assert.equal(mail.leaves[0]!.text, 'café softbreak');
  assert.equal(mail.leaves[1]!.filename, 'naïve.txt');
  assert.equal(Buffer.from(mail.leaves[1]!.decoded!).toString(), 'hello world', 'base64 tolerant of junk and missing padding');
  assert.equal(Buffer.from(mail.leaves[2]!.decoded!).toString(), 'inner body');
  assert.deepEqual(mail.ambiguities, []);
  const part2 = mail.root.children[1]!;
  assert.equal(Buffer.from(MSG).subarray(part2.start, part2.end).toString().split('\r\n')[0], 'Content-Type: application/octet-stream;', 'exact offsets');
  // The scanner's reading (decodeText: false) keeps the bytes and skips the text.
  const bytesOnly = parseMail(Buffer.from(MSG), { decodeText: false });
  assert.equal(bytesOnly.leaves[0]!.text, undefined);
  assert.deepEqual(bytesOnly.leaves.map((l) => Buffer.from(l.decoded!)), mail.leaves.map((l) => Buffer.from(l.decoded!)));
});

test('duplicate Content-Type is an ambiguity and the two readings differ', () => {
  const msg = 'Content-Type: text/plain\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/zip; name=a.zip\n\nPK\n--x--\n';
  const first = parseMail(Buffer.from(msg), { reading: 'first' });
  const last = parseMail(Buffer.from(msg), { reading: 'last' });
  assert.equal(first.ambiguities[0]!.kind, 'duplicate_content_type');
  assert.equal(first.leaves.length, 1);
  assert.equal(last.leaves[0]!.filename, 'a.zip');
});

test('missing closing boundary and trailing-text boundary lines are flagged', () => {
  const m = parseMail(Buffer.from('Content-Type: multipart/mixed; boundary=q\n\n--q\n\none\n--q junk\n\ntwo\n'));
  const kinds = m.ambiguities.map((a) => a.kind).sort();
  assert.deepEqual(kinds, ['boundary_line_with_trailing_text', 'missing_closing_boundary']);
  assert.equal(parseMail(Buffer.from('Content-Type: multipart/mixed; boundary=q\n\n--q\n\none\n--q junk\n\ntwo\n'), { reading: 'last' }).leaves.length, 2);
});

test('decoders: quoted-printable, uuencode, structured values with comments', () => {
  assert.equal(Buffer.from(decodeQuotedPrintable(Buffer.from('a=3Db=\r\nc=ZZ'))).toString(), 'a=bc=ZZ');
  const uu = findUuencoded('text\nbegin 644 hi.txt\n%:&5L;&\\`\n`\nend\n', 4);
  assert.equal(uu[0]!.name, 'hi.txt');
  assert.equal(Buffer.from(uu[0]!.data).toString(), 'hello');
  assert.deepEqual(parseStructured('text/plain (comment; x=y); charset="utf-8"').params, { charset: 'utf-8' });
  assert.equal(decodeEncodedWords('=?utf-8?q?a?= =?utf-8?q?b?='), 'ab');
});

test('limits: part count and header size are reported, not thrown', () => {
  const many = `Content-Type: multipart/mixed; boundary=z\n\n${'--z\n\nx\n'.repeat(50)}--z--\n`;
  const m = parseMail(Buffer.from(many), { limits: { maxMimeParts: 10 } });
  assert.ok(m.limitsHit.includes('max_mime_parts'));
  assert.ok(m.leaves.length <= 10);
  const big = parseMail(Buffer.from(`X: ${'a'.repeat(5000)}\n\nbody`), { limits: { maxHeaderBytes: 1000 } });
  assert.ok(big.limitsHit.includes('max_header_bytes'));
});

test('property: arbitrary and mutated messages never throw and respect limits', () => {
  const base = Buffer.from(MSG);
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }).map((edits) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) b[at] = v;
      return b;
    })), fc.constantFrom<'first' | 'last'>('first', 'last'), (bytes, reading) => {
      const m = parseMail(bytes, { reading, limits: { maxMimeParts: 50, maxDepth: 5 } });
      assert.ok(m.leaves.length <= 50);
      for (const l of m.leaves) assert.ok(l.start <= l.end && l.bodyStart <= l.end);
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), (b) => {
      decodeBase64(b);
      decodeQuotedPrintable(b);
    }),
    { numRuns: 1000 },
  );
});

test('regression guard: deeply nested multiparts stop at max_depth quickly', () => {
  let msg = 'x\n';
  for (let i = 0; i < 300; i++) msg = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${msg}\n--b${i}--\n`;
  const started = performance.now();
  const m = parseMail(Buffer.from(msg), { limits: { maxDepth: 17 } });
  assert.ok(m.limitsHit.includes('max_depth'));
  assert.ok(performance.now() - started < 2000);
});

test('boundary tricks: duplicate boundary params, boundary in a comment, case-folded boundary', () => {
  const dup = 'Content-Type: multipart/mixed; boundary=aa; boundary=bb\n\n--aa\n\none\n--bb\n\ntwo\n--bb--\n--aa--\n';
  const f = parseMail(Buffer.from(dup));
  const l = parseMail(Buffer.from(dup), { reading: 'last' });
  assert.ok(f.ambiguities.some((a) => a.kind === 'duplicate_parameter'));
  assert.equal(f.root.contentTypeParams.boundary, 'aa');
  assert.equal(l.root.contentTypeParams.boundary, 'bb');
  assert.equal(Buffer.from(l.leaves[0]!.decoded!).toString(), 'two');

  const comment = 'Content-Type: multipart/mixed; (boundary=fake) boundary=real\n\n--fake\nContent-Type: application/x-msdownload; name=evil.exe\n\nMZ\n--fake--\n--real\n\nhello\n--real--\n';
  const c1 = parseMail(Buffer.from(comment));
  const c2 = parseMail(Buffer.from(comment), { reading: 'last' });
  assert.ok(c1.ambiguities.some((a) => a.kind === 'boundary_in_comment'));
  assert.deepEqual(c1.leaves.map((x) => x.filename), [undefined]);
  assert.deepEqual(c2.leaves.map((x) => x.filename), ['evil.exe']);

  const folded = 'Content-Type: multipart/mixed; boundary=AbC\n\n--AbC\n\nshown\n--abc\nContent-Type: text/plain; name=hidden.txt\n\nhidden\n--AbC--\n';
  const k1 = parseMail(Buffer.from(folded));
  const k2 = parseMail(Buffer.from(folded), { reading: 'last' });
  assert.ok(k1.ambiguities.some((a) => a.kind === 'boundary_case_mismatch'));
  assert.equal(k1.leaves.length, 1);
  assert.deepEqual(k2.leaves.map((x) => x.filename), [undefined, 'hidden.txt']);
});

test('header helpers: Subject, From, Message-ID decoded', async () => {
  const { getSubject, getFrom, getMessageId } = await import('./parse-mail.js');
  const m = parseMail(Buffer.from('Message-ID: <abc@x>\r\nFrom: =?utf-8?q?J=C3=BCrgen?= <j@x>\r\nSubject: =?utf-8?B?w6k=?=\r\n\r\n'));
  assert.equal(getSubject(m), 'é');
  assert.equal(getFrom(m), 'Jürgen <j@x>');
  assert.equal(getMessageId(m), 'abc@x');
  assert.equal(getMessageId(parseMail(Buffer.from('\r\nx'))), undefined);
});

test('ambiguity floods are capped', () => {
  const m = parseMail(Buffer.from(`Content-Type: multipart/mixed; boundary=q\n\n${'--q junk\n'.repeat(1000)}--q--\n`));
  assert.equal(m.ambiguities.length, 200);
  assert.ok(m.limitsHit.includes('max_ambiguities'));
});

test('an unknown transfer encoding is flagged; the lenient reading guesses it', () => {
  const msg = `Content-Type: application/octet-stream\nContent-Transfer-Encoding: base-64\n\n${Buffer.from('MZ payload').toString('base64')}\n`;
  const strict = parseMail(Buffer.from(msg));
  const lenient = parseMail(Buffer.from(msg), { reading: 'last' });
  assert.equal(strict.ambiguities[0]!.kind, 'unknown_transfer_encoding');
  assert.equal(Buffer.from(lenient.leaves[0]!.decoded!).toString(), 'MZ payload');
});

test('parts after the closing boundary: strict reading stops, lenient reading shows them', () => {
  const msg = 'Content-Type: multipart/mixed; boundary=z\n\n--z\n\nshown\n--z--\n--z\nContent-Type: application/x-msdownload; name=late.exe\n\nMZ\n--z--\n';
  const f = parseMail(Buffer.from(msg));
  const l = parseMail(Buffer.from(msg), { reading: 'last' });
  assert.deepEqual(f.ambiguities.map((a) => a.kind), ['parts_after_closing_boundary']);
  assert.deepEqual(f.leaves.map((x) => x.filename), [undefined]);
  assert.deepEqual(l.leaves.map((x) => x.filename), [undefined, 'late.exe']);
  assert.equal(Buffer.from(l.leaves[1]!.decoded!).toString(), 'MZ');
});

test('whitespace before the colon of a Content-* field is flagged and read both ways', () => {
  const msg = 'Content-Type : multipart/mixed; boundary=w\n\n--w\nContent-Type: text/plain; name=a.txt\n\nA\n--w--\n';
  const f = parseMail(Buffer.from(msg));
  const l = parseMail(Buffer.from(msg), { reading: 'last' });
  assert.ok(f.ambiguities.some((a) => a.kind === 'header_name_whitespace'));
  assert.deepEqual(f.leaves.map((x) => x.filename), ['a.txt']);
  assert.equal(l.leaves.length, 1);
  assert.equal(l.leaves[0]!.path, '');
});

test('bare CR line breaks are flagged; the lenient reading breaks lines there (offsets unchanged)', () => {
  const msg = 'Subject: hi\rContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/x-msdownload; name=e.exe\r\n\r\nMZ\r\n--b--\r\n';
  const f = parseMail(Buffer.from(msg));
  const l = parseMail(Buffer.from(msg), { reading: 'last' });
  assert.deepEqual(f.ambiguities.map((a) => a.kind), ['bare_cr_line_break']);
  assert.equal(f.root.contentType, 'text/plain');
  assert.equal(l.root.contentType, 'multipart/mixed');
  assert.deepEqual(l.leaves.map((x) => x.filename), ['e.exe']);
  assert.equal(Buffer.from(l.leaves[0]!.decoded!).toString(), 'MZ');
  assert.equal(l.root.end, msg.length);
  assert.deepEqual(parseMail(Buffer.from('Subject: x\r\n\r\nok\r\n')).ambiguities, []);
});

test('property: the native base64 fast path decodes exactly as the tolerant decoder does', () => {
  const junk = Buffer.from('!');
  const unit = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n \t'.split(''));
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 300 }), fc.uint8Array({ maxLength: 200 }), (s, bytes) => {
      for (const input of [Buffer.from(s, 'latin1'), Buffer.from(Buffer.from(bytes).toString('base64').replace(/(.{8})/g, '$1\r\n'))]) {
        // A leading junk byte forces the hand-written decoder, which skips it.
        assert.deepEqual(Buffer.from(decodeBase64(input)), Buffer.from(decodeBase64(Buffer.concat([junk, input]))));
        assert.deepEqual(Buffer.from(decodeBase64(input, true)), Buffer.from(decodeBase64(Buffer.concat([junk, input]), true)));
      }
      assert.deepEqual(Buffer.from(decodeBase64(Buffer.from(Buffer.from(bytes).toString('base64')))), Buffer.from(bytes));
    }),
    { numRuns: 2000 },
  );
});
