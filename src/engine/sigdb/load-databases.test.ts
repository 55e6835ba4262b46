import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDatabases, describeSkipped } from './load-databases.js';
import { hashLookupFrom } from './hash-store.js';
import { isMoatError } from '../../core/errors.js';
import { EICAR, EICAR_SIGNATURE_NAME } from './builtin-database.js';
import { buildContainer, generateKey } from '../../../test/support/cvd-builder.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function dbDir(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'moat-sigdb-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

test('the built-in EICAR database is always present', async () => {
  const db = await loadDatabases([]);
  assert.equal(db.body.length, 1);
  assert.equal(db.body[0]!.name, EICAR_SIGNATURE_NAME);
  assert.equal(Buffer.from(db.body[0]!.hex, 'hex').toString('latin1'), EICAR);
  assert.match(db.version, /moat-builtin:1/);
});

test('loads every supported kind from a directory; names get .UNOFFICIAL like clamscan', async () => {
  const dir = await dbDir({
    'a.hdb': `${md5('virus-a')}:7:Test.A\n${md5('wild')}:*:Test.Wild:73\n`,
    'b.hsb': `${sha256('virus-b')}:7:Test.B\n`,
    'c.mdb': `4096:${md5('section')}:Test.Section\n`,
    'd.ndb': 'Test.Body:0:*:6162??63{2-4}64\n',
    'e.ldb': 'Test.Logic;Engine:81-255,Target:0;0&1;616263;646566::i\n',
    'f.fp': `${md5('virus-a')}:7:Allowed\n`,
    'g.cbc': 'ClamBC bytecode...\nmore\n',
    'h.pdb': 'R:example.com\nR:example.org\n',
    'notes.txt': 'ignored\n',
  });
  const db = await loadDatabases([dir]);
  const files = hashLookupFrom(db.fileHashes);
  assert.equal(files.lookup('md5', Buffer.from(md5('virus-a'), 'hex'), 7), 'Test.A.UNOFFICIAL');
  assert.equal(files.lookup('md5', Buffer.from(md5('wild'), 'hex'), 123), 'Test.Wild.UNOFFICIAL');
  assert.equal(files.lookup('sha256', Buffer.from(sha256('virus-b'), 'hex'), 7), 'Test.B.UNOFFICIAL');
  assert.equal(hashLookupFrom(db.sectionHashes).lookup('md5', Buffer.from(md5('section'), 'hex'), 4096), 'Test.Section.UNOFFICIAL');
  assert.ok(hashLookupFrom(db.allowHashes).lookup('md5', Buffer.from(md5('virus-a'), 'hex'), 7));
  assert.deepEqual(db.body.map((b) => b.name), ['Test.Body.UNOFFICIAL', EICAR_SIGNATURE_NAME]);
  assert.equal(db.logical[0]!.name, 'Test.Logic.UNOFFICIAL');
  assert.deepEqual(db.logical[0]!.subsigs, ['616263', '646566::i']);
  assert.equal(db.counts['unsupported.cbc'], 1);
  assert.equal(db.counts['unsupported.pdb'], 2);
  assert.deepEqual(db.skipped.map((s) => s.reason), ['unsupported', 'unsupported']);
  assert.match(db.version, /^local:[0-9a-f]{8},moat-builtin:1$/);
});

test('a malformed line is reported with file:line and the rest still loads', async () => {
  const dir = await dbDir({ 'x.ndb': 'Good.One:0:*:414243\nBad.Target:99:*:414243\nGood.Two:0:*:444546\nNoHex:0:*\n' });
  const db = await loadDatabases([dir]);
  assert.deepEqual(db.body.map((b) => b.name).slice(0, 2), ['Good.One.UNOFFICIAL', 'Good.Two.UNOFFICIAL']);
  const problems = describeSkipped(db);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /x\.ndb:2: malformed ndb signature: target type/);
  assert.match(problems[1]!, /x\.ndb:4: malformed ndb signature: expected 4 to 6/);
});

test('strict mode refuses the whole database on the first malformed line', async () => {
  const dir = await dbDir({ 'x.hdb': `${md5('a')}:1:Ok\nnot-a-hash:1:Bad\n` });
  await assert.rejects(loadDatabases([dir], { strict: true }), (err: unknown) => isMoatError(err, 'SIGDB_MALFORMED') && /x\.hdb:2: hash must be/.test(err.message));
});

test('functionality levels select lines like ClamAV 1.4 (FLEVEL 210)', async () => {
  const dir = await dbDir({ 'x.ndb': 'Old:0:*:414243:1:100\nNew:0:*:414243:999\nNow:0:*:414243:200:220\n', 'y.ldb': 'Future;Engine:300-400,Target:0;0;414243\n' });
  const db = await loadDatabases([dir]);
  assert.deepEqual(db.body.map((b) => b.name), ['Now.UNOFFICIAL', EICAR_SIGNATURE_NAME]);
  assert.equal(db.counts.flevel_skipped, 3);
});

test('.ign2 drops signatures by name, or only the exact line when an MD5 is given', async () => {
  const kept = 'Keep.Me:0:*:414243';
  const dropByLine = 'Drop.Line:0:*:444546';
  const dir = await dbDir({
    'x.ndb': `${kept}\nDrop.Name:0:*:414243\n${dropByLine}\nDrop.Line2:0:*:474849\n`,
    'local.ign2': `Drop.Name\nDrop.Line:${md5(dropByLine)}\nDrop.Line2:${md5('something else')}\n`,
  });
  const db = await loadDatabases([dir]);
  assert.deepEqual(db.body.map((b) => b.name), ['Keep.Me.UNOFFICIAL', 'Drop.Line2.UNOFFICIAL', EICAR_SIGNATURE_NAME]);
  assert.equal(db.counts.ignored, 2);
});

test('PUA files load only when enabled', async () => {
  const dir = await dbDir({ 'p.ndu': 'PUA.Thing:0:*:414243\n' });
  assert.equal((await loadDatabases([dir])).body.length, 1);
  assert.equal((await loadDatabases([dir], { pua: true })).body.length, 2);
});

test('signed containers load with official names; the newer of .cvd/.cld wins; a tampered one is refused', async () => {
  const legacy = generateKey(1024, 100001027n);
  const info = generateKey(2048, 100002049n);
  const keys = { legacy, info };
  const old = buildContainer({ name: 'daily', version: 10, legacyKey: legacy, infoKey: info, members: { 'daily.ndb': 'Old.Sig:0:*:414243\n' } });
  const newer = buildContainer({ name: 'daily', version: 11, legacyKey: legacy, infoKey: info, kind: 'cld', members: { 'daily.ndb': 'New.Sig:0:*:414243\n' } });
  const dir = await dbDir({ 'daily.cvd': old, 'daily.cld': newer });
  const db = await loadDatabases([dir], { keys });
  assert.deepEqual(db.body.map((b) => b.name), ['New.Sig', EICAR_SIGNATURE_NAME]);
  assert.equal(db.version, 'daily:11,moat-builtin:1');
  const tampered = Buffer.from(old);
  tampered[600]! ^= 0xff;
  const dir2 = await dbDir({ 'daily.cvd': tampered });
  await assert.rejects(loadDatabases([dir2], { keys }), (err: unknown) => isMoatError(err, 'SIGDB_VERIFY'));
});

test('a missing path is a clear error', async () => {
  await assert.rejects(loadDatabases(['/nonexistent/db']), (err: unknown) => isMoatError(err, 'SIGDB_NOT_FOUND') && /\/nonexistent\/db/.test(err.message));
});
