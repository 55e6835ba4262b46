import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boundedLines, type BoundedLine } from './bounded-lines.js';

async function collect(chunks: Array<Buffer | string>, max: number): Promise<BoundedLine[]> {
  const out: BoundedLine[] = [];
  for await (const l of boundedLines((async function* () {
    yield* chunks;
  })(), max)) out.push(l);
  return out;
}

test('bounded lines: any text cut into any chunks gives its lines (LF or CRLF; a final line break ends the last line) (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.stringMatching(/^[a-zé€ \t{}":,]{0,20}$/), { maxLength: 12 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }), async (lines, crlf, cuts) => {
      const text = lines.join(crlf ? '\r\n' : '\n');
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      let at = 0;
      for (const c of cuts) {
        if (at >= bytes.length) break;
        chunks.push(bytes.subarray(at, at + c));
        at += c;
      }
      if (at < bytes.length) chunks.push(bytes.subarray(at));
      const got = await collect(chunks, 1000);
      // A final line break ends the last line; it does not start an empty one.
      const expected = text === '' ? [] : text.split(crlf ? '\r\n' : '\n');
      if (text.endsWith('\n')) expected.pop();
      assert.deepEqual(got, expected.map((line, i) => ({ lineNo: i + 1, line })));
    }),
    { numRuns: 400 },
  );
});

test('bounded lines: a line over the limit is reported and skipped, the next ones are read; memory stays at the limit', async () => {
  const huge = 'x'.repeat(10_000);
  const got = await collect(['ok\n', huge.slice(0, 4000), huge.slice(4000), '\nafter\n', huge], 100);
  assert.deepEqual(got, [{ lineNo: 1, line: 'ok' }, { lineNo: 2, tooLong: true }, { lineNo: 3, line: 'after' }, { lineNo: 4, tooLong: true }]);
});
