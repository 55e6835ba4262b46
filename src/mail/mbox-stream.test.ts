import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMboxSeparator, looksLikeMbox, readMboxMessages, type MboxMessage } from './mbox-stream.js';

const SEP = 'From alice@example.org Mon Jan  1 10:00:00 2024';

/** The input in pieces of the given sizes (the reader must not care where chunks end). */
function* chunked(data: Buffer, sizes: number[]): Generator<Buffer> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes.length ? sizes[i % sizes.length]! : data.length);
    yield data.subarray(at, at + n);
    at += n;
  }
}

async function read(text: string | Buffer, sizes: number[] = [], maxMessageBytes = 1 << 20): Promise<MboxMessage[]> {
  const out: MboxMessage[] = [];
  const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for await (const m of readMboxMessages((async function* () { yield* chunked(data, sizes); })(), { maxMessageBytes })) out.push(m);
  return out;
}
const texts = (ms: MboxMessage[]) => ms.map((m) => ('data' in m ? m.data.toString('latin1') : `<too big: ${m.bytes}>`));

test('separators need a sender and a date; body lines that start with "From " do not split', () => {
  for (const line of [SEP, 'From - Sat Jan  3 01:05:34 1996', 'From MAILER-DAEMON Fri Jul  8 12:08:34 2011', 'From x@y Mon Jan  1 00:00:00 +0000 2002', 'From x@y Tue Feb 14 09:30 EST 2023', 'From x@y Sat, 21 Nov 2026 10:00:00 +0000'])
    assert.ok(isMboxSeparator(line), line);
  for (const line of ['From Alice Smith, see you at 10:30 in room 4.', 'From here on, things change.', 'From: alice@example.org', 'From x@y yesterday 10:00', `From x@y Mon Jan  1 10:00:00 2024${' '.repeat(1000)}`])
    assert.ok(!isMboxSeparator(line), line);
  assert.ok(looksLikeMbox(Buffer.from(`\xef\xbb\xbf\n\n${SEP}\nSubject: a\n`, 'latin1')));
  assert.ok(!looksLikeMbox(Buffer.from('Subject: a\n\nFrom me Mon Jan  1 10:00:00 2024\n')));
});

test('messages come out as they were written: the empty line before a separator is the mbox\'s, >From is unquoted once', async () => {
  const mbox = `${SEP}\nSubject: one\n\nbody\n>From here\n>>From there\n\n${SEP}\r\nSubject: two\r\n\r\nFrom Alice Smith, see you at 10:30\r\nbye\r\n\r\n${SEP}\nSubject: three, no empty line before the next\n${SEP}\nSubject: four\n\nno final newline`;
  const want = ['Subject: one\n\nbody\nFrom here\n>From there\n', 'Subject: two\r\n\r\nFrom Alice Smith, see you at 10:30\r\nbye\r\n', 'Subject: three, no empty line before the next\n', 'Subject: four\n\nno final newline'];
  assert.deepEqual(texts(await read(mbox)), want);
  assert.deepEqual(texts(await read(`\xef\xbb\xbf\n\r\n${mbox}`)), want, 'a byte order mark and empty lines first are skipped');
  assert.deepEqual(texts(await read(mbox, [1, 2, 3, 7])), want, 'chunk boundaries anywhere');
  assert.deepEqual((await read(mbox)).map((m) => m.index), [1, 2, 3, 4]);
});

test('a message over the limit is reported with its size and not kept; the next is read; long lines are never separators', async () => {
  const big = 'x'.repeat(5000);
  const mbox = `${SEP}\nSubject: big\n\n${big}\n\n${SEP}\nSubject: small\n\nok\n`;
  assert.deepEqual(texts(await read(mbox, [100], 1000)), ['<too big: 5016>', 'Subject: small\n\nok\n']);
  const longLine = `${SEP}\nSubject: a\n\n${'y'.repeat(3000)}${SEP}\nmore\n`;
  assert.deepEqual(texts(await read(longLine, [700])), [`Subject: a\n\n${'y'.repeat(3000)}${SEP}\nmore\n`], 'a separator glued to a long line is body text');
});

test('property: any messages written as an mboxrd writer does read back byte for byte, however the stream is chunked', async () => {
  const line = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'F', 'r', 'o', 'm', ' ', '>', ':', '\r', '1', '0', 'M', 'J'), maxLength: 40 }),
    fc.constantFrom('From me', SEP, `>${SEP}`, '>>From x', '', 'Subject: x', 'From Alice, at 10:30'),
  );
  const message = fc.array(line, { minLength: 1, maxLength: 12 }).map((ls) => ls.map((l) => `${l.replace(/\r/g, '')}\n`).join(''));
  await fc.assert(
    fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 5 }), async (messages, sizes) => {
      // An mboxrd writer: separator, the message with every /^>*From / line quoted once more, an empty line.
      const mbox = messages.map((m) => `${SEP}\n${m.replace(/^(>*From )/gm, '>$1')}\n`).join('');
      assert.deepEqual(texts(await read(mbox, sizes)), messages);
    }),
    { numRuns: 400 },
  );
});

test('fuzz: arbitrary bytes never throw, and what comes out is never more than went in', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 4 }), async (bytes, sizes) => {
      const data = Buffer.concat([Buffer.from(`${SEP}\n`), Buffer.from(bytes)]);
      const out = await read(data, sizes, 2000);
      const total = out.reduce((n, m) => n + ('data' in m ? m.data.length : 0), 0);
      assert.ok(total <= data.length);
    }),
    { numRuns: 300 },
  );
});
