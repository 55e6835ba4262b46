import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { detectFileType } from './detect-file-type.js';
import { parseExecutable } from './parse-executable.js';

/** Minimal PE32: MZ header, PE header, optional header, two sections; EP RVA 0x1010 in section 0. */
function tinyPe(): Uint8Array {
  const b = new Uint8Array(0x600);
  const dv = new DataView(b.buffer);
  b.set([0x4d, 0x5a]);
  dv.setUint32(0x3c, 0x80, true);
  b.set([0x50, 0x45, 0, 0], 0x80);
  dv.setUint16(0x86, 2, true); // sections
  dv.setUint16(0x94, 0xe0, true); // optional header size
  const opt = 0x98;
  dv.setUint16(opt, 0x10b, true);
  dv.setUint32(opt + 16, 0x1010, true); // AddressOfEntryPoint
  dv.setUint32(opt + 32, 0x1000, true); // SectionAlignment
  dv.setUint32(opt + 36, 0x200, true); // FileAlignment
  dv.setUint32(opt + 60, 0x200, true); // SizeOfHeaders
  const sec = opt + 0xe0;
  const put = (i: number, va: number, vs: number, raw: number, rs: number): void => {
    const o = sec + i * 40;
    dv.setUint32(o + 8, vs, true);
    dv.setUint32(o + 12, va, true);
    dv.setUint32(o + 16, rs, true);
    dv.setUint32(o + 20, raw, true);
  };
  put(0, 0x1000, 0x100, 0x200, 0x200);
  put(1, 0x2000, 0x100, 0x400, 0x200);
  return b;
}

test('PE: entry point file offset and sections', () => {
  const info = parseExecutable(tinyPe());
  assert.ok(info);
  assert.equal(info.format, 'pe');
  assert.equal(info.entryPoint, 0x210);
  assert.deepEqual(info.sections.map((s) => [s.rawOffset, s.rawSize]), [[0x200, 0x200], [0x400, 0x200]]);
  assert.equal(detectFileType(tinyPe()), 'CL_TYPE_MSEXE');
});

test('ELF: a real system binary parses with its entry point inside the file', () => {
  const ls = readFileSync('/bin/ls');
  const info = parseExecutable(ls);
  assert.ok(info);
  assert.equal(info.format, 'elf');
  assert.ok(info.entryPoint > 0 && info.entryPoint < ls.length);
  assert.ok(info.sections.length > 5);
  assert.equal(detectFileType(ls), 'CL_TYPE_ELF');
});

test('Mach-O: LC_MAIN entry offset and sections', () => {
  const b = new Uint8Array(0x400);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0xfeedfacf, true); // little-endian 64-bit magic (bytes cf fa ed fe)
  dv.setUint32(16, 2, true); // ncmds
  let at = 32;
  dv.setUint32(at, 0x19, true); // LC_SEGMENT_64 with one section
  dv.setUint32(at + 4, 72 + 80, true);
  dv.setBigUint64(at + 24, 0x100000000n, true);
  dv.setBigUint64(at + 32, 0x1000n, true);
  dv.setUint32(at + 64, 1, true);
  const s = at + 72;
  dv.setBigUint64(s + 32, 0x100000100n, true);
  dv.setBigUint64(s + 40, 0x80n, true);
  dv.setUint32(s + 48, 0x100, true);
  at += 72 + 80;
  dv.setUint32(at, 0x80000028, true); // LC_MAIN
  dv.setUint32(at + 4, 24, true);
  dv.setBigUint64(at + 8, 0x120n, true);
  const info = parseExecutable(b);
  assert.deepEqual(info, { format: 'macho', entryPoint: 0x120, sections: [{ virtualAddress: 0x100000100, virtualSize: 0x80, rawOffset: 0x100, rawSize: 0x80 }] });
  assert.equal(detectFileType(b), 'CL_TYPE_MACHO');
});

test('random and mutated executables never throw', () => {
  const seeds = [tinyPe(), readFileSync('/bin/ls').subarray(0, 8192)];
  fc.assert(
    fc.property(
      fc.constantFrom(0, 1),
      fc.array(fc.tuple(fc.nat(8191), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
      fc.nat(8192),
      (which, edits, cut) => {
        const b = Uint8Array.from(seeds[which]!).subarray(0, Math.max(2, cut));
        for (const [at, v] of edits) if (at < b.length) b[at] = v;
        const info = parseExecutable(b);
        if (info) {
          assert.ok(Number.isFinite(info.entryPoint));
          assert.ok(info.sections.length <= 1024);
        }
        detectFileType(b);
      },
    ),
    { numRuns: 3000, seed: 3 },
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => {
    parseExecutable(b);
    detectFileType(b, 'x.html');
  }), { numRuns: 2000, seed: 4 });
});
