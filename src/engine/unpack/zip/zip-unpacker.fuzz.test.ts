import { test } from 'node:test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { zipUnpacker } from './zip-unpacker.js';
import { zipFixtures } from '../../../../test/fixtures/containers/zip-fixtures.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';
import { quotedOverlapBomb } from '../../../../test/fixtures/containers/zip-writer.js';

test('fuzz: zip never throws, hangs or exceeds caps on random and mutated archives', async (t) => {
  const dir = zipFixtures();
  const seeds = readdirSync(dir).filter((f) => f.endsWith('.zip')).map((f) => new Uint8Array(readFileSync(join(dir, f))));
  seeds.push(new Uint8Array(quotedOverlapBomb(64 * 1024, 20)));
  const report = await fuzzUnpacker('zip', zipUnpacker, seeds, 1500, Uint8Array.from([0x50, 0x4b, 0x03, 0x04]));
  t.diagnostic(`fuzz executions zip: ${report.executions}`);
});
