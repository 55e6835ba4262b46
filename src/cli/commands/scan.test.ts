import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EICAR } from '../../engine/sigdb/builtin-database.js';

const dir = await mkdtemp(join(tmpdir(), 'moat-scan-cli-'));
const bin = new URL('../../../bin/moat.js', import.meta.url).pathname;
await mkdir(join(dir, 'tree/sub'), { recursive: true });
await writeFile(join(dir, 'tree/clean.txt'), 'nothing to see\n');
await writeFile(join(dir, 'tree/sub/eicar.com'), EICAR);
execFileSync('zip', ['-q', '-j', join(dir, 'tree/sub/packed.zip'), join(dir, 'tree/sub/eicar.com')]);
execFileSync('zip', ['-q', '-j', '-P', 'secret', join(dir, 'tree/locked.zip'), join(dir, 'tree/clean.txt')]);

function moat(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, 'scan', ...args], { input, encoding: 'utf8', env: { ...process.env, MOAT_CONFIG: '' }, cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a directory is scanned recursively; detections, OK, NOT SCANNED, summary; exit 1', () => {
  const r = moat([join(dir, 'tree')]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /clean\.txt: OK\n/);
  assert.match(r.out, /sub\/eicar\.com: Eicar-Test-Signature FOUND\n/);
  assert.match(r.out, /sub\/packed\.zip: Eicar-Test-Signature FOUND\n/);
  assert.match(r.out, /locked\.zip: NOT SCANNED \(encrypted\)\n/);
  assert.match(r.out, /Scanned files: 4\nInfected files: 2\n/);
});

test('clean input exits 0; --infected prints only infected paths', () => {
  const r = moat(['--no-summary', join(dir, 'tree/clean.txt')]);
  assert.equal(r.code, 0);
  assert.equal(r.out, `${join(dir, 'tree/clean.txt')}: OK\n`);
  const i = moat(['--no-summary', '-i', join(dir, 'tree')]);
  assert.doesNotMatch(i.out, /OK/);
});

test('stdin is scanned with "-"', () => {
  const r = moat(['--no-summary', '-'], `prefix\n${EICAR}`);
  assert.equal(r.code, 0, 'EICAR not at offset 0 is not the test file');
  const r2 = moat(['--no-summary', '-'], EICAR);
  assert.equal(r2.code, 1);
  assert.equal(r2.out, 'stdin: Eicar-Test-Signature FOUND\n');
});

test('--json prints one object per path with the object tree', () => {
  const r = moat(['--json', join(dir, 'tree/sub/packed.zip')]);
  const obj = JSON.parse(r.out.trim());
  assert.equal(obj.verdict, 'infected');
  assert.equal(obj.tree.type, 'CL_TYPE_ZIP');
  assert.equal(obj.tree.children[0].name, 'eicar.com');
  assert.equal(obj.tree.children[0].state, 'infected');
});

test('a missing path is an error (exit 2); a malformed database line is reported with file:line', async () => {
  assert.equal(moat(['/nonexistent/x']).code, 2);
  await writeFile(join(dir, 'bad.ndb'), 'Ok.Sig:0:*:6e6f7468696e67\nBroken:0:*\n');
  const r = moat(['-d', join(dir, 'bad.ndb'), '--no-summary', join(dir, 'tree/clean.txt')]);
  assert.match(r.err, /bad\.ndb:2: malformed ndb signature/);
  assert.match(r.out, /clean\.txt: Ok\.Sig\.UNOFFICIAL FOUND/);
  assert.equal(moat(['-d', join(dir, 'bad.ndb'), '--strict-db', join(dir, 'tree/clean.txt')]).code, 2);
});

test('limit flags are applied and validated', () => {
  const r = moat(['--no-summary', '--max-recursion', '0', join(dir, 'tree/sub/packed.zip')]);
  assert.equal(r.out, `${join(dir, 'tree/sub/packed.zip')}: NOT SCANNED (depth_exceeded)\n`);
  assert.equal(moat(['--max-filesize', 'lots', 'x']).code, 2);
});

test('an mbox is reported message by message', async () => {
  const b64 = Buffer.from(EICAR).toString('base64');
  const msg = (att: string) => `From: a@example.com\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nhello\n${att}--B--\n`;
  const infected = msg(`--B\nContent-Type: application/octet-stream; name=e.com\nContent-Transfer-Encoding: base64\n\n${b64}\n`);
  await writeFile(join(dir, 'box.mbox'), `From a@example.com Sat Nov 21 10:00:00 2026\n${msg('')}\nFrom b@example.com Sat Nov 21 10:00:01 2026\n${infected}\nFrom c@example.com Sat Nov 21 10:00:02 2026\n${msg('')}\n`);
  const r = moat(['--no-summary', join(dir, 'box.mbox')]);
  assert.equal(r.code, 1);
  const p = join(dir, 'box.mbox');
  assert.equal(r.out, `${p}#1: OK\n${p}#2: Eicar-Test-Signature FOUND\n${p}#3: OK\n`);
});
