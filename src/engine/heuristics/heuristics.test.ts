import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inspectFileName, normalizeFileName } from './filename-heuristics.js';
import { sniffContent, typeMismatch } from './content-heuristics.js';
import { memberHeuristics } from './member-heuristics.js';
import { enabledHeuristics, isHeuristicOn, switchFor, H } from './heuristic-names.js';
import { HeuristicsSection } from '../../core/config/sections/heuristics.js';

test('double extensions: decoy + executable, padding and trailing dots', () => {
  for (const n of ['invoice.pdf.exe', 'INVOICE.PDF.EXE', 'photo.jpg.scr', 'scan.doc          .exe', 'a.pdf..exe', 'report.pdf.exe. . ', 'c:\\x\\bill.xlsx.js']) {
    assert.equal(inspectFileName(n).doubleExtension, true, n);
  }
  for (const n of ['setup.exe', 'archive.tar.gz', 'report.pdf', 'my.app.v2.zip', 'notes.txt.bak', 'v1.2.exe']) {
    assert.equal(inspectFileName(n).doubleExtension, false, n);
  }
});

test('bidi and zero-width characters are found and removed for the extension', () => {
  const rtlo = inspectFileName('March 25 \u202Excod.scr');
  assert.equal(rtlo.bidi, true);
  assert.equal(rtlo.extension, 'scr');
  assert.equal(inspectFileName('in\u200Bvoice.exe').bidi, true);
  assert.equal(inspectFileName('x%E2%80%AEfdp.exe').bidi, true);
  assert.equal(inspectFileName('plain name.docx').bidi, false);
  assert.equal(normalizeFileName('dir/sub\\Na\u0308me.PDF . .'), 'n\u00e4me.pdf');
});

test('content sniffing and type mismatch', () => {
  const mz = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(10)]);
  assert.equal(sniffContent(mz), 'pe');
  assert.equal(typeMismatch('pdf', 'pe'), true);
  assert.equal(typeMismatch('pdf', 'pdf'), false);
  assert.equal(typeMismatch('docx', 'zip'), false);
  assert.equal(typeMismatch('docx', 'ole2'), false);
  assert.equal(typeMismatch('doc', 'zip'), true);
  assert.equal(typeMismatch('unknownext', 'pe'), false);
  assert.equal(typeMismatch('txt', 'other'), false);
});

test('member heuristics obey the switches', () => {
  const mz = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(10)]);
  const all = enabledHeuristics({ ...HeuristicsSection.parse({}), executable_in_archive: true, type_mismatch: true });
  assert.deepEqual(memberHeuristics(all, { name: 'invoice.pdf.exe', data: mz, insideArchive: true }), [H.doubleExtension, H.executableInArchive]);
  assert.deepEqual(memberHeuristics(all, { name: 'invoice.pdf', data: mz, insideArchive: false }), [H.typeMismatch]);
  assert.deepEqual(memberHeuristics(new Set(), { name: 'invoice.pdf.exe', data: mz, insideArchive: true }), []);
  assert.ok(isHeuristicOn(new Set([H.zipOverlap]), H.zipOverlap));
  assert.equal(switchFor('Heuristics.Encrypted.RAR'), 'encrypted');
  assert.equal(switchFor('Eicar-Signature'), undefined);
});

test('defaults: name spoofing and bombs on, the rest off (ClamAV-like)', () => {
  assert.deepEqual([...enabledHeuristics(HeuristicsSection.parse({}))].sort(), ['archive_bomb', 'bidi_filename', 'double_extension']);
  assert.throws(() => HeuristicsSection.parse({ encrypted: 'yes' }));
  assert.throws(() => HeuristicsSection.parse({ unknown_switch: true }));
});

test('filename inspection is total and bounded on any string', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (s) => {
      const r = inspectFileName(s);
      assert.equal(typeof r.normalized, 'string');
      assert.ok(!/[\u202a-\u202e\u2066-\u2069\u200b]/u.test(r.normalized));
    }),
    { numRuns: 2000 },
  );
});
