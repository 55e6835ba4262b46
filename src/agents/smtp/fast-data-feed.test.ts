import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { fastFeedDataStream, type DataStreamInternals } from './fast-data-feed.js';

interface Run {
  data: string;
  /** Commands seen after the end of DATA (what a smuggler would want to inject). */
  after: string[];
}

/** Sends `wire` (DATA content as the client wrote it) in the given chunk sizes through an SMTPStream in data mode. */
async function feed(wire: Buffer, cuts: number[], fast: boolean, terminated: boolean): Promise<Run> {
  const parser = new SMTPStream() as unknown as SMTPStream & DataStreamInternals & { oncommand: (c: Buffer, cb: () => void) => void };
  if (fast) parser._feedDataStream = fastFeedDataStream;
  const after: string[] = [];
  parser.oncommand = (command: Buffer, callback: () => void) => {
    after.push(command.toString('latin1'));
    callback();
  };
  const stream = parser.startDataMode();
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve());
  });
  let at = 0;
  for (const cut of cuts) {
    if (at >= wire.length) break;
    parser.write(wire.subarray(at, at + cut));
    at += cut;
  }
  if (at < wire.length) parser.write(wire.subarray(at));
  // Unfinished data never ends: then settle after the writes instead.
  await (terminated ? ended : new Promise((r) => setTimeout(r, 20)));
  parser.continue();
  await new Promise((r) => setTimeout(r, terminated ? 20 : 5));
  return { data: Buffer.concat(chunks).toString('latin1'), after };
}

const piece = fc.constantFrom('\r\n', '\n', '\r', '.', '..', '.\r\n', '\r\n.\r\n', '\r\n..\r\n', 'RSET\r\n', 'a', 'xyz ', '\x00');

test('the indexOf DATA scanner gives exactly what smtp-server\'s own gives, for any content and chunking', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 40 }), fc.boolean(), fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 30 }), async (parts, terminate, cuts) => {
      const wire = Buffer.from(parts.join('') + (terminate ? '\r\n.\r\nQUIT\r\n' : ''), 'latin1');
      const [original, fast] = await Promise.all([feed(wire, cuts, false, terminate), feed(wire, cuts, true, terminate)]);
      assert.deepEqual(fast, original);
    }),
    { numRuns: 400 },
  );
});

test('a large message with escaped dots and the terminator split across chunks', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => (i % 97 === 0 ? `..dot line ${i}` : `line ${i} ${'x'.repeat(60)}`));
  const wire = Buffer.from(`${lines.join('\r\n')}\r\n.\r\nQUIT\r\n`, 'latin1');
  const cuts = Array.from({ length: 400 }, (_, i) => 997 + (i % 13));
  const [original, fast] = await Promise.all([feed(wire, cuts, false, true), feed(wire, cuts, true, true)]);
  assert.equal(fast.data, original.data);
  assert.ok(fast.data.includes('\r\n.dot line 97\r\n'));
  assert.deepEqual(fast.after, ['QUIT']);
});
