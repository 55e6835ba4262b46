import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { createQuarantineService } from './quarantine-service.js';
import { smtpDeliver } from './smtp-deliver.js';
import { silentLogger } from '../core/logger.js';
import { isMoatError } from '../core/errors.js';
import { claimsMoatVerdict } from '../antispam/foreign-verdict.js';
import { removeFields } from '../mail/rewrite/header-rewrite.js';

async function sink(refuse: () => boolean) {
  const received: Array<{ from: string; to: string[]; data: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse()) return cb(Object.assign(new Error('try later'), { responseCode: 451 }));
        received.push({ from: (session.envelope.mailFrom as { address: string }).address, to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString() });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { received, port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('release re-injects to the original recipients exactly once, even when called concurrently and again', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-q-'));
  const store = openSqliteStore(dir);
  let refuse = true;
  const next = await sink(() => refuse);
  try {
    const service = createQuarantineService({ store: store.quarantine, deliver: smtpDeliver('127.0.0.1', next.port), logger: silentLogger() });
    const message = Buffer.from('Subject: held\r\n\r\nbody\r\n');
    const id = await store.quarantine.put({ transactionId: 't', envelope: { mailFrom: 's@x.test', rcptTo: ['a@x.test', 'b@x.test'] }, client: {}, reason: 'infected', detections: ['X'], recipients: ['a@x.test'] }, message, new Date());
    assert.equal(service.list()[0]!.id, id);

    await assert.rejects(service.release(id), (err: unknown) => isMoatError(err, 'NEXT_HOP_TEMPFAIL'));
    assert.equal(store.quarantine.get(id)!.status, 'held', 'a failed delivery leaves it held for a retry');

    refuse = false;
    const results = await Promise.all([service.release(id), service.release(id), service.release(id)]);
    assert.equal(results.filter((r) => r.status === 'released').length, 1);
    assert.equal((await service.release(id)).status, 'already');
    assert.equal(next.received.length, 1);
    assert.deepEqual(next.received[0]!.to, ['a@x.test'], 'only the recipients it was quarantined for');
    assert.equal(next.received[0]!.from, 's@x.test');
    assert.match(next.received[0]!.data, /Subject: held/);
    assert.equal(store.quarantine.get(id)!.status, 'released');
  } finally {
    await next.close();
    store.close();
  }
});

test('delete and expire; unknown ids are a clear error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-q-'));
  const store = openSqliteStore(dir);
  try {
    const service = createQuarantineService({ store: store.quarantine, deliver: async () => {}, logger: silentLogger() });
    const old = await store.quarantine.put({ transactionId: 'o', envelope: { mailFrom: '', rcptTo: ['a@x'] }, client: {}, reason: 'spam', detections: [], recipients: ['a@x'] }, Buffer.from('x'), new Date(Date.now() - 40 * 86_400_000));
    const fresh = await store.quarantine.put({ transactionId: 'f', envelope: { mailFrom: '', rcptTo: ['a@x'] }, client: {}, reason: 'spam', detections: [], recipients: ['a@x'] }, Buffer.from('y'), new Date());
    assert.equal(service.expire(30), 1);
    assert.equal(store.quarantine.get(old), undefined);
    assert.ok(service.delete(fresh));
    assert.throws(() => service.delete(fresh), (err: unknown) => isMoatError(err, 'QUARANTINE_NOT_FOUND'));
    await assert.rejects(service.show('../../etc/passwd'), (err: unknown) => isMoatError(err, 'QUARANTINE_NOT_FOUND'));
  } finally {
    store.close();
  }
});

test('release as ham teaches the spam classifier the released message', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-q-'));
  const store = openSqliteStore(dir);
  try {
    const learned: Array<[string, string]> = [];
    const service = createQuarantineService({
      store: store.quarantine,
      deliver: async () => {},
      logger: silentLogger(),
      spamScorer: { check: async () => { throw new Error('not used'); }, learn: async (m, as) => void learned.push([Buffer.from(m).toString(), as]) },
    });
    const id = await store.quarantine.put({ transactionId: 't', envelope: { mailFrom: 'a@x', rcptTo: ['b@x'] }, client: {}, reason: 'spam', detections: [], recipients: ['b@x'] }, Buffer.from('Subject: newsletter\r\n\r\nhi\r\n'), new Date());
    await service.release(id, { asHam: true });
    assert.deepEqual(learned, [['Subject: newsletter\r\n\r\nhi\r\n', 'ham']]);
  } finally {
    store.close();
  }
});

test('release as ham with the Bayes store down: the message is released once, and the failed learning is reported, not a failed release', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-q-'));
  const store = openSqliteStore(dir);
  try {
    const delivered: string[][] = [];
    const service = createQuarantineService({
      store: store.quarantine,
      deliver: async (envelope) => void delivered.push(envelope.rcptTo),
      logger: silentLogger(),
      spamScorer: { check: async () => { throw new Error('not used'); }, learn: async () => { throw new Error('BAYES_STORE_UNAVAILABLE: Redis is not connected'); } },
    });
    const id = await store.quarantine.put({ transactionId: 't', envelope: { mailFrom: 'a@x', rcptTo: ['b@x'] }, client: {}, reason: 'spam', detections: [], recipients: ['b@x'] }, Buffer.from('Subject: newsletter\r\n\r\nhi\r\n'), new Date());
    const r = await service.release(id, { asHam: true });
    assert.equal(r.status, 'released');
    assert.match(r.status === 'released' ? (r.learnError ?? '') : '', /Redis is not connected/);
    assert.equal(store.quarantine.get(id)!.status, 'released');
    assert.equal((await service.release(id, { asHam: true })).status, 'already', 'not sent twice');
    assert.deepEqual(delivered, [['b@x']]);
  } finally {
    store.close();
  }
});

test('a released message leaves as Moat passes mail on (the sender\'s forged verdict fields removed); learning as ham takes the stored original', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'moat-q-'));
  const store = openSqliteStore(dir);
  try {
    const delivered: string[] = [];
    const learned: string[] = [];
    const forged = claimsMoatVerdict({ enabled: true, authentication: true, authserv_id: 'mx.ours.test' })!;
    const service = createQuarantineService({
      store: store.quarantine,
      deliver: async (_envelope, message) => void delivered.push(message.toString()),
      logger: silentLogger(),
      spamScorer: { check: async () => { throw new Error('not used'); }, learn: async (m) => void learned.push(Buffer.from(m).toString()) },
      passedOn: (original) => removeFields(original, forged).message,
    });
    const original = 'X-Spam-Flag: NO\r\nAuthentication-Results: mx.ours.test; dkim=pass\r\nSubject: held\r\n\r\nhi\r\n';
    const id = await store.quarantine.put({ transactionId: 't', envelope: { mailFrom: 'a@x', rcptTo: ['b@x'] }, client: {}, reason: 'spam', detections: [], recipients: ['b@x'] }, Buffer.from(original), new Date());
    await service.release(id, { asHam: true });
    assert.deepEqual(delivered, ['Subject: held\r\n\r\nhi\r\n']);
    assert.deepEqual(learned, [original]);
  } finally {
    store.close();
  }
});
