/**
 * The engine benchmark's corpus and signature database, generated together from one seed so
 * some files carry planted signatures (body, logical, whole-file hash) and the rest are clean:
 * real executables from /usr/bin, pseudo-English text, random binaries and gzip'd text.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { benchRandom, type BenchRandom } from './bench-random.js';

export interface BenchScale {
  hashes: number;
  bodySigs: number;
  logicalSigs: number;
  corpusMb: number;
  seed: number;
}

export interface BenchFixture {
  dbDir: string;
  corpusDir: string;
  files: number;
  bytes: number;
  /** Planted detections by file name (what both scanners must report). */
  planted: Map<string, string>;
}

/** One planted pattern: literal pieces separated by gaps, so wildcard forms are exercised too. */
interface Planted {
  name: string;
  pattern: string;
  bytes(r: BenchRandom): Uint8Array;
}

const WORDS = 'the of and to in is that for it as with was on be by at this from or have an are not which but all were when we there can their one has been more if will would so no other time about some what into only new could than them these two may any then do first now such like over also most where after even through back much before well way our between same how under must each out both those while long state because still life during without public against government system'.split(' ');

function plantedPatterns(r: BenchRandom, count: number): Planted[] {
  const out: Planted[] = [];
  for (let i = 0; i < count; i++) {
    const a = r.hex(r.int(5, 8));
    const b = r.hex(r.int(5, 8));
    const gap = r.int(2, 20);
    const kind = i % 4;
    const pattern = kind === 0 ? a + b : kind === 1 ? `${a}??${b}` : kind === 2 ? `${a}{${gap}-${gap + 10}}${b}` : `${a}*${b}`;
    const fill = kind === 0 ? 0 : kind === 1 ? 1 : kind === 2 ? gap + 3 : 200;
    out.push({
      name: `Moat.Bench.Planted-${i}`,
      pattern,
      bytes: (rr) => Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(rr.bytes(fill)), Buffer.from(b, 'hex')]),
    });
  }
  return out;
}

/** A random body signature in the shapes real .ndb files use (literal, ??, {n-m}, *, alternatives, nibbles). */
function randomBodySig(r: BenchRandom, i: number): string {
  switch (i % 7) {
    case 0: return r.hex(r.int(8, 24));
    case 1: return `${r.hex(r.int(4, 8))}??${r.hex(r.int(4, 8))}`;
    case 2: return `${r.hex(r.int(4, 8))}{${r.int(0, 8)}-${r.int(9, 40)}}${r.hex(r.int(4, 8))}`;
    case 3: return `${r.hex(r.int(4, 8))}*${r.hex(r.int(4, 8))}`;
    case 4: return `${r.hex(r.int(4, 6))}(${r.hex(1)}|${r.hex(1)}|${r.hex(1)})${r.hex(r.int(4, 6))}`;
    case 5: return `${r.hex(4)}${r.int(0, 15).toString(16)}?${r.hex(r.int(4, 8))}{${r.int(1, 60)}}${r.hex(4)}`;
    default: return `${r.hex(r.int(6, 12))}{-${r.int(1, 30)}}${r.hex(r.int(4, 6))}`;
  }
}

function text(r: BenchRandom, size: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const line: string[] = [];
    for (let w = r.int(6, 14); w > 0; w--) line.push(WORDS[r.int(0, WORDS.length - 1)]!);
    const s = `${line.join(' ')}.\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join('').slice(0, size));
}

function executables(maxBytes: number): Buffer[] {
  const out: Buffer[] = [];
  let total = 0;
  for (const name of readdirSync('/usr/bin').sort()) {
    if (total >= maxBytes) break;
    try {
      const p = join('/usr/bin', name);
      const st = statSync(p);
      if (!st.isFile() || st.size < 8192 || st.size > 8 * 1024 * 1024) continue;
      const b = readFileSync(p);
      if (b[0] !== 0x7f || b[1] !== 0x45) continue; // ELF only: scripts are covered by the text files
      out.push(b);
      total += b.length;
    } catch {
      continue;
    }
  }
  return out;
}

async function writeLines(path: string, count: number, line: (i: number) => string, extra: string[]): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    if (!out.write(`${line(i)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  for (const l of extra) out.write(`${l}\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

export async function generateFixture(root: string, scale: BenchScale): Promise<BenchFixture> {
  const r = benchRandom(scale.seed);
  const dbDir = join(root, 'db');
  const corpusDir = join(root, 'corpus');
  mkdirSync(dbDir, { recursive: true });
  mkdirSync(corpusDir, { recursive: true });
  const planted = new Map<string, string>();
  const bodyPlants = plantedPatterns(r, 40);
  const ldbPlants = Array.from({ length: 10 }, (_, i) => ({ name: `Moat.Bench.Logical-${i}`, a: r.hex(8), b: r.hex(8) }));
  const hashPlants: string[] = [];

  const budget = scale.corpusMb * 1024 * 1024;
  const exes = executables(budget * 0.35);
  let bytes = 0;
  let files = 0;
  let exeIndex = 0;
  while (bytes < budget) {
    const kind = files % 10;
    let data: Buffer;
    let ext: string;
    if (kind < 3 && exeIndex < exes.length) {
      data = exes[exeIndex++]!;
      ext = 'elf';
    } else if (kind < 6) {
      data = text(r, r.int(2_000, 400_000));
      ext = 'txt';
    } else if (kind < 8) {
      data = Buffer.from(r.bytes(r.int(4_000, 1_500_000)));
      ext = 'bin';
    } else {
      data = text(r, r.int(20_000, 800_000));
      ext = 'gz';
    }
    const name = `f${String(files).padStart(6, '0')}.${ext}`;
    // Every 25th file gets a planted body signature, every 97th a logical one (inside gzip too).
    if (files % 25 === 7) {
      const p = bodyPlants[(files / 25) % bodyPlants.length | 0]!;
      const at = r.int(0, data.length);
      data = Buffer.concat([data.subarray(0, at), p.bytes(r), data.subarray(at)]);
      planted.set(name, p.name);
    } else if (files % 97 === 11) {
      const p = ldbPlants[(files / 97) % ldbPlants.length | 0]!;
      data = Buffer.concat([data.subarray(0, 100), Buffer.from(p.a, 'hex'), data.subarray(100), Buffer.from(p.b, 'hex')]);
      planted.set(name, p.name);
    }
    if (ext === 'gz') data = gzipSync(data, { level: 6 });
    if (files % 61 === 5 && !planted.has(name)) {
      const hname = `Moat.Bench.Hash-${hashPlants.length}`;
      hashPlants.push(`${createHash('md5').update(data).digest('hex')}:${data.length}:${hname}`);
      planted.set(name, hname);
    }
    writeFileSync(join(corpusDir, name), data);
    bytes += data.length;
    files++;
  }

  await writeLines(join(dbDir, 'bench.hdb'), scale.hashes, () => `${r.hex(16)}:${r.int(100, 5_000_000)}:Moat.Bench.RandomHash`, hashPlants);
  await writeLines(join(dbDir, 'bench.ndb'), scale.bodySigs, (i) => `Moat.Bench.Body-${i}:0:*:${randomBodySig(r, i)}`, bodyPlants.map((p) => `${p.name}:0:*:${p.pattern}`));
  await writeLines(
    join(dbDir, 'bench.ldb'),
    scale.logicalSigs,
    (i) => `Moat.Bench.Lsig-${i};Engine:51-255,Target:0;0&1;${r.hex(6)};${r.hex(4)}*${r.hex(4)}`,
    ldbPlants.map((p) => `${p.name};Engine:51-255,Target:0;0&1;${p.a};${p.b}`),
  );
  return { dbDir, corpusDir, files, bytes, planted };
}
