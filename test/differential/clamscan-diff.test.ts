/**
 * Differential test: Moat's matcher against the real clamscan (Debian ClamAV), file by file.
 * A seeded corpus of .ndb/.ldb signatures covering every supported syntax element is written
 * to a private database directory, with inputs that hit and narrowly miss each signature;
 * clamscan runs once over all inputs (--allmatch) and Moat must report exactly the same names.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { detectFileType } from '../../src/engine/filetype/detect-file-type.js';
import { parseExecutable } from '../../src/engine/filetype/parse-executable.js';
import { compileMatcher } from '../../src/engine/match/compile-matcher.js';
import { loadDatabases } from '../../src/engine/sigdb/load-databases.js';
import { buildCorpus } from './corpus-builder.js';
import { clamscanAvailable, clamscanDetections } from './clamscan-runner.js';

const SEEDS = [0x5eed01, 0x5eed02, 0x5eed03, 0x5eed04];

for (const seed of SEEDS) {
  test(`Moat detections equal clamscan's, seed ${seed.toString(16)}`, { skip: !clamscanAvailable() && 'clamscan not installed' }, async () => {
    const corpus = buildCorpus(seed);
    const dir = mkdtempSync(join(tmpdir(), 'moat-diff-'));
    try {
      const dbDir = join(dir, 'db');
      const inputs = join(dir, 'in');
      mkdirSync(dbDir);
      mkdirSync(inputs);
      writeFileSync(join(dbDir, 'moat-diff.ndb'), `${corpus.ndb.join('\n')}\n`);
      writeFileSync(join(dbDir, 'moat-diff.ldb'), `${corpus.ldb.join('\n')}\n`);
      const paths = corpus.files.map((f) => {
        const p = join(inputs, f.name);
        writeFileSync(p, f.bytes);
        return p;
      });

      // The real loader reads the directory, like the daemon does (names get `.UNOFFICIAL`).
      const db = await loadDatabases([dbDir]);
      assert.deepEqual(db.skipped, [], 'the loader accepts every generated line');
      assert.equal(db.body.length, corpus.ndb.length + 1); // + the built-in EICAR signature
      assert.equal(db.logical.length, corpus.ldb.length);
      const { matcher, rejected } = compileMatcher(db.body, db.logical);
      assert.deepEqual(rejected, [], 'every generated signature compiles');

      const clam = await clamscanDetections(dbDir, paths);
      const mismatches: string[] = [];
      let hitsSeen = 0;
      let hitFiles = 0;
      for (const f of corpus.files) {
        const type = detectFileType(f.bytes, f.name);
        const exe = parseExecutable(f.bytes);
        const ctx = exe ? { type, exe, containers: [], allMatch: true } : { type, containers: [], allMatch: true };
        const ours = new Set(matcher.scan(f.bytes, ctx).names);
        // Also through the streaming API, in small odd-sized chunks: same answer required.
        const s = matcher.createScan(ctx, f.bytes.length);
        for (let i = 0; i < f.bytes.length; i += 37) s.write(f.bytes.subarray(i, i + 37));
        const streamed = new Set(s.end().names);
        const theirs = clam.get(f.name) ?? new Set<string>();
        const fmt = (x: Set<string>): string => [...x].sort().join(',') || '-';
        if (fmt(ours) !== fmt(theirs)) mismatches.push(`${f.name} (${type}): moat=${fmt(ours)} clamscan=${fmt(theirs)}`);
        if (fmt(streamed) !== fmt(ours)) mismatches.push(`${f.name}: streamed=${fmt(streamed)} whole=${fmt(ours)}`);
        if (f.name.includes('.hit')) {
          hitFiles++;
          if (theirs.size > 0) hitsSeen++;
        }
      }
      assert.deepEqual(mismatches, []);
      // The corpus must exercise detections, not just agree on "nothing found".
      assert.ok(hitsSeen >= hitFiles * 0.9, `clamscan detected only ${hitsSeen}/${hitFiles} hit files`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
