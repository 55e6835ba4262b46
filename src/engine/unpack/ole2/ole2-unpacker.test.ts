import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ole2Unpacker } from './ole2-unpacker.js';
import { decompressOvba } from './ovba-decompress.js';
import { parseVbaDir } from './vba-project.js';
import { zipUnpacker } from '../zip/zip-unpacker.js';
import { ole2Fixtures, VBA_SOURCE, vbaDirStream } from '../../../../test/fixtures/containers/ole2-fixtures.js';
import { compressOvba } from '../../../../test/fixtures/containers/ovba-compress.js';
import { collect, hasEicar, testContext, EICAR_BYTES, containsBytes } from '../../../../test/fixtures/containers/test-context.js';
import { writeZip } from '../../../../test/fixtures/containers/zip-writer.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';

const dir = ole2Fixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

test('ovba: the MS-OVBA §3.2 example decompresses', () => {
  const compressed = Buffer.from(
    '012fb000236161616263646582660070616768696a01380861' + '6b6c00306d6e6f70067102700410727374757610777879' + '7a00' + '3c',
    'hex',
  );
  const out = decompressOvba(compressed, 1000);
  assert.equal(Buffer.from(out.data).toString('latin1'), '#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa');
});

test('ovba: round trip through the fixture compressor (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 9000 }).chain((b) => fc.constant(b)), fc.string({ maxLength: 300 }), (bytes, text) => {
      for (const input of [bytes, Buffer.from(text.repeat(5), 'utf8')]) {
        const out = decompressOvba(compressOvba(input), 1 << 20);
        assert.deepEqual(Buffer.from(out.data), Buffer.from(input));
        assert.equal(out.damaged, false);
      }
    }),
    { numRuns: 150 },
  );
});

test('ovba: output cap and garbage never throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      const out = decompressOvba(Uint8Array.from([1, ...b]), 5000);
      assert.ok(out.data.length <= 5000);
    }),
    { numRuns: 1000 },
  );
});

test('vba dir: module names, stream names and offsets (with the PROJECTVERSION quirk)', () => {
  assert.deepEqual(parseVbaDir(vbaDirStream(['Module1', 'ThisDocument'])), [
    { name: 'Module1', streamName: 'Module1', textOffset: 0 },
    { name: 'ThisDocument', streamName: 'ThisDocument', textOffset: 0 },
  ]);
});

test('ole2: streams from the mini stream and from regular sectors come out intact', async () => {
  const objs = await collect(ole2Unpacker, fx('plain.ole'));
  assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'small')!.data!), Buffer.from(EICAR_BYTES));
  const big = objs.find((o) => o.name === 'big')!;
  assert.equal(big.data!.length, 9000);
  assert.ok(containsBytes(big.data, EICAR_BYTES));
  assert.ok(!objs.some((o) => o.heuristics?.length));
});

test('ole2: VBA macros are decompressed to source and flagged', async () => {
  const objs = await collect(ole2Unpacker, fx('macros.ole'));
  const src = objs.find((o) => o.name === 'Macros/VBA/Module1 (VBA source)');
  assert.equal(Buffer.from(src!.data!).toString('latin1'), VBA_SOURCE);
  assert.ok(src!.heuristics?.includes('Heuristics.OLE2.ContainsMacros'));
  assert.ok(objs.some((o) => o.name === '(container)' && o.heuristics?.includes('Heuristics.OLE2.ContainsMacros')));
  assert.ok(hasEicar(objs));
});

test('ole2: with office_macros off the source is still scanned, without the detection', async () => {
  const objs = await collect(ole2Unpacker, fx('macros.ole'), testContext({}, new Set()));
  assert.ok(hasEicar(objs));
  assert.ok(!objs.some((o) => o.heuristics?.length));
});

test('ole2: encrypted Office document gives state encrypted', async () => {
  const objs = await collect(ole2Unpacker, fx('encrypted.ole'));
  assert.equal(objs[0]!.state, 'encrypted');
  assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.Office']);
});

test('ole2: Excel 4.0 macro sheets are flagged; FILEPASS means encrypted', async () => {
  const xlm = await collect(ole2Unpacker, fx('xlm.ole'));
  const flag = xlm.find((o) => o.name === '(container)')!;
  assert.deepEqual(flag.heuristics, ['Heuristics.OLE2.ContainsMacros']);
  assert.deepEqual(flag.notes, ['1 Excel 4.0 macro sheet(s)']);
  const enc = await collect(ole2Unpacker, fx('xls-encrypted.ole'));
  assert.equal(enc[0]!.state, 'encrypted');
  assert.deepEqual(enc[0]!.heuristics, ['Heuristics.Encrypted.Office']);
});

test('ole2: OLE1 package (Ole10Native) yields the embedded file by its name', async () => {
  const objs = await collect(ole2Unpacker, fx('package.ole'));
  assert.equal(objs[0]!.name, '\u0001Ole10Native/dropper.exe');
  assert.deepEqual(Buffer.from(objs[0]!.data!), Buffer.from(EICAR_BYTES));
});

test('ooxml: vbaProject.bin inside a docx is flagged by zip and opened by ole2', async () => {
  const docx = writeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'word/vbaProject.bin', data: fx('macros.ole') },
  ]);
  const members = await collect(zipUnpacker, docx);
  const vba = members.find((o) => o.name === 'word/vbaProject.bin')!;
  assert.ok(vba.heuristics?.includes('Heuristics.OLE2.ContainsMacros'));
  assert.ok(hasEicar(await collect(ole2Unpacker, vba.data!)));
});

test('ole2: truncations and a too-small stream cap give states, never throws', async () => {
  const b = fx('macros.ole');
  for (let len = 0; len <= b.length; len += 97) await collect(ole2Unpacker, b.subarray(0, len));
  const objs = await collect(ole2Unpacker, fx('plain.ole'), testContext({ maxObjectBytes: 100 }));
  assert.equal(objs.find((o) => o.name === 'big')!.state, 'too_big');
});

test('fuzz: ole2 never throws, hangs or exceeds caps', async (t) => {
  const seeds = ['plain.ole', 'macros.ole', 'encrypted.ole', 'package.ole', 'xlm.ole', 'xls-encrypted.ole'].map(fx);
  const r = await fuzzUnpacker('ole2', ole2Unpacker, seeds, 1500, Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
  t.diagnostic(`fuzz executions ole2: ${r.executions}`);
});
