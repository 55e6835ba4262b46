import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../core/limits.js';
import { openEngine } from '../engine-snapshot.js';
import { buildSnapshot, createScanner } from '../scanner.js';
import { EICAR } from '../sigdb/builtin-database.js';
import { unpackersByType } from '../unpack/registry-map.js';
import { CleanCache } from './clean-cache.js';
import { scanTree, type TreeScanOptions } from './scan-tree.js';

const dir = await mkdtemp(join(tmpdir(), 'moat-clean-cache-'));
after(() => rm(dir, { recursive: true, force: true }));
const { snapshot } = await buildSnapshot({ paths: [], strict: false, pua: false });
const engine = openEngine(snapshot);
const unpackers = unpackersByType();

function options(cache: CleanCache, extra: Partial<TreeScanOptions> = {}): TreeScanOptions {
  return { engine, unpackers, limits: { ...DEFAULT_LIMITS }, heuristics: new Set(), allMatch: false, signal: new AbortController().signal, cleanCache: cache, ...extra };
}

function mail(messageId: string, attachment: Buffer): Buffer {
  const b64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: a@example.com\r\nTo: b@example.com\r\nMessage-ID: <${messageId}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XX"\r\n\r\n` +
      `--XX\r\nContent-Type: text/plain\r\n\r\nHello\r\n--XX\r\nContent-Type: application/octet-stream; name="logo.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--XX--\r\n`,
  );
}

test('least recently used entries go first; a hit refreshes an entry; capacity 0 keeps nothing', () => {
  const cache = new CleanCache(2);
  cache.add('a');
  cache.add('b');
  assert.equal(cache.has('a'), true);
  cache.add('c');
  assert.equal(cache.has('b'), false, 'b was the least recently used');
  assert.equal(cache.has('a'), true);
  assert.equal(cache.has('c'), true);
  assert.equal(cache.hits, 3);
  const none = new CleanCache(0);
  none.add('a');
  assert.equal(none.has('a'), false);
});

test('two messages with the same attachment: the second finds the parts in the cache, never the message itself', async () => {
  const cache = new CleanCache(100);
  const logo = Buffer.alloc(30_000, 7);
  const first = await scanTree(mail('one', logo), options(cache, { isMail: true }));
  assert.equal(first.root.state, 'clean');
  assert.equal(cache.hits, 0);
  assert.equal(cache.size, 2, 'the text part and the attachment, not the message');
  const second = await scanTree(mail('two', logo), options(cache, { isMail: true }));
  assert.equal(second.root.state, 'clean');
  assert.equal(cache.hits, 2);
  assert.deepEqual(second.root.children.map((c) => c.name), first.root.children.map((c) => c.name), 'the tree still lists every part');
});

test('an infected object is never remembered, and the same bytes stay infected', async () => {
  const cache = new CleanCache(100);
  for (let i = 0; i < 2; i++) {
    const r = await scanTree(mail(`eicar-${i}`, Buffer.from(EICAR, 'latin1')), options(cache, { isMail: true, allMatch: true }));
    assert.equal(r.root.children.find((c) => c.name === 'logo.bin')?.state, 'infected');
  }
  assert.equal(cache.size, 1, 'only the clean text part');
});

test('the same bytes in another place of the tree or under other options are scanned again', async () => {
  const cache = new CleanCache(100);
  const file = join(dir, 'data.bin');
  const bytes = Buffer.alloc(5_000, 3);
  await writeFile(file, bytes);
  execFileSync('zip', ['-q', '-j', join(dir, 'data.zip'), file]);
  await scanTree(bytes, options(cache));
  assert.equal(cache.size, 1);
  await scanTree(await readFile(join(dir, 'data.zip')), options(cache));
  assert.equal(cache.hits, 0, 'inside a zip the object has a container and a depth: another key');
  await scanTree(bytes, options(cache, { heuristics: new Set(['encrypted']) }));
  await scanTree(bytes, options(cache, { limits: { ...DEFAULT_LIMITS, maxDepth: 3 } }));
  assert.equal(cache.hits, 0, 'other heuristics or limits: another key');
  await scanTree(bytes, options(cache));
  assert.equal(cache.hits, 1);
  await scanTree(bytes, options(cache, { objectHashes: true }));
  assert.equal(cache.hits, 1, 'a scan that lists every object hash does not use the cache');
});

test('the scanner counts cache hits; a new database forgets what the old one found clean (one worker)', async () => {
  await writeFile(join(dir, 'marker.ndb'), 'Moat.Test.CacheMarker:0:*:6d6f61742d63616368652d6d61726b6572\n');
  const scanner = createScanner({ snapshot, workers: 1, cleanCacheEntries: 100 });
  try {
    const sample = Buffer.from('xx moat-cache-marker xx '.repeat(100));
    assert.equal((await scanner.scan({ kind: 'buffer', data: sample })).verdict, 'clean');
    assert.equal(scanner.stats().cacheHits, 0);
    assert.equal((await scanner.scan({ kind: 'buffer', data: sample })).verdict, 'clean');
    assert.equal(scanner.stats().cacheHits, 1, 'the second scan was answered from the cache (counted for metrics and STATS)');
    scanner.reload((await buildSnapshot({ paths: [join(dir, 'marker.ndb')], strict: false, pua: false })).snapshot);
    assert.deepEqual((await scanner.scan({ kind: 'buffer', data: sample })).detections, ['Moat.Test.CacheMarker.UNOFFICIAL']);
  } finally {
    await scanner.close();
  }
});
