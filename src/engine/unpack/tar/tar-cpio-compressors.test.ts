import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarUnpacker } from './tar-unpacker.js';
import { cpioUnpacker } from '../cpio/cpio-unpacker.js';
import { gzipUnpacker } from '../gzip/gzip-unpacker.js';
import { bzip2Unpacker } from '../bzip2/bzip2-unpacker.js';
import { xzUnpacker } from '../xz/xz-unpacker.js';
import type { Unpacker } from '../unpacker.js';
import { archiveFixtures } from '../../../../test/fixtures/containers/archive-fixtures.js';
import { EICAR_BYTES, collect, hasEicar, testContext } from '../../../../test/fixtures/containers/test-context.js';

const dir = archiveFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

const cases: Array<[string, Unpacker]> = [
  ['eicar.com.gz', gzipUnpacker], ['named.gz', gzipUnpacker], ['multi.gz', gzipUnpacker],
  ['eicar.com.bz2', bzip2Unpacker], ['multi.bz2', bzip2Unpacker], ['eicar.com.xz', xzUnpacker],
  ['ustar.tar', tarUnpacker], ['gnu.tar', tarUnpacker], ['pax.tar', tarUnpacker], ['v7.tar', tarUnpacker],
  ['odc.cpio', cpioUnpacker], ['newc.cpio', cpioUnpacker], ['crc.cpio', cpioUnpacker], ['bin.cpio', cpioUnpacker],
];

for (const [name, unpacker] of cases) {
  test(`${unpacker.name}: ${name} yields EICAR intact`, async () => {
    const objs = await collect(unpacker, fx(name));
    assert.ok(hasEicar(objs), JSON.stringify(objs.map((o) => [o.name, o.state, o.data?.length, o.notes])));
    assert.ok(objs.every((o) => o.state === undefined));
  });
}

test('gzip: the header name is the member name', async () => {
  const [o] = await collect(gzipUnpacker, fx('named.gz'));
  assert.equal(o!.name, 'eicar.com');
});

test('tar: GNU and pax long names are recovered', async () => {
  for (const f of ['gnu.tar', 'pax.tar']) {
    const objs = await collect(tarUnpacker, fx(f));
    const e = objs.find((o) => o.name?.endsWith('/eicar-with-a-long-name.com'));
    assert.ok(e && e.name!.length > 100, JSON.stringify(objs.map((o) => o.name)));
    assert.deepEqual(Buffer.from(e.data!), Buffer.from(EICAR_BYTES));
  }
});

test('tar: exact member sizes, no padding leaks in', async () => {
  const objs = await collect(tarUnpacker, fx('ustar.tar'));
  assert.deepEqual(objs.map((o) => o.data!.length), [readFileSync(join(dir, 'readme.txt')).length, EICAR_BYTES.length]);
});

test('cpio: big-endian binary cpio (header words byte-swapped) yields EICAR', async () => {
  const le = Buffer.from(fx('bin.cpio'));
  // Swap every 16-bit word of each 26-byte header; names and data stay as they are.
  const be = Buffer.from(le);
  let p = 0;
  while (p + 26 <= le.length && le[p] === 0xc7 && le[p + 1] === 0x71) {
    for (let i = 0; i < 26; i += 2) [be[p + i], be[p + i + 1]] = [le[p + i + 1]!, le[p + i]!];
    const nameSize = le.readUInt16LE(p + 20);
    const fileSize = le.readUInt16LE(p + 22) * 65536 + le.readUInt16LE(p + 24);
    p += 26 + nameSize + (nameSize % 2) + fileSize + (fileSize % 2);
  }
  const objs = await collect(cpioUnpacker, be);
  assert.ok(hasEicar(objs));
});

test('truncated tar/cpio/gzip/bzip2/xz keep readable content and never throw', async () => {
  for (const [name, unpacker] of cases) {
    const b = fx(name);
    for (const frac of [0, 0.1, 0.5, 0.9, 0.99]) {
      const objs = await collect(unpacker, b.subarray(0, Math.floor(b.length * frac)));
      for (const o of objs) assert.ok(o.data !== undefined || o.state !== undefined, `${name} at ${frac}`);
    }
  }
});

test('gzip/bzip2/xz bombs stop at the cap with too_big', async () => {
  const zeros = Buffer.alloc(40 * 1024 * 1024);
  const gz = gzipSync(zeros);
  const [g] = await collect(gzipUnpacker, gz, testContext());
  assert.equal(g!.state, 'too_big');
  assert.ok(g!.heuristics?.includes('Heuristics.Moat.ArchiveBomb'));
  const [x] = await collect(xzUnpacker, fx('ustar.tar.xz'), testContext({ maxObjectBytes: 1000 }));
  assert.equal(x!.state, 'too_big');
  const [z] = await collect(bzip2Unpacker, fx('multi.bz2'), testContext({ maxObjectBytes: 1000 }));
  assert.equal(z!.state, 'too_big');
});

test('tar.gz and tar.xz open in two steps', async () => {
  for (const [f, u] of [['ustar.tar.gz', gzipUnpacker], ['ustar.tar.xz', xzUnpacker]] as const) {
    const [inner] = await collect(u, fx(f));
    assert.ok(hasEicar(await collect(tarUnpacker, inner!.data!)));
  }
});
