/**
 * The engine benchmark's corpus and signature database, generated together from one seed so
 * some files carry planted signatures (body, logical, whole-file hash) and the rest are clean:
 * real executables from /usr/bin, pseudo-English text, HTML, MIME mail with a base64 attachment,
 * OOXML-like .docx archives made with the `zip` command, random binaries and gzip'd text.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, createWriteStream } from 'node:fs';
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

/** Frequent prefixes (x86 prologues, zero runs, HTML/mail/English text) so anchors are not trivially rare. */
const COMMON = ['554889e5', '4883ec08', 'e800000000', '00000000', 'ffffffff', '0f1f4000', '4889c7e8', '3c64697620636c6173733d22', '436f6e74656e742d547970653a20', '20746865', '687474703a2f2f', '3c2f703e0a'];

/** A random body signature in the shapes real .ndb files use (literal, ??, {n-m}, *, alternatives, nibbles). */
function randomBodySig(r: BenchRandom, i: number): string {
  // Every 8th signature starts with bytes that are common in the corpus (only its random tail is rare).
  if (i % 8 === 7) return `${COMMON[i % COMMON.length]!}${r.hex(r.int(4, 8))}`;
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

function html(r: BenchRandom, size: number): Buffer {
  const t = text(r, size).toString('latin1').split('\n');
  const body = t.map((l, i) => (i % 7 === 0 ? `<h2>${l}</h2>` : `<div class="p${i % 5}"><p>${l}</p></div>`)).join('\n');
  return Buffer.from(`<!DOCTYPE html>\n<html><head><title>report</title><script>var x = 1;</script></head><body>\n${body}\n<a href="http://example.com/x">link</a></body></html>\n`, 'latin1');
}

/** A MIME message: a text part and `payload` as a base64 attachment. */
function mail(r: BenchRandom, payload: Buffer, n: number): Buffer {
  const b64 = payload.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: a${n}@example.com\r\nTo: b@example.org\r\nSubject: report ${n}\r\nMessage-ID: <${n}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b${n}"\r\n\r\n--b${n}\r\nContent-Type: text/plain\r\n\r\n${text(r, 2_000).toString('latin1').replace(/\n/g, '\r\n')}\r\n--b${n}\r\nContent-Type: application/octet-stream; name="data${n}.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="data${n}.bin"\r\n\r\n${b64}\r\n--b${n}--\r\n`,
    'latin1',
  );
}

/** An OOXML-like .docx made with the `zip` command (fixed mtimes, so the output is seed-deterministic). */
function docx(root: string, documentXml: Buffer, n: number): Buffer {
  const dir = join(root, `docx-${n}`);
  const files: [string, string | Buffer][] = [
    ['[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'],
    ['_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'],
    ['word/document.xml', documentXml],
    ['docProps/core.xml', `<?xml version="1.0"?><cp:coreProperties xmlns:cp="x"><dc:title>doc ${n}</dc:title></cp:coreProperties>`],
  ];
  for (const [name, data] of files) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
    utimesSync(join(dir, name), 1_700_000_000, 1_700_000_000);
  }
  execFileSync('zip', ['-q', '-X', '-r', '../out.zip', '[Content_Types].xml', '_rels', 'word', 'docProps'], { cwd: dir });
  const out = readFileSync(join(root, 'out.zip'));
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(root, 'out.zip'));
  return out;
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
    } else if (kind < 4) {
      data = text(r, r.int(2_000, 400_000));
      ext = 'txt';
    } else if (kind < 5) {
      data = html(r, r.int(2_000, 400_000));
      ext = 'html';
    } else if (kind < 6) {
      data = files % 20 === 5 ? text(r, r.int(2_000, 300_000)) : Buffer.from(r.bytes(r.int(2_000, 300_000)));
      ext = 'eml';
    } else if (kind < 7) {
      data = Buffer.from(`<?xml version="1.0"?><w:document xmlns:w="x"><w:body>${text(r, r.int(20_000, 600_000)).toString('latin1').replace(/\n/g, '</w:t></w:p><w:p><w:t>')}</w:body></w:document>`, 'latin1');
      ext = 'docx';
    } else if (kind < 8) {
      data = Buffer.from(r.bytes(r.int(4_000, 1_500_000)));
      ext = 'bin';
    } else {
      data = text(r, r.int(20_000, 800_000));
      ext = 'gz';
    }
    const name = `f${String(files).padStart(6, '0')}.${ext}`;
    // Every 23rd file gets a planted body signature, every 97th a logical one (inside gzip too).
    if (files % 23 === 7) {
      const p = bodyPlants[(files / 23) % bodyPlants.length | 0]!;
      const at = r.int(0, data.length);
      data = Buffer.concat([data.subarray(0, at), p.bytes(r), data.subarray(at)]);
      planted.set(name, p.name);
    } else if (files % 97 === 11) {
      const p = ldbPlants[(files / 97) % ldbPlants.length | 0]!;
      data = Buffer.concat([data.subarray(0, 100), Buffer.from(p.a, 'hex'), data.subarray(100), Buffer.from(p.b, 'hex')]);
      planted.set(name, p.name);
    }
    if (ext === 'gz') data = gzipSync(data, { level: 6 });
    else if (ext === 'eml') data = mail(r, data, files);
    else if (ext === 'docx') data = docx(root, data, files);
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
