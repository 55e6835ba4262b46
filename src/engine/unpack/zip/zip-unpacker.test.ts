import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { zipUnpacker } from './zip-unpacker.js';
import { zipFixtures } from '../../../../test/fixtures/containers/zip-fixtures.js';
import { EICAR_BYTES, collect, containsBytes, hasEicar, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { overlapBomb, quotedOverlapBomb, writeZip, localHeader } from '../../../../test/fixtures/containers/zip-writer.js';

const dir = zipFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

for (const name of ['stored.zip', 'deflate.zip', 'zip64.zip', 'streamed.zip', 'deflate64.zip', 'bzip2.zip']) {
  test(`zip: ${name} yields EICAR intact`, async () => {
    const objs = await collect(zipUnpacker, fx(name));
    const eicar = objs.find((o) => containsBytes(o.data, EICAR_BYTES));
    assert.ok(eicar, `EICAR not found in ${JSON.stringify(objs.map((o) => [o.name, o.state, o.notes]))}`);
    assert.equal(eicar.state, undefined);
    assert.ok(!eicar.notes?.includes('CRC mismatch'));
  });
}

test('zip: deflate64 and bzip2 members decode to the original text', async () => {
  const text = readFileSync(join(dir, 'readme.txt'));
  for (const name of ['deflate64.zip', 'bzip2.zip']) {
    const objs = await collect(zipUnpacker, fx(name));
    const readme = objs.find((o) => o.name === 'readme.txt');
    assert.ok(readme?.data);
    assert.deepEqual(Buffer.from(readme.data), text);
  }
});

test('zip: nested zip member is yielded whole and opens again', async () => {
  const outer = await collect(zipUnpacker, fx('nested.zip'));
  assert.equal(outer.length, 1);
  assert.equal(outer[0]!.name, 'deflate.zip');
  assert.ok(hasEicar(await collect(zipUnpacker, outer[0]!.data!)));
});

test('zip: traditional and AES encryption give state encrypted + Heuristics.Encrypted.Zip', async () => {
  for (const name of ['encrypted.zip', 'aes.zip']) {
    const objs = await collect(zipUnpacker, fx(name));
    assert.equal(objs.length, 1);
    assert.equal(objs[0]!.state, 'encrypted');
    assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.Zip']);
    assert.equal(objs[0]!.data, undefined);
  }
});

test('zip: traditional and AES encryption open with a candidate password (CRC and time check bytes)', async () => {
  for (const name of ['encrypted.zip', 'encrypted-streamed.zip', 'aes.zip']) {
    const ctx = { ...testContext(), passwords: ['wrong', 'also-wrong', 'secret'] };
    const objs = await collect(zipUnpacker, fx(name), ctx);
    assert.ok(hasEicar(objs), `${name}: ${JSON.stringify(objs.map((o) => [o.name, o.state, o.notes]))}`);
    assert.ok(objs[0]!.heuristics?.includes('Heuristics.Encrypted.Zip'));
    assert.ok(objs[0]!.notes?.includes('decrypted with a candidate password'));
  }
  for (const name of ['encrypted.zip', 'aes.zip']) {
    const wrong = await collect(zipUnpacker, fx(name), { ...testContext(), passwords: ['nope', 'Secret', 'secret '] });
    assert.equal(wrong[0]!.state, 'encrypted', name);
    assert.equal(wrong[0]!.data, undefined);
  }
});

test('zip: with the encrypted switch off the state stays but no detection is added', async () => {
  const objs = await collect(zipUnpacker, fx('encrypted.zip'), testContext({}, new Set()));
  assert.equal(objs[0]!.state, 'encrypted');
  assert.equal(objs[0]!.heuristics, undefined);
});

test('zip: LZMA members decode through the 7-Zip fallback', async () => {
  const objs = await collect(zipUnpacker, fx('lzma.zip'));
  const readme = objs.find((o) => o.name === 'readme.txt')!;
  assert.deepEqual(Buffer.from(readme.data!), readFileSync(join(dir, 'readme.txt')));
  assert.equal(readme.notes, undefined);
});

test('zip: an unknown method is reported unsupported, not skipped', async () => {
  const z = Buffer.from(writeZip([{ name: 'a.bin', data: Buffer.from('abc'), method: 0 }]));
  // Patch method 0 → 97 (WavPack) in the local and central headers.
  z.writeUInt16LE(97, 8);
  z.writeUInt16LE(97, z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
  const objs = await collect(zipUnpacker, z);
  assert.equal(objs[0]!.state, 'unsupported');
});

test('zip: spoofed names raise double-extension, bidi and executable-in-archive', async () => {
  const objs = await collect(zipUnpacker, fx('spoofed.zip'));
  const exe = objs.find((o) => o.name === 'invoice.pdf.exe');
  assert.ok(exe?.heuristics?.includes('Heuristics.Moat.DoubleExtension'));
  assert.ok(exe?.heuristics?.includes('Heuristics.Moat.ExecutableInArchive'));
  const rtlo = objs.find((o) => o.name?.includes('\u202e'));
  assert.ok(rtlo?.heuristics?.includes('Heuristics.Moat.BidiFilename'), JSON.stringify(objs.map((o) => o.name)));
});

test('zip: without a central directory, members are found by local headers', async () => {
  const z = fx('stored.zip');
  const cut = Buffer.from(z).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const objs = await collect(zipUnpacker, z.subarray(0, cut));
  assert.ok(hasEicar(objs));
  assert.ok(objs[0]!.notes?.some((n) => n.includes('local header')));
});

test('zip: a member hidden from the central directory is still extracted', async () => {
  const visible = writeZip([{ name: 'a.txt', data: Buffer.from('harmless') }]);
  const name = Buffer.from('hidden.com');
  const hidden = Buffer.concat([localHeader(name, 0, 0, EICAR_BYTES.length, EICAR_BYTES.length), Buffer.from(EICAR_BYTES)]);
  const objs = await collect(zipUnpacker, Buffer.concat([hidden, visible.subarray(0)]).subarray(0));
  // Central directory offsets now point past the prepended bytes: the reader re-bases them.
  assert.ok(hasEicar(objs), JSON.stringify(objs.map((o) => [o.name, o.state, o.notes])));
  assert.ok(objs.some((o) => o.name === 'a.txt'));
});

test('zip: truncated archives never throw and keep what is readable', async () => {
  const z = fx('deflate.zip');
  for (let len = 0; len < z.length; len += 7) {
    const objs = await collect(zipUnpacker, z.subarray(0, len));
    for (const o of objs) assert.ok(o.data !== undefined || o.state !== undefined);
  }
});

test('zip: compression ratio above the limit is too_big + Heuristics.Moat.ArchiveBomb', async () => {
  const z = writeZip([{ name: 'zeros.bin', data: Buffer.alloc(20 * 1024 * 1024) }]);
  const objs = await collect(zipUnpacker, z, testContext({ maxCompressionRatio: 100 }));
  assert.equal(objs[0]!.state, 'too_big');
  assert.ok(objs[0]!.heuristics?.includes('Heuristics.Moat.ArchiveBomb'));
});

test('zip: a member above max_object_bytes is too_big + MaxFileSize; bytes already spent stay counted', async () => {
  const z = writeZip([
    { name: 'small.txt', data: Buffer.from('hello') },
    { name: 'big.bin', data: Buffer.alloc(3 * 1024 * 1024, 7) },
  ]);
  const ctx = testContext({ maxObjectBytes: 1024 * 1024 });
  const objs = await collect(zipUnpacker, z, ctx);
  assert.equal(objs.find((o) => o.name === 'big.bin')!.state, 'too_big');
  assert.ok(objs.find((o) => o.name === 'big.bin')!.heuristics?.includes('Heuristics.Limits.Exceeded.MaxFileSize'));
  assert.equal(ctx.budget.remainingBytes(), ctx.budget.limits.maxScanBytes - 5);
});

test('zip: the scan byte budget stops the archive with MaxScanSize', async () => {
  const entries = Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(100_000, i) }));
  const objs = await collect(zipUnpacker, writeZip(entries), testContext({ maxScanBytes: 350_000 }));
  assert.equal(objs.filter((o) => o.data).length, 3);
  assert.ok(objs.some((o) => o.heuristics?.includes('Heuristics.Limits.Exceeded.MaxScanSize')));
  assert.ok(objs.length <= 4);
});

test('zip: max_objects caps members with MaxFiles', async () => {
  const entries = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: Buffer.from(`file ${i}`) }));
  const objs = await collect(zipUnpacker, writeZip(entries), testContext({ maxObjects: 10 }));
  assert.ok(objs.length <= 11);
  assert.ok(objs.at(-1)!.heuristics?.includes('Heuristics.Limits.Exceeded.MaxFiles'));
});

test('zip: overlapping-file bombs (full and quoted overlap) are detected without expansion', async () => {
  for (const bomb of [overlapBomb(8 * 1024 * 1024, 2000), quotedOverlapBomb(1024 * 1024, 1500)]) {
    const ctx = testContext();
    const t0 = performance.now();
    const objs = await collect(zipUnpacker, bomb, ctx);
    const ms = performance.now() - t0;
    assert.ok(objs[0]!.heuristics?.includes('Heuristics.Zip.OverlappingFiles'), JSON.stringify(objs[0]));
    const produced = ctx.budget.limits.maxScanBytes - ctx.budget.remainingBytes();
    assert.ok(produced <= 16 * 1024 * 1024, `produced ${produced}`);
    assert.ok(ms < 5000, `took ${ms} ms`);
  }
});

test('zip: an aborted signal stops unpacking with a state', async () => {
  const ac = new AbortController();
  ac.abort();
  const objs = await collect(zipUnpacker, fx('deflate.zip'), testContext({}, undefined, ac.signal));
  assert.equal(objs.length, 1);
  assert.equal(objs[0]!.state, 'scan_error');
});

test('zip: OOXML vbaProject.bin member carries the macro hint', async () => {
  const z = writeZip([
    { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
    { name: 'word/vbaProject.bin', data: deflateRawSync(Buffer.from('x')) },
  ]);
  const objs = await collect(zipUnpacker, z);
  assert.ok(objs.find((o) => o.name === 'word/vbaProject.bin')!.heuristics?.includes('Heuristics.OLE2.ContainsMacros'));
});

test('zip: ODF with encryption-data in its manifest is encrypted', async () => {
  const manifest = '<manifest:manifest><manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/></manifest:file-entry></manifest:manifest>';
  const z = Buffer.from(writeZip([
    { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.text'), method: 0 },
    { name: 'content.xml', data: Buffer.from([0xff, 0xfe, 0x13, 0x77, 0x02]), method: 0 },
    { name: 'META-INF/manifest.xml', data: Buffer.from(manifest) },
  ]));
  // content.xml claims deflate over ciphertext.
  z.writeUInt16LE(8, z.indexOf(Buffer.from('content.xml')) - 22);
  z.writeUInt16LE(8, z.lastIndexOf(Buffer.from('content.xml')) - 36);
  const objs = await collect(zipUnpacker, z);
  assert.equal(objs[0]!.state, 'encrypted');
  assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.ODF']);
  assert.equal(objs.find((o) => o.name === 'content.xml')!.state, 'encrypted');
});

test('zip: XLM macro sheets in xlsm and ODF Basic modules carry macro hints; macro-free ODF does not', async () => {
  const z = writeZip([
    { name: 'xl/macrosheets/sheet1.xml', data: Buffer.from('<xm:macrosheet/>') },
    { name: 'Basic/script-lc.xml', data: Buffer.from('<library:libraries/>') },
    { name: 'Basic/Standard/Module1.xml', data: Buffer.from('<script:module>Sub Main</script:module>') },
  ]);
  const objs = await collect(zipUnpacker, z);
  assert.deepEqual(objs.find((o) => o.name === 'xl/macrosheets/sheet1.xml')!.heuristics, ['Heuristics.OLE2.ContainsMacros']);
  assert.deepEqual(objs.find((o) => o.name === 'Basic/Standard/Module1.xml')!.heuristics, ['Heuristics.Moat.ODF.ContainsMacros']);
  assert.equal(objs.find((o) => o.name === 'Basic/script-lc.xml')!.heuristics, undefined);
});
