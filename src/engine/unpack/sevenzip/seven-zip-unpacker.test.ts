import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sevenZipArchiveUnpacker, cabUnpacker, arjUnpacker, rarUnpacker } from './seven-zip-formats.js';
import { parseSlt } from './seven-zip-listing.js';
import { sevenZipFixtures } from '../../../../test/fixtures/containers/sevenzip-fixtures.js';
import { EICAR_BYTES, collect, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';
import type { Unpacker } from '../unpacker.js';
import { rar4Stored, rar5Stored } from '../../../../test/fixtures/containers/rar-writer.js';

const dir = sevenZipFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
const readme = readFileSync(join(dir, 'readme.txt'));

for (const [file, unpacker] of [['plain.7z', sevenZipArchiveUnpacker], ['stored.cab', cabUnpacker], ['mszip.cab', cabUnpacker], ['eicar.arj', arjUnpacker]] as Array<[string, Unpacker]>) {
  test(`${unpacker.name}: ${file} yields EICAR and the text member intact`, async () => {
    const objs = await collect(unpacker, fx(file));
    const byName = new Map(objs.map((o) => [o.name?.toLowerCase(), o]));
    assert.deepEqual(Buffer.from(byName.get('eicar.com')?.data ?? []), Buffer.from(EICAR_BYTES), JSON.stringify(objs.map((o) => [o.name, o.state, o.notes])));
    assert.deepEqual(Buffer.from(byName.get('readme.txt')!.data!), readme);
  });
}

test('7z: encrypted members and encrypted headers give state encrypted + Heuristics.Encrypted.7Zip', async () => {
  for (const f of ['members-encrypted.7z', 'headers-encrypted.7z']) {
    const objs = await collect(sevenZipArchiveUnpacker, fx(f));
    assert.equal(objs.length, 1, JSON.stringify(objs));
    assert.equal(objs[0]!.state, 'encrypted');
    assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.7Zip']);
  }
});

test('7z: member- and header-encrypted archives open with a candidate password', async () => {
  for (const f of ['members-encrypted.7z', 'headers-encrypted.7z']) {
    const objs = await collect(sevenZipArchiveUnpacker, fx(f), { ...testContext(), passwords: ['wrong', 'secret'] });
    const e = objs.find((o) => o.name === 'eicar.com');
    assert.deepEqual(Buffer.from(e?.data ?? []), Buffer.from(EICAR_BYTES), `${f}: ${JSON.stringify(objs)}`);
    assert.deepEqual(e!.heuristics, ['Heuristics.Encrypted.7Zip']);
  }
  const wrong = await collect(sevenZipArchiveUnpacker, fx('members-encrypted.7z'), { ...testContext(), passwords: ['nope'] });
  assert.equal(wrong[0]!.state, 'encrypted');
});

test('7z: a member above the cap is refused from its declared size, others still come out', async () => {
  const objs = await collect(sevenZipArchiveUnpacker, fx('plain.7z'), testContext({ maxObjectBytes: 1000 }));
  assert.equal(objs.find((o) => o.name === 'readme.txt')!.state, 'too_big');
  assert.ok(objs.find((o) => o.name === 'eicar.com')!.data);
});

test('7z: the file given as RAR is corrupted, not reinterpreted', async () => {
  const objs = await collect(rarUnpacker, fx('plain.7z'));
  assert.equal(objs[0]!.state, 'corrupted');
});

test('rar: RAR 4 and RAR 5 archives (stored, written by our test writer) yield EICAR', async () => {
  for (const rar of [rar4Stored([{ name: 'eicar.com', data: EICAR_BYTES }, { name: 'b.txt', data: Buffer.from('second') }]), rar5Stored([{ name: 'eicar.com', data: EICAR_BYTES }])]) {
    const objs = await collect(rarUnpacker, rar);
    assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'eicar.com')!.data!), Buffer.from(EICAR_BYTES));
  }
});

test('rar: encrypted members give state encrypted + Heuristics.Encrypted.RAR', async () => {
  const objs = await collect(rarUnpacker, rar4Stored([{ name: 'e.com', data: EICAR_BYTES, encrypted: true }]));
  assert.equal(objs[0]!.state, 'encrypted');
  assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.RAR']);
});

test('7z: truncated archives give states, never throw', async () => {
  const b = fx('plain.7z');
  for (const frac of [0, 0.3, 0.6, 0.9]) {
    const objs = await collect(sevenZipArchiveUnpacker, b.subarray(0, Math.floor(b.length * frac)));
    assert.ok(objs.length >= 1);
    for (const o of objs) assert.ok(o.data !== undefined || o.state !== undefined);
  }
});

test('7z regression: campaign seed 777 case 1845 (slow only under load) ends quickly with a state', async () => {
  const b = Uint8Array.from([55, 52, 188, 175, 39, 28, 0, 18, 199, 243, 67, 106, 192, 0, 0, 0, 0, 0, 0, 0, 244, 0]);
  const t0 = performance.now();
  const objs = await collect(sevenZipArchiveUnpacker, b);
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(objs[0]!.state, 'corrupted');
});

test('7-Zip listing parser', () => {
  const r = parseSlt(['Path = /a', 'Type = 7z', '----------', 'Path = x', 'Size = 5', 'Encrypted = -', '', 'Path = d', 'Folder = +', 'Size = ', '']);
  assert.equal(r.type, '7z');
  assert.deepEqual(r.entries.map((e) => [e.path, e.size, e.folder]), [['x', 5, false], ['d', undefined, true]]);
});

test('fuzz: 7z, cab and arj through 7-Zip never throw, hang or exceed caps', async (t) => {
  for (const [format, u, seeds, prefix] of [
    ['7z', sevenZipArchiveUnpacker, ['plain.7z', 'members-encrypted.7z'], [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
    ['cab', cabUnpacker, ['stored.cab', 'mszip.cab'], [0x4d, 0x53, 0x43, 0x46]],
    ['arj', arjUnpacker, ['eicar.arj'], [0x60, 0xea]],
  ] as Array<[string, Unpacker, string[], number[]]>) {
    const r = await fuzzUnpacker(format, u, seeds.map(fx), 120, Uint8Array.from(prefix));
    t.diagnostic(`fuzz executions ${format}: ${r.executions}`);
  }
  const rarSeeds = [rar4Stored([{ name: 'eicar.com', data: EICAR_BYTES }]), rar5Stored([{ name: 'eicar.com', data: EICAR_BYTES }])];
  const r = await fuzzUnpacker('rar', rarUnpacker, rarSeeds, 120, Uint8Array.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]));
  t.diagnostic(`fuzz executions rar: ${r.executions}`);
});
