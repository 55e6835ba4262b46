import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildSnapshot, createScanner } from './scanner.js';
import { EICAR, EICAR_SIGNATURE_NAME } from './sigdb/builtin-database.js';
import { isMoatError } from '../core/errors.js';

const dir = await mkdtemp(join(tmpdir(), 'moat-scanner-'));
const { snapshot, report } = await buildSnapshot({ paths: [], strict: false, pua: false });
const scanner = createScanner({ snapshot, workers: 2, heuristics: new Set(['archive_bomb', 'encrypted']), hardTimeoutGraceMs: 200 });
after(() => scanner.close());

test('the built-in database is loaded in a build worker and reported', () => {
  assert.equal(report.version, 'moat-builtin:1');
  assert.ok(report.signatureCount >= 1);
});

test('EICAR is found in a buffer, a file and a stream; clean data is clean', async () => {
  const eicar = Buffer.from(EICAR, 'latin1');
  const fromBuffer = await scanner.scan({ kind: 'buffer', data: eicar });
  assert.equal(fromBuffer.verdict, 'infected');
  assert.deepEqual(fromBuffer.detections, [EICAR_SIGNATURE_NAME]);
  const file = join(dir, 'eicar.com');
  await writeFile(file, eicar);
  const fromFile = await scanner.scan({ kind: 'file', path: file });
  assert.equal(fromFile.verdict, 'infected');
  assert.equal(fromFile.root.name, file);
  const fromStream = await scanner.scan({ kind: 'stream', stream: Readable.from([eicar.subarray(0, 10), eicar.subarray(10)]) });
  assert.equal(fromStream.verdict, 'infected');
  const clean = await scanner.scan({ kind: 'buffer', data: Buffer.from('hello world\n') });
  assert.equal(clean.verdict, 'clean');
  assert.deepEqual(clean.detections, []);
  assert.equal(clean.root.sha256, '', 'object hashes cost a pass: only computed on request');
  const hashed = await scanner.scan({ kind: 'buffer', data: Buffer.from('hello world\n') }, { objectHashes: true });
  assert.equal(hashed.root.sha256, 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447');
});

test('EICAR inside a zip inside a zip is found, with the object tree', async () => {
  const inner = join(dir, 'inner');
  execFileSync('mkdir', ['-p', inner]);
  await writeFile(join(inner, 'eicar.txt'), EICAR);
  execFileSync('zip', ['-q', '-j', join(dir, 'one.zip'), join(inner, 'eicar.txt')]);
  execFileSync('zip', ['-q', '-j', join(dir, 'two.zip'), join(dir, 'one.zip')]);
  const r = await scanner.scan({ kind: 'file', path: join(dir, 'two.zip') });
  assert.equal(r.verdict, 'infected');
  assert.equal(r.root.type, 'CL_TYPE_ZIP');
  const one = r.root.children[0]!;
  assert.equal(one.name, 'one.zip');
  assert.equal(one.children[0]!.name, 'eicar.txt');
  assert.equal(one.children[0]!.state, 'infected');
  assert.equal(one.children[0]!.depth, 2);
});

test('depth and object limits yield states, not errors', async () => {
  const deep = await scanner.scan({ kind: 'file', path: join(dir, 'two.zip') }, { limits: { maxDepth: 1 } });
  assert.equal(deep.verdict, 'not_scanned');
  assert.equal(deep.root.children[0]!.state, 'depth_exceeded');
  const big = await scanner.scan({ kind: 'buffer', data: Buffer.alloc(2048) }, { limits: { maxObjectBytes: 1024 } });
  assert.equal(big.root.state, 'too_big');
  assert.equal(big.verdict, 'not_scanned');
});

test('an aborted scan rejects with ABORTED', async () => {
  const controller = new AbortController();
  const pending = scanner.scan({ kind: 'buffer', data: randomBytes(64 * 1024 * 1024) }, { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (err: unknown) => isMoatError(err, 'ABORTED'));
});

test('a scan stuck past its time limit is killed: SCAN_TIMEOUT, and the pool keeps working', async () => {
  const data = randomBytes(96 * 1024 * 1024);
  await assert.rejects(scanner.scan({ kind: 'buffer', data }, { limits: { maxScanTimeMs: 1 } }), (err: unknown) => isMoatError(err, 'SCAN_TIMEOUT') && err.temporary);
  const after = await scanner.scan({ kind: 'buffer', data: Buffer.from(EICAR, 'latin1') });
  assert.equal(after.verdict, 'infected');
});

test('reload swaps the database atomically while scans run', async () => {
  await writeFile(join(dir, 'new.ndb'), 'Moat.Test.Reload:0:*:6d6f61742d72656c6f61642d6d61726b6572\n');
  const sample = Buffer.from('xx moat-reload-marker xx');
  assert.equal((await scanner.scan({ kind: 'buffer', data: sample })).verdict, 'clean');
  const next = await buildSnapshot({ paths: [join(dir, 'new.ndb')], strict: false, pua: false });
  const inFlight = Array.from({ length: 20 }, () => scanner.scan({ kind: 'buffer', data: Buffer.from(EICAR, 'latin1') }));
  scanner.reload(next.snapshot);
  const results = await Promise.all(inFlight);
  assert.ok(results.every((r) => r.verdict === 'infected'), 'no scan failed during the swap');
  const afterReload = await scanner.scan({ kind: 'buffer', data: sample });
  assert.deepEqual(afterReload.detections, ['Moat.Test.Reload.UNOFFICIAL']);
  assert.match(scanner.dbVersion, /^local:/);
});

test('regression: the caller keeps its buffer after a scan (nothing is detached)', async () => {
  const data = new Uint8Array(new ArrayBuffer(64 * 1024));
  data.set(Buffer.from(EICAR, 'latin1'));
  const r = await scanner.scan({ kind: 'buffer', data });
  assert.equal(r.verdict, 'infected');
  assert.equal(data.byteLength, 64 * 1024);
  assert.equal(Buffer.from(data.subarray(0, 3)).toString(), 'X5O');
});

test('a message in shared memory is scanned like any buffer: same verdict and tree, the caller\'s bytes untouched', async () => {
  execFileSync('zip', ['-q', '-j', join(dir, 'shared.zip'), join(dir, 'eicar.com')]);
  const { readFile } = await import('node:fs/promises');
  const zip = (await readFile(join(dir, 'shared.zip'))).toString('base64').replace(/.{76}/g, '$&\r\n');
  const mail = Buffer.from(
    'From: a@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nHello THERE,\r\n\tsee   attached.\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Hi <b>you</b></p>\r\n' +
      `--b\r\nContent-Type: application/zip; name="x.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n${zip}\r\n--b--\r\n`,
  );
  const shared = Buffer.from(new SharedArrayBuffer(mail.length + 10), 5, mail.length);
  mail.copy(shared);
  const before = Buffer.from(shared);
  const fromShared = await scanner.scan({ kind: 'buffer', data: shared }, { isMail: true });
  const copied = await scanner.scan({ kind: 'buffer', data: mail }, { isMail: true });
  assert.equal(fromShared.verdict, 'infected');
  assert.deepEqual(fromShared.detections, copied.detections);
  assert.deepEqual(fromShared.root, copied.root);
  assert.ok(shared.equals(before), 'the caller\'s message is never changed');
});

test('like ClamAV (HTMLSKIPRAW), whole-file hashes do not match HTML; they match other text', async () => {
  const { createHash } = await import('node:crypto');
  const html = Buffer.from('<html><body><script>x</script>hello</body></html>\n');
  const text = Buffer.from('plain text that is listed by hash\n');
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  await writeFile(join(dir, 'h.hdb'), `${md5(html)}:${html.length}:Test.Html.Hash\n${md5(text)}:${text.length}:Test.Text.Hash\n`);
  const s2 = createScanner({ snapshot: (await buildSnapshot({ paths: [join(dir, 'h.hdb')], strict: false, pua: false })).snapshot, workers: 1 });
  try {
    assert.equal((await s2.scan({ kind: 'buffer', data: html })).verdict, 'clean');
    assert.deepEqual((await s2.scan({ kind: 'buffer', data: text })).detections, ['Test.Text.Hash.UNOFFICIAL']);
  } finally {
    await s2.close();
  }
});
