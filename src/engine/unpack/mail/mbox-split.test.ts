import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitMbox } from './mbox-split.js';

test('mbox: splits on dated From lines after a blank line, unquotes >From', () => {
  const mbox = 'From a@x Sat Nov 21 10:00:00 2026\nSubject: one\n\nFrom here on, text.\n>From quoted\n\nFrom b@x Sat Nov 21 10:01:00 2026\nSubject: two\n\nbody\n';
  const parts = splitMbox(Buffer.from(mbox))!.map((m) => Buffer.from(m).toString());
  assert.deepEqual(parts, ['Subject: one\n\nFrom here on, text.\nFrom quoted\n\n', 'Subject: two\n\nbody\n']);
  assert.equal(splitMbox(Buffer.from('Subject: x\n\nbody')), undefined);
});

test('fuzz: the mail unpacker never throws, hangs or exceeds caps on mutated messages and mboxes', async (t) => {
  const { mailUnpacker } = await import('./mail-unpacker.js');
  const { fuzzUnpacker } = await import('../../../../test/fixtures/containers/fuzz-unpacker.js');
  const msg = 'From: a@x\r\nContent-Type: multipart/mixed; boundary=b; boundary=c\r\nContent-Type: text/plain\r\n\r\n--b\r\nContent-Type: application/octet-stream; name*0*=utf-8\'\'a%C3%AF; name*1=.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAE\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nbegin 644 x\r\n%:&5L;&\\`\r\n`\r\nend\r\n=ybegin size=3 name=y\r\nabc\r\n=yend\r\n--b--\r\n';
  const mbox = `From a@x Sat Nov 21 10:00:00 2026\n${msg}\nFrom b@x Sat Nov 21 10:01:00 2026\n${msg}`;
  const r = await fuzzUnpacker('mail', mailUnpacker, [Buffer.from(msg), Buffer.from(mbox)], 600);
  t.diagnostic(`fuzz executions mail: ${r.executions}`);
});
