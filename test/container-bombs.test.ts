import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zipUnpacker } from '../src/engine/unpack/zip/zip-unpacker.js';
import { testContext } from './fixtures/containers/test-context.js';
import { unpackTree } from './fixtures/containers/unpack-tree.js';
import { recursiveZipBomb } from './fixtures/containers/bomb-builders.js';
import { overlapBomb, quotedOverlapBomb } from './fixtures/containers/zip-writer.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sevenZipBombFixtures } from './fixtures/containers/sevenzip-fixtures.js';
import { sevenZipArchiveUnpacker } from '../src/engine/unpack/sevenzip/seven-zip-formats.js';
import { collect } from './fixtures/containers/test-context.js';

const pickZip = (d: Uint8Array) => (d[0] === 0x50 && d[1] === 0x4b ? zipUnpacker : undefined);

/** Memory measured as the growth of RSS over the run; the bomb expands to terabytes, the budget allows ~hundreds of MB. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; rssGrowth: number; heapGrowth: number }> {
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  let peakRss = rss0;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return { result, ms, rssGrowth: peakRss - rss0, heapGrowth: process.memoryUsage().heapUsed - heap0 };
}

test('recursive 42.zip-style bomb (16 × 5 layers, 64 MiB kernel ≈ 64 TiB) ends within limits at flat memory', async () => {
  const bomb = recursiveZipBomb(64 * 1024 * 1024, 16, 5);
  const ctx = testContext();
  const { result, ms, rssGrowth } = await measure(() => unpackTree(bomb, pickZip, ctx));
  console.log(`42-style: ${bomb.length} bytes in, ${result.objects} objects, ${JSON.stringify(result.states)}, ${ms.toFixed(0)} ms, rss +${(rssGrowth / 1048576).toFixed(1)} MiB`);
  assert.ok(result.heuristics.has('Heuristics.Moat.ArchiveBomb'));
  assert.ok((result.states.too_big ?? 0) > 0);
  // Each open container may add one MaxFiles marker when the budget runs out.
  assert.ok(result.objects <= ctx.budget.limits.maxObjects + ctx.budget.limits.maxDepth, String(result.objects));
  assert.ok(ms < 15_000, `took ${ms} ms`);
  assert.ok(rssGrowth < 300 * 1024 * 1024, `rss grew ${rssGrowth}`);
});

test('recursive bomb with the ratio limit off: the per-object and scan byte caps bound it', async () => {
  const bomb = recursiveZipBomb(32 * 1024 * 1024, 8, 4);
  const ctx = testContext({ maxCompressionRatio: 1e9, maxObjectBytes: 8 * 1024 * 1024, maxScanBytes: 64 * 1024 * 1024 });
  const { result, ms, rssGrowth } = await measure(() => unpackTree(bomb, pickZip, ctx));
  console.log(`ratio-off: ${result.objects} objects, ${JSON.stringify(result.states)}, ${ms.toFixed(0)} ms, rss +${(rssGrowth / 1048576).toFixed(1)} MiB`);
  assert.ok(result.bytes <= 64 * 1024 * 1024);
  assert.ok(result.heuristics.has('Heuristics.Limits.Exceeded.MaxFileSize'));
  assert.ok(ms < 15_000);
  assert.ok(rssGrowth < 300 * 1024 * 1024, `rss grew ${rssGrowth}`);
});

test('depth limit: nesting deeper than max_depth stops with depth_exceeded', async () => {
  const bomb = recursiveZipBomb(1024, 1, 25);
  const ctx = testContext({ maxDepth: 17 });
  const { result } = await measure(() => unpackTree(bomb, pickZip, ctx));
  assert.equal(result.maxDepth, 17);
  assert.equal(result.states.depth_exceeded, 1);
});

test('non-recursive overlapping bombs (Fifield) finish within limits at flat memory', async () => {
  // zbsm-like: 42 kB-class input that would expand to gigabytes.
  for (const [label, bomb] of [
    ['full overlap 64 MiB × 4000', overlapBomb(64 * 1024 * 1024, 4000)],
    ['quoted overlap 4 MiB × 3000', quotedOverlapBomb(4 * 1024 * 1024, 3000)],
  ] as const) {
    const ctx = testContext();
    const { result, ms, rssGrowth } = await measure(() => unpackTree(bomb, pickZip, ctx));
    console.log(`${label}: ${bomb.length} bytes in, ${result.objects} objects, ${JSON.stringify(result.states)}, ${ms.toFixed(0)} ms, rss +${(rssGrowth / 1048576).toFixed(1)} MiB`);
    assert.ok(result.heuristics.has('Heuristics.Zip.OverlappingFiles'));
    assert.ok(result.bytes <= 8 * 1024 * 1024 + 1_000_000, `produced ${result.bytes}`);
    assert.ok(ms < 10_000);
    assert.ok(rssGrowth < 200 * 1024 * 1024, `rss grew ${rssGrowth}`);
  }
});

test('7z bombs (made by 7-Zip): declared sizes are refused before decoding, the scan budget bounds the rest', async () => {
  const dir = sevenZipBombFixtures();
  const one = new Uint8Array(readFileSync(join(dir, 'one-gib.7z')));
  const m1 = await measure(() => collect(sevenZipArchiveUnpacker, one, testContext()));
  console.log(`7z 1 GiB zeros: ${one.length} bytes in, ${JSON.stringify(m1.result.map((o) => o.state))}, ${m1.ms.toFixed(0)} ms, rss +${(m1.rssGrowth / 1048576).toFixed(1)} MiB`);
  assert.equal(m1.result[0]!.state, 'too_big');
  assert.ok(m1.rssGrowth < 100 * 1024 * 1024);
  for (const f of ['many-nonsolid.7z', 'many.7z']) {
    const many = new Uint8Array(readFileSync(join(dir, f)));
    const ctx2 = testContext({ maxScanBytes: 128 * 1024 * 1024 });
    // Consume without keeping the members, like the scanner: memory is what 7-Zip's in-memory FS holds.
    let extracted = 0;
    let limited = 0;
    const m3 = await measure(async () => {
      for await (const o of sevenZipArchiveUnpacker.unpack(many, ctx2)) {
        ctx2.budget.takeObject();
        if (o.data) extracted++;
        else limited++;
      }
    });
    console.log(`7z 40 × 16 MiB (${f}): ${many.length} bytes in, ${extracted} extracted, ${limited} limited, ${m3.ms.toFixed(0)} ms, rss +${(m3.rssGrowth / 1048576).toFixed(1)} MiB`);
    assert.equal(extracted, 8);
    assert.equal(limited, 32);
    assert.ok(m3.ms < 15_000);
  }
});
