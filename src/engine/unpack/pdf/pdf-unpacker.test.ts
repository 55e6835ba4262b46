import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { pdfUnpacker } from './pdf-unpacker.js';
import { applyFilter } from './pdf-filters.js';
import { buildPdf, lzwEncode, ascii85Encode, pdfFixtures } from '../../../../test/fixtures/containers/pdf-fixtures.js';
import { EICAR_BYTES, collect, containsBytes, hasEicar, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';

const dir = pdfFixtures();
const fx = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

test('pdf: every filter (Flate, AHx, A85, LZW, RL, chains, PNG predictor) yields EICAR intact', async () => {
  const objs = await collect(pdfUnpacker, fx('filters.pdf'));
  const byName = new Map(objs.map((o) => [o.name, o]));
  for (const n of ['eicar.com', 'obj 8 0', 'obj 9 0', 'obj 10 0', 'obj 11 0', 'obj 12 0', 'obj 13 0']) {
    assert.ok(containsBytes(byName.get(n)?.data, EICAR_BYTES), `${n}: ${JSON.stringify(byName.get(n))}`);
  }
  assert.deepEqual(Buffer.from(byName.get('eicar.com')!.data!), Buffer.from(EICAR_BYTES));
  assert.deepEqual(Buffer.from(byName.get('obj 13 0')!.data!.subarray(0, EICAR_BYTES.length)), Buffer.from(EICAR_BYTES));
});

test('pdf: JavaScript and OpenAction are flagged, #-escaped names included; the script is extracted', async () => {
  const objs = await collect(pdfUnpacker, fx('filters.pdf'));
  const flag = objs.find((o) => o.name === '(container)')!;
  assert.ok(flag.heuristics!.includes('Heuristics.PDF.JavaScript'));
  assert.ok(flag.heuristics!.includes('Heuristics.PDF.OpenAction'));
  assert.equal(Buffer.from(objs.find((o) => o.name?.endsWith('/JS'))!.data!).toString(), 'app.alert("moat");');
});

test('pdf: qpdf object streams and xref streams: names and JavaScript inside ObjStm are found', async () => {
  const objs = await collect(pdfUnpacker, fx('objstm.pdf'));
  assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'eicar.com')!.data!), Buffer.from(EICAR_BYTES));
  assert.ok(objs.find((o) => o.name === '(container)')!.heuristics!.includes('Heuristics.PDF.JavaScript'));
});

test('pdf: user-password PDFs (qpdf AES-256, AES-128, RC4-128) open with a candidate password', async () => {
  for (const f of ['encrypted.pdf', 'user-aes-128.pdf', 'user-rc4-128.pdf']) {
    const objs = await collect(pdfUnpacker, fx(f), { ...testContext(), passwords: ['nope', 'user'] });
    assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'eicar.com')?.data ?? []), Buffer.from(EICAR_BYTES), f);
    assert.ok(objs.some((o) => o.notes?.[0]?.includes('candidate password')), f);
    const locked = await collect(pdfUnpacker, fx(f), { ...testContext(), passwords: ['nope'] });
    assert.equal(locked[0]!.state, 'encrypted', f);
  }
});

test('pdf: qpdf-encrypted PDF is reported encrypted', async () => {
  const objs = await collect(pdfUnpacker, fx('encrypted.pdf'));
  assert.equal(objs.length, 1);
  assert.equal(objs[0]!.state, 'encrypted');
  assert.deepEqual(objs[0]!.heuristics, ['Heuristics.Encrypted.PDF']);
});

test('pdf: owner-password-only PDFs (qpdf RC4-40, RC4-128, AES-128, AES-256) are decrypted', async () => {
  for (const f of ['open-rc4-40.pdf', 'open-rc4-128.pdf', 'open-aes-128.pdf', 'open-aes-256.pdf']) {
    const objs = await collect(pdfUnpacker, fx(f));
    assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'eicar.com')?.data ?? []), Buffer.from(EICAR_BYTES), f);
    assert.equal(Buffer.from(objs.find((o) => o.name?.endsWith('/JS'))!.data!).toString(), 'app.alert("moat");', f);
    assert.ok(objs.some((o) => o.state === 'clean' && o.heuristics?.includes('Heuristics.Encrypted.PDF')), f);
    assert.ok(!objs.some((o) => o.state === 'encrypted'), f);
  }
});

test('pdf: no active-content flag with the switch off, and none for a plain PDF', async () => {
  const off = await collect(pdfUnpacker, fx('filters.pdf'), testContext({}, new Set()));
  assert.ok(!off.some((o) => o.heuristics?.length));
  const plain = await collect(pdfUnpacker, fx('plain-src.pdf'));
  assert.ok(!plain.some((o) => o.name === '(container)'));
});

test('pdf: wrong /Length and missing endstream still give the stream', async () => {
  const good = Buffer.from(deflateSync(Buffer.from(EICAR_BYTES)));
  const pdf = Buffer.from(buildPdf([{ dict: '<</Filter/FlateDecode>>', stream: good }]).toString('latin1').replace(/\/Length \d+/u, '/Length 9999'), 'latin1');
  assert.ok(hasEicar(await collect(pdfUnpacker, pdf)));
  const cut = pdf.subarray(0, pdf.indexOf('endstream'));
  assert.ok(hasEicar(await collect(pdfUnpacker, cut)));
});

test('pdf: adversarial structure stays linear (no endobj, many objects, big object stream)', async () => {
  const noEnd = Buffer.from(`%PDF-1.7\n${Array.from({ length: 100_000 }, (_, i) => `${i} 0 obj <</A ${i}>>\n`).join('')}1 0 obj <</Length 5>> stream\nhello\nendstream`);
  let t0 = performance.now();
  await collect(pdfUnpacker, noEnd, testContext({ maxObjects: 1000 }));
  assert.ok(performance.now() - t0 < 3000, `no endobj: ${performance.now() - t0} ms`);
  const n = 100_000;
  const header = Array.from({ length: n }, (_, i) => `${i + 10} ${i * 12}`).join(' ') + ' ';
  const body = Array.from({ length: n }, () => '<</JS (x)>> ').join('');
  const objstm = buildPdf([{ dict: `<</Type/ObjStm/N ${n}/First ${header.length}/Filter/FlateDecode>>`, stream: deflateSync(Buffer.from(header + body)) }]);
  t0 = performance.now();
  const objs = await collect(pdfUnpacker, objstm, testContext({ maxObjects: 500 }));
  assert.ok(performance.now() - t0 < 5000, `objstm: ${performance.now() - t0} ms`);
  assert.ok(objs.length <= 502);
});

test('pdf: a fake object header or >> inside a string does not cut the dictionary (filter evasion)', async () => {
  const pdf = buildPdf([{ dict: '<</Title (x 9 0 obj >> endobj \\) %) /Filter /FlateDecode /JS (app.alert\\(1\\))>>', stream: deflateSync(Buffer.from(EICAR_BYTES)) }]);
  const objs = await collect(pdfUnpacker, pdf);
  assert.deepEqual(Buffer.from(objs.find((o) => o.name === 'obj 1 0')!.data!), Buffer.from(EICAR_BYTES));
  assert.ok(objs.find((o) => o.name === '(container)')!.heuristics!.includes('Heuristics.PDF.JavaScript'));
  assert.equal(objs.filter((o) => o.name?.startsWith('obj 9')).length, 0);
});

test('pdf: a Flate bomb stream stops at the cap', async () => {
  const bomb = buildPdf([{ dict: '<</Filter/FlateDecode>>', stream: deflateSync(Buffer.alloc(50 * 1024 * 1024)) }]);
  const [o] = await collect(pdfUnpacker, bomb);
  assert.equal(o!.state, 'too_big');
});

test('pdf filters: LZW and ASCII85 round trips (property)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20000 }), (b) => {
      const l = applyFilter({ name: 'LZWDecode' }, lzwEncode(b), 1 << 20);
      assert.ok(l.ok);
      assert.deepEqual(Buffer.from(l.data), Buffer.from(b));
      const a = applyFilter({ name: 'ASCII85Decode' }, Buffer.from(ascii85Encode(b)), 1 << 20);
      assert.ok(a.ok);
      assert.deepEqual(Buffer.from(a.data), Buffer.from(b));
    }),
    { numRuns: 200 },
  );
});

test('pdf filters: random input never throws and respects the cap', (t) => {
  let runs = 0;
  fc.assert(
    fc.property(fc.constantFrom('FlateDecode', 'ASCIIHexDecode', 'ASCII85Decode', 'LZWDecode', 'RunLengthDecode'), fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 15 }), (name, b, pred) => {
      runs++;
      const r = applyFilter({ name, predictor: pred, columns: 5 }, b, 10_000);
      if (r.ok) assert.ok(r.data.length <= 10_000 * 2);
    }),
    { numRuns: 2000 },
  );
  t.diagnostic(`fuzz executions pdf-filters: ${runs}`);
});

test('fuzz: pdf never throws, hangs or exceeds caps', async (t) => {
  const seeds = ['filters.pdf', 'objstm.pdf', 'encrypted.pdf', 'open-rc4-128.pdf', 'open-aes-256.pdf'].map(fx);
  const r = await fuzzUnpacker('pdf', pdfUnpacker, seeds, 1500, Buffer.from('%PDF-1.7\n1 0 obj\n<<'));
  t.diagnostic(`fuzz executions pdf: ${r.executions}`);
});
