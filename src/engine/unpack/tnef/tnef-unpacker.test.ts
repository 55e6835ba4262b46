import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tnefUnpacker } from './tnef-unpacker.js';
import { buildTnef } from '../../../../test/fixtures/containers/tnef-fixtures.js';
import { EICAR_BYTES, collect, testContext } from '../../../../test/fixtures/containers/test-context.js';
import { fuzzUnpacker } from '../../../../test/fixtures/containers/fuzz-unpacker.js';
import { detectFileType } from '../../filetype/detect-file-type.js';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const doc = Buffer.from('quarterly numbers\n');
const sample = buildTnef([
  { title: 'REPORT~1.TXT', longName: 'quarterly report.txt', data: doc },
  { title: 'EICAR.COM', data: EICAR_BYTES, object: Buffer.from('embedded message bytes') },
]);

test('tnef: attachments come out under their long names, embedded objects too', async () => {
  assert.equal(detectFileType(sample), 'CL_TYPE_TNEF');
  const objs = await collect(tnefUnpacker, sample);
  assert.deepEqual(objs.map((o) => o.name), ['quarterly report.txt', 'EICAR.COM', 'EICAR.COM (embedded object)']);
  assert.deepEqual(Buffer.from(objs[0]!.data!), doc);
  assert.deepEqual(Buffer.from(objs[1]!.data!), Buffer.from(EICAR_BYTES));
  assert.equal(Buffer.from(objs[2]!.data!).toString(), 'embedded message bytes');
  assert.ok(objs.every((o) => o.notes === undefined));
});

const RTF = Buffer.from('{\\rtf1\\ansi{\\object\\objemb{\\*\\objdata 0105000002000000}}Hello from the body}');

test('tnef: the compressed RTF message body comes out decompressed', async () => {
  const objs = await collect(tnefUnpacker, buildTnef([{ title: 'A.TXT', data: doc }], { rtfBody: RTF }));
  assert.deepEqual(objs.map((o) => o.name), ['(message body).rtf', 'A.TXT']);
  assert.deepEqual(Buffer.from(objs[0]!.data!), RTF);
});

test('tnef: truncation and bad checksums are reported, caps give too_big', async () => {
  const cut = await collect(tnefUnpacker, sample.subarray(0, sample.length - 30));
  assert.equal(cut.at(-1)!.state, 'corrupted');
  const flipped = Buffer.from(sample);
  flipped[flipped.indexOf(Buffer.from('quarterly numbers'))] ^= 1;
  const bad = await collect(tnefUnpacker, flipped);
  assert.match(bad[0]!.notes!.join(), /checksum/);
  const capped = await collect(tnefUnpacker, sample, testContext({ maxObjectBytes: 10 }));
  assert.ok(capped.some((o) => o.state === 'too_big'));
  assert.equal((await collect(tnefUnpacker, Buffer.from('not tnef at all'))).at(-1)!.state, 'corrupted');
});

test('fuzz: tnef never throws, hangs or exceeds caps', async (t) => {
  const r = await fuzzUnpacker('tnef', tnefUnpacker, [sample], 1500, Uint8Array.from([0x78, 0x9f, 0x3e, 0x22, 1, 0]));
  t.diagnostic(`fuzz executions tnef: ${r.executions}`);
});

// The fixture builder and the unpacker could share one misreading of the format; the Debian
// `tnef` program (an independent implementation) must read the fixtures the same way.
test('tnef: the independent `tnef` tool extracts the same files from the fixtures', { skip: !existsSync('/usr/bin/tnef') && 'tnef not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'moat-tnef-'));
  try {
    const plain = buildTnef(
      [
        { title: 'REPORT~1.TXT', longName: 'quarterly report.txt', data: doc },
        { title: 'EICAR.COM', data: EICAR_BYTES },
      ],
      { rtfBody: RTF },
    );
    writeFileSync(join(dir, 'winmail.dat'), plain);
    execFileSync('/usr/bin/tnef', ['-C', dir, '--save-body=(message body)', '--body-pref=R', join(dir, 'winmail.dat')]);
    const theirs = readdirSync(dir).filter((f) => f !== 'winmail.dat').sort();
    const ours = await collect(tnefUnpacker, plain);
    assert.deepEqual(ours.map((o) => o.name).sort(), theirs);
    for (const o of ours) assert.deepEqual(Buffer.from(o.data!), readFileSync(join(dir, o.name!)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
