import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rtfUnpacker } from './rtf-unpacker.js';
import { htmlUnpacker } from '../html/html-unpacker.js';
import { packageNative, rtfWithObject } from '../../../../test/fixtures/containers/rtf-builder.js';
import { ole2Fixtures } from '../../../../test/fixtures/containers/ole2-fixtures.js';
import { EICAR, EICAR_BYTES, collect, hasEicar, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';

const ole = new Uint8Array(readFileSync(join(ole2Fixtures(), 'plain.ole')));

test('rtf: a Package object yields the embedded file by name, plain and obfuscated hex', async () => {
  for (const obf of [false, true]) {
    const objs = await collect(rtfUnpacker, rtfWithObject('Package', packageNative('invoice.pdf.exe', EICAR_BYTES), obf));
    assert.equal(objs.length, 1);
    assert.equal(objs[0]!.name, 'objdata 1/invoice.pdf.exe');
    assert.deepEqual(Buffer.from(objs[0]!.data!), Buffer.from(EICAR_BYTES));
    assert.ok(objs[0]!.heuristics?.includes('Heuristics.Moat.DoubleExtension'));
  }
});

test('rtf: an Equation-style object yields its native OLE2 data', async () => {
  const objs = await collect(rtfUnpacker, rtfWithObject('Equation.3', ole, true));
  assert.equal(objs[0]!.name, 'objdata 1 (Equation.3)');
  assert.deepEqual(Buffer.from(objs[0]!.data!), Buffer.from(ole));
});

test('rtf: \\bin raw bytes inside objdata are taken as they are', async () => {
  const raw = Buffer.from(EICAR_BYTES);
  const rtf = Buffer.concat([Buffer.from(`{\\rtf1{\\object{\\*\\objdata \\bin${raw.length} `), raw, Buffer.from('}}}')]);
  assert.ok(hasEicar(await collect(rtfUnpacker, rtf)));
});

test('rtf: truncated documents keep partial objects, caps hold', async () => {
  const rtf = rtfWithObject('Package', packageNative('a.com', EICAR_BYTES), true);
  for (let len = 0; len <= rtf.length; len += 13) await collect(rtfUnpacker, rtf.subarray(0, len));
  const [o] = await collect(rtfUnpacker, rtfWithObject('X', Buffer.alloc(5000)), testContext({ maxObjectBytes: 1000 }));
  assert.equal(o!.state, 'too_big');
});

test('html: data: URIs (base64 and percent-encoded) and smuggled base64 in scripts', async () => {
  const b64 = Buffer.from(EICAR).toString('base64');
  const big = Buffer.concat([Buffer.from(EICAR), Buffer.alloc(200, 0x20)]).toString('base64');
  const html = `<html><body><img src="data:image/png;base64,${b64}"><a href='data:text/plain,${encodeURIComponent(EICAR)}'>x</a>
<SCRIPT type="text/javascript">var blob = atob("${big.match(/.{1,60}/gu)!.join('\\n')}");</SCRIPT><script>unclosed`;
  const objs = await collect(htmlUnpacker, Buffer.from(html, 'latin1'));
  const names = objs.map((o) => o.name);
  assert.ok(names.includes('data-uri 1 (image/png;base64)'), JSON.stringify(names));
  assert.deepEqual(Buffer.from(objs[0]!.data!), Buffer.from(EICAR_BYTES));
  assert.deepEqual(Buffer.from(objs[1]!.data!), Buffer.from(EICAR_BYTES));
  const smuggled = objs.find((o) => o.name?.endsWith('base64'));
  assert.ok(smuggled && Buffer.from(smuggled.data!).includes(Buffer.from(EICAR)));
  assert.ok(objs.some((o) => o.name?.startsWith('script') && Buffer.from(o.data!).toString() === 'unclosed'));
});

test('html: many unclosed script tags stay linear', async () => {
  const html = Buffer.from('<script>'.repeat(200_000));
  const t0 = performance.now();
  await collect(htmlUnpacker, html, testContext({ maxObjects: 100 }));
  assert.ok(performance.now() - t0 < 2000);
});

test('fuzz: rtf and html never throw, hang or exceed caps', async (t) => {
  const rtfSeeds = [rtfWithObject('Package', packageNative('a.exe', EICAR_BYTES), true), rtfWithObject('Equation.3', ole.subarray(0, 2048))];
  const r = await fuzzUnpacker('rtf', rtfUnpacker, rtfSeeds, 1200, Buffer.from('{\\rtf1{\\*\\objdata '));
  t.diagnostic(`fuzz executions rtf: ${r.executions}`);
  const htmlSeeds = [Buffer.from(`<img src="data:;base64,${Buffer.from(EICAR).toString('base64')}"><script>x="${'QUJD'.repeat(40)}"</script>`)];
  const h = await fuzzUnpacker('html', htmlUnpacker, htmlSeeds, 1200, Buffer.from('<html><script>'));
  t.diagnostic(`fuzz executions html: ${h.executions}`);
});
