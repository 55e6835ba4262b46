import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { szddUnpacker } from './szdd-unpacker.js';
import { szddFixtures } from '../../../../test/fixtures/containers/sevenzip-fixtures.js';
import { EICAR_BYTES, collect, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';

const dir = szddFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

test('szdd: mscompress output expands byte for byte (EICAR alone and inside text)', async () => {
  const [e] = await collect(szddUnpacker, fx('eicar.com_'));
  assert.deepEqual(Buffer.from(e!.data!), Buffer.from(EICAR_BYTES));
  const [m] = await collect(szddUnpacker, fx('mix.txt_'));
  assert.deepEqual(Buffer.from(m!.data!), readFileSync(join(dir, 'mix.txt')));
});

test('szdd: truncated gives partial content, the cap gives too_big', async () => {
  const b = fx('mix.txt_');
  const [t] = await collect(szddUnpacker, b.subarray(0, Math.floor(b.length / 2)));
  assert.ok(t!.notes?.[0]?.includes('truncated'));
  const [c] = await collect(szddUnpacker, b, testContext({ maxObjectBytes: 100 }));
  assert.equal(c!.state, 'too_big');
});

test('fuzz: szdd never throws, hangs or exceeds caps', async (t) => {
  const r = await fuzzUnpacker('szdd', szddUnpacker, [fx('eicar.com_'), fx('mix.txt_')], 1500, Uint8Array.from([0x53, 0x5a, 0x44, 0x44, 0x88, 0xf0, 0x27, 0x33, 0x41]));
  t.diagnostic(`fuzz executions szdd: ${r.executions}`);
});
