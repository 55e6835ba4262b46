import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tarUnpacker } from './tar-unpacker.js';
import { cpioUnpacker } from '../cpio/cpio-unpacker.js';
import { gzipUnpacker } from '../gzip/gzip-unpacker.js';
import { bzip2Unpacker } from '../bzip2/bzip2-unpacker.js';
import { xzUnpacker } from '../xz/xz-unpacker.js';
import type { Unpacker } from '../unpacker.js';
import { archiveFixtures } from '../../../../test/fixtures/containers/archive-fixtures.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';

const dir = archiveFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

const targets: Array<[string, Unpacker, string[], number, number[]]> = [
  ['tar', tarUnpacker, ['ustar.tar', 'gnu.tar', 'pax.tar', 'v7.tar'], 1500, []],
  ['cpio', cpioUnpacker, ['odc.cpio', 'newc.cpio', 'crc.cpio', 'bin.cpio'], 1500, [0x30, 0x37, 0x30, 0x37, 0x30]],
  ['gzip', gzipUnpacker, ['eicar.com.gz', 'named.gz', 'multi.gz', 'ustar.tar.gz'], 1500, [0x1f, 0x8b, 0x08]],
  ['bzip2', bzip2Unpacker, ['eicar.com.bz2', 'multi.bz2'], 1000, [0x42, 0x5a, 0x68, 0x39]],
  ['xz', xzUnpacker, ['eicar.com.xz', 'ustar.tar.xz'], 600, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

for (const [format, unpacker, seeds, runs, prefix] of targets) {
  test(`fuzz: ${format} never throws, hangs or exceeds caps`, async (t) => {
    const report = await fuzzUnpacker(format, unpacker, seeds.map(fx), runs, prefix.length > 0 ? Uint8Array.from(prefix) : undefined);
    t.diagnostic(`fuzz executions ${format}: ${report.executions}`);
  });
}
