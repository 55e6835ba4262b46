import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildContainer, generateKey } from '../../../test/support/cvd-builder.js';
import { openContainer, parseCvdHeader } from './cvd-container.js';
import { isMoatError } from '../../core/errors.js';
import { decodeSignatureNumber, encodeSignatureNumber, verifyLegacySignature } from './cvd-signature.js';

const legacyKey = generateKey(1024, 100001027n);
const infoKey = generateKey(2048, 100002049n);
const keys = { legacy: legacyKey, info: infoKey };
const spec = { name: 'daily', version: 27500, legacyKey, infoKey, members: { 'daily.hdb': '44d88612fea8a8f36de82e1278abb02f:68:Eicar-Hash\n', 'daily.ndb': 'Test.Sig:0:*:deadbeef\n' } };

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => isMoatError(err, 'SIGDB_VERIFY') && pattern.test(err.message));

test('custom base-64 round-trips (little-endian 6-bit digits)', () => {
  for (const v of [0n, 1n, 63n, 64n, 123456789012345678901234567890n]) assert.equal(decodeSignatureNumber(encodeSignatureNumber(v)), v);
  assert.equal(decodeSignatureNumber('ba'), 1n, 'first digit is least significant');
  assert.equal(decodeSignatureNumber('a!'), undefined);
});

test('a correctly signed CVD opens and lists its verified members', () => {
  const data = buildContainer(spec);
  const header = parseCvdHeader(data);
  assert.ok(typeof header !== 'string');
  assert.equal(header.version, 27500);
  const opened = openContainer('/db/daily.cvd', data, { keys });
  assert.deepEqual(opened.members.map((m) => m.name), ['daily.hdb', 'daily.ndb']);
});

test('the official ClamAV key does not accept a container signed by another key', () => {
  rejects(() => openContainer('/db/daily.cvd', buildContainer(spec)), /header digital signature does not verify/);
});

test('a byte flipped in the body is refused (MD5)', () => {
  const data = buildContainer(spec);
  data[data.length - 20]! ^= 1;
  rejects(() => openContainer('/db/daily.cvd', data, { keys }), /body MD5 .* does not match/);
});

test('a forged header signature is refused', () => {
  const data = buildContainer(spec);
  const header = data.subarray(0, 512).toString('latin1');
  const f = header.trimEnd().split(':');
  f[6] = encodeSignatureNumber(decodeSignatureNumber(f[6]!)! + 1n);
  const forged = Buffer.concat([Buffer.from(f.join(':').padEnd(512, ' '), 'latin1'), data.subarray(512)]);
  assert.equal(verifyLegacySignature(f[5]!, f[6]!, legacyKey), false);
  rejects(() => openContainer('/db/daily.cvd', forged, { keys }), /header digital signature/);
});

test('a member missing from the signed .info is refused', () => {
  rejects(() => openContainer('/db/daily.cvd', buildContainer({ ...spec, unlisted: { 'evil.ign2': 'Eicar-Hash\n' } }), { keys }), /evil\.ign2 is not listed/);
});

test('a .info signed by another key is refused even when the header is valid', () => {
  const other = generateKey(2048, 100002049n);
  rejects(() => openContainer('/db/daily.cvd', buildContainer({ ...spec, infoKey: other }), { keys }), /daily\.info digital signature does not verify/);
});

test('a CLD (plain tar, patched locally) is verified through its signed .info', () => {
  const data = buildContainer({ ...spec, kind: 'cld' });
  assert.equal(openContainer('/db/daily.cld', data, { keys }).members.length, 2);
});

test('a daily database built far in the future is refused', () => {
  rejects(() => openContainer('/db/daily.cvd', buildContainer({ ...spec, buildEpoch: 2_000_000_000 }), { keys, nowSeconds: 1_795_000_000 }), /in the future/);
});

test('garbage is refused with a clear reason, never a crash', () => {
  rejects(() => openContainer('/db/x.cvd', Buffer.from('hello'), { keys }), /shorter than the 512-byte header/);
  rejects(() => openContainer('/db/x.cvd', Buffer.alloc(600, 65), { keys }), /not a ClamAV database container/);
});

test('the official key verifies a real published daily.cvd header signature (daily 23182, 2017)', () => {
  // Header published in public documentation of the CVD format: ...:23182:1741572:63:<md5>:<dsig>:neo:1488891746
  const md5 = 'c1537143239006af01e814a4dcd58a48';
  const dsig =
    'QC2ZncCPK0AzfYPW8OKvde9GFOO1HyH5qbozl9JZbmlOmZnSV55zWaP9yH9tXiS+JmZWA1277X6pBeTHPCcaqUDakke4W58duZ5mavDGJoWekl3q/5RgVeAg39cM1X4zNf6gER8G+HIWDUka0sRQWal1KXAb1UWkFoKsbHVqgVi';
  assert.equal(verifyLegacySignature(md5, dsig), true);
  assert.equal(verifyLegacySignature('c1537143239006af01e814a4dcd58a49', dsig), false);
});
