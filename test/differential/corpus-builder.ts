/**
 * Builds the differential corpus: a seeded set of `.ndb`/`.ldb` lines covering every
 * supported syntax element, plus input files that hit or narrowly miss each of them.
 */
import { elfFile, peFile } from './executable-fixtures.js';
import { Rng, T, type Tok, hex, renderHit, renderMisses } from './sig-generator.js';

export interface CorpusFile {
  name: string;
  bytes: Uint8Array;
}

export interface Corpus {
  ndb: string[];
  ldb: string[];
  files: CorpusFile[];
}

function binaryFiller(r: Rng, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(r.int(0, 255));
  return out;
}

/** Places `body` at `at` inside random binary data of total size at + body + tail (NULs keep it binary). */
function binaryFile(r: Rng, body: number[], at: number, tail: number): Uint8Array {
  const pre = binaryFiller(r, at);
  if (pre.length >= 2) pre.splice(0, 2, 0x00, 0x01);
  const post = binaryFiller(r, tail);
  if (post.length >= 2) post.splice(0, 2, 0x00, 0x02);
  return Uint8Array.from([...pre, ...body, ...post]);
}

const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod', 'tempor'];

function textFiller(r: Rng, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(r.pick(WORDS));
  return out.join(' ');
}

const lnameOf = (i: number): string => `Moat.Diff.L${i}`;

export function buildCorpus(seed: number): Corpus {
  const r = new Rng(seed);
  const ndb: string[] = [];
  const ldb: string[] = [];
  const files: CorpusFile[] = [];
  let n = 0;
  const add = (name: string, bytes: Uint8Array): void => {
    files.push({ name, bytes });
  };

  // ── .ndb, generic target, every hex element, anywhere in binary data ──
  const shapes: Array<(r: Rng) => Tok[]> = [
    (q) => [T.lit(q, 6)],
    (q) => [T.lit(q, 3), T.any(), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.nibbleHigh(q), T.lit(q, 2)],
    (q) => [T.lit(q, 3), T.nibbleLow(q), T.lit(q, 2)],
    (q) => [T.lit(q, 4), T.fixedGap(q.int(1, 20)), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.fixedGap(130), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.range(2, 9), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.upTo(7), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.atLeast(5), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.star(), T.lit(q, 4)],
    (q) => [T.lit(q, 3), T.star(), T.lit(q, 3), T.range(0, 4), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.alt1(q, false), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.alt1(q, true), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.altFixed(q, false), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.altFixed(q, true), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.altGeneric(q), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.cls('B'), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.cls('W'), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.cls('L'), T.lit(q, 3)],
    (q) => [T.lit(q, 4), T.fixedGap(5), T.alt1(q, false), T.any(), T.lit(q, 2)],
    // After a range, a small {n} splits too (ClamAV only rewrites {n} while it is the first brace).
    (q) => [T.lit(q, 3), T.range(1, 3), T.lit(q, 3), T.fixedGap(4), T.lit(q, 3)],
    (q) => [T.lit(q, 3), T.fixedGap(4), T.lit(q, 3), T.range(1, 3), T.lit(q, 3)],
    (q) => [T.nibbleHigh(q), T.lit(q, 4), T.any(), T.any()],
    (q) => [T.any(), T.lit(q, 2), T.star(), T.lit(q, 2), T.any()],
    (q) => [T.lit(q, 2), T.altFixed(q, false), T.lit(q, 2), T.upTo(3), T.alt1(q, false), T.lit(q, 2)],
  ];
  for (const shape of shapes) {
    for (let rep = 0; rep < 3; rep++) {
      const toks = shape(r);
      const name = `Moat.Diff.N${n++}`;
      ndb.push(`${name}:0:*:${toks.map((t) => t.hex).join('')}`);
      add(`${name}.hit`, binaryFile(r, renderHit(toks, r), r.int(2, 300), r.int(2, 300)));
      renderMisses(toks, r).forEach((m, j) => add(`${name}.miss${j}`, binaryFile(r, m, r.int(2, 300), r.int(2, 300))));
    }
  }

  // ── char anchors [x-y] and edge classes ──
  for (let rep = 0; rep < 3; rep++) {
    const a = r.bytes(1);
    const core = r.bytes(4);
    const d = r.int(0, 3);
    const name = `Moat.Diff.N${n++}`;
    ndb.push(`${name}:0:*:${hex(a)}[${d}-${d + 3}]${hex(core)}`);
    const fill = (k: number): number[] => r.bytes(k).map((x) => (x === a[0] ? x ^ 1 : x));
    add(`${name}.hit`, binaryFile(r, [...a, ...fill(d + r.int(0, 3)), ...core], 20, 20));
    add(`${name}.miss0`, binaryFile(r, [...a, ...fill(d + 4), ...core], 20, 20));
    const name2 = `Moat.Diff.N${n++}`;
    ndb.push(`${name2}:0:*:${hex(core)}[${d}-${d + 3}]${hex(a)}`);
    add(`${name2}.hit`, binaryFile(r, [...core, ...fill(d + r.int(0, 3)), ...a], 20, 20));
    add(`${name2}.miss0`, binaryFile(r, [...core, ...fill(d + 4), ...a], 20, 20));
  }
  for (const [cls, before, after, bad] of [['B', 0x20, 0x20, 0x61], ['B', 0x2e, 0x3d, 0x3c], ['W', 0x21, 0x2c, 0x61], ['L', 0x0a, 0x0a, 0x61]] as const) {
    const core = r.bytes(5);
    const left = `Moat.Diff.N${n++}`;
    ndb.push(`${left}:0:*:(${cls})${hex(core)}`);
    add(`${left}.hit`, binaryFile(r, [before, ...core], 30, 30));
    add(`${left}.miss0`, binaryFile(r, [bad, ...core], 30, 30));
    const right = `Moat.Diff.N${n++}`;
    const core2 = r.bytes(5);
    ndb.push(`${right}:0:*:${hex(core2)}(${cls})`);
    add(`${right}.hit`, binaryFile(r, [...core2, after], 30, 30));
    add(`${right}.miss0`, binaryFile(r, [...core2, bad], 30, 30));
  }

  for (let rep = 0; rep < 2; rep++) {
    const core = r.bytes(5);
    const neg = `Moat.Diff.N${n++}`;
    ndb.push(`${neg}:0:*:${hex(core)}!(B)`);
    add(`${neg}.hit`, binaryFile(r, [...core, 0x61], 30, 30));
    add(`${neg}.miss0`, binaryFile(r, [...core, 0x20], 30, 30));
    const crlf = `Moat.Diff.N${n++}`;
    const [x, y] = [r.bytes(3), r.bytes(3)];
    ndb.push(`${crlf}:0:*:${hex(x)}(L)${hex(y)}`);
    add(`${crlf}.hit`, binaryFile(r, [...x, 0x0d, 0x0a, ...y], 30, 30));
    add(`${crlf}.miss0`, binaryFile(r, [...x, 0x0d, ...y], 30, 30));
    const tail = `Moat.Diff.N${n++}`;
    const z = r.bytes(6);
    ndb.push(`${tail}:0:*:${hex(z)}`);
    add(`${tail}.hit`, binaryFile(r, z, 40, 0));
    add(`${tail}.miss0`, binaryFile(r, z.slice(0, 5), 40, 0));
  }

  // ── offsets ──
  for (let rep = 0; rep < 2; rep++) {
    const body = r.bytes(6);
    const at = r.int(10, 200);
    const abs = `Moat.Diff.N${n++}`;
    ndb.push(`${abs}:0:${at}:${hex(body)}`);
    add(`${abs}.hit`, binaryFile(r, body, at, 50));
    add(`${abs}.miss0`, binaryFile(r, body, at + 1, 50));
    const sh = `Moat.Diff.N${n++}`;
    const body2 = r.bytes(6);
    ndb.push(`${sh}:0:${at},10:${hex(body2)}`);
    add(`${sh}.hit`, binaryFile(r, body2, at + r.int(0, 10), 50));
    add(`${sh}.miss0`, binaryFile(r, body2, at + 11, 50));
    const eof = `Moat.Diff.N${n++}`;
    const body3 = r.bytes(6);
    const back = r.int(8, 40);
    ndb.push(`${eof}:0:EOF-${back}:${hex(body3)}`);
    add(`${eof}.hit`, binaryFile(r, body3, 100, back - 6));
    add(`${eof}.miss0`, binaryFile(r, body3, 100, back - 5));
    const zero = `Moat.Diff.N${n++}`;
    const body4 = [0x00, ...r.bytes(5)];
    ndb.push(`${zero}:0:0:${hex(body4)}`);
    add(`${zero}.hit`, Uint8Array.from([...body4, ...binaryFiller(r, 80)]));
    add(`${zero}.miss0`, Uint8Array.from([0x00, ...body4, ...binaryFiller(r, 80)]));
  }

  // ── executables (ELF target 6): EP, sections, wrong type ──
  for (let rep = 0; rep < 2; rep++) {
    const size = 2048;
    const sections: Array<[number, number]> = [[512, 512], [1024, 512], [1536, 256]];
    const ep = 600 + r.int(0, 100);
    const put = (at: number, body: number[]): Uint8Array => {
      const f = elfFile(size, ep, sections);
      for (let i = 200; i < size; i++) f[i] = r.int(0, 255);
      f.set(body, at);
      return f;
    };
    const cases: Array<[string, (body: number[]) => [number, number]]> = [
      ['EP+16', () => [ep + 16, ep + 17]],
      ['EP-8', () => [ep - 8, ep - 7]],
      // Section 0 is ELF's null section: our three sections are 1..3.
      ['S2+4', () => [1024 + 4, 1024 + 5]],
      ['SE1', () => [512 + r.int(0, 400), 1024 + 600]],
      ['SL+2', () => [1536 + 2, 1536 + 3]],
    ];
    for (const [off, where] of cases) {
      const body = r.bytes(6);
      const name = `Moat.Diff.N${n++}`;
      ndb.push(`${name}:6:${off}:${hex(body)}`);
      const [hitAt, missAt] = where(body);
      add(`${name}.hit`, put(hitAt, body));
      add(`${name}.miss0`, put(missAt, body));
    }
    const body = r.bytes(6);
    const wrong = `Moat.Diff.N${n++}`;
    ndb.push(`${wrong}:6:*:${hex(body)}`);
    add(`${wrong}.hit`, put(900, body));
    add(`${wrong}.miss0`, binaryFile(r, body, 100, 100));
    const wrong1 = `Moat.Diff.N${n++}`;
    const body1 = r.bytes(6);
    ndb.push(`${wrong1}:1:*:${hex(body1)}`);
    add(`${wrong1}.miss0`, put(900, body1));
  }

  // ── PE (target 1): EP, sections, last section ──
  for (let rep = 0; rep < 2; rep++) {
    const epOff = r.int(0x10, 0x80);
    const ep = 0x200 + epOff;
    const cases: Array<[string, number, number]> = [
      ['EP+0', ep, ep + 1],
      ['EP+20', ep + 20, ep + 19],
      ['S0+8', 0x200 + 8, 0x200 + 9],
      ['S1+4', 0x600 + 4, 0x600 + 5],
      ['SE1', 0x600 + r.int(0, 0x1f0), 0x200 + 0x40],
      ['SL+16', 0x600 + 16, 0x600 + 17],
      ['EP+0,16', ep + r.int(0, 16), ep + 17],
    ];
    for (const [off, hitAt, missAt] of cases) {
      const body = r.bytes(6);
      const name = `Moat.Diff.N${n++}`;
      ndb.push(`${name}:1:${off}:${hex(body)}`);
      const hitFile = peFile(r, epOff);
      hitFile.set(body, hitAt);
      add(`${name}.hit`, hitFile);
      const missFile = peFile(r, epOff);
      missFile.set(body, missAt);
      add(`${name}.miss0`, missFile);
    }
    const pname = lnameOf(n++);
    const body = r.bytes(6);
    ldb.push(`${pname};Engine:51-255,Target:1,EntryPoint:${ep - 4}-${ep + 4},NumberOfSections:2-2;0;${hex(body)}`);
    const f = peFile(r, epOff);
    f.set(body, 0x600);
    add(`${pname}.hit`, f);
    const g = peFile(r, epOff + 0x40);
    g.set(body, 0x600);
    add(`${pname}.miss0`, g);
  }

  // ── text: target 7 sees normalised text, generic sees both raw and normalised ──
  for (let rep = 0; rep < 3; rep++) {
    const phrase = `${r.pick(WORDS)}q${r.pick(WORDS)} zx${r.pick(WORDS)}`;
    const name = `Moat.Diff.N${n++}`;
    ndb.push(`${name}:7:*:${hex([...Buffer.from(phrase)])}`);
    const upper = phrase.toUpperCase().replace(' ', ' \t \r\n ');
    add(`${name}.hit`, Buffer.from(`${textFiller(r, 20)} ${upper} ${textFiller(r, 10)}\n`));
    add(`${name}.miss0`, Buffer.from(`${textFiller(r, 20)} ${upper.replace('Q', 'K')} ${textFiller(r, 10)}\n`));
    const gname = `Moat.Diff.N${n++}`;
    const gphrase = `${r.pick(WORDS)}v${r.pick(WORDS)}`;
    ndb.push(`${gname}:0:*:${hex([...Buffer.from(gphrase)])}`);
    add(`${gname}.hit`, Buffer.from(`${textFiller(r, 15)} ${gphrase.toUpperCase()} ${textFiller(r, 5)}\n`));
    add(`${gname}.miss0`, Buffer.from(`${textFiller(r, 15)} ${gphrase.toUpperCase().replace('V', 'W')} ${textFiller(r, 5)}\n`));
    const bname = `Moat.Diff.N${n++}`;
    const bphrase = `${r.pick(WORDS)}j${r.pick(WORDS)}`;
    ndb.push(`${bname}:7:*:${hex([...Buffer.from(bphrase)])}`);
    add(`${bname}.miss0`, binaryFile(r, [...Buffer.from(bphrase)], 50, 50));
  }

  // ── HTML (target 3): clamscan matches only the normalised forms (no raw scan of HTML) ──
  for (let rep = 0; rep < 2; rep++) {
    const [w1, w2, w3] = [r.pick(WORDS), r.pick(WORDS), r.pick(WORDS)];
    const tag = `${w1}x`;
    const page = (inner: string): Buffer =>
      Buffer.from(`<html><head><title>${textFiller(r, 3)}</title></head>\n<BODY>\n${textFiller(r, 8)}\n${inner}\n<!-- ${w3}zz hidden -->\n<p>${textFiller(r, 5)}</p></body></html>\n`);
    const phrase = `${tag} ${w2}q`;
    const h1 = `Moat.Diff.N${n++}`;
    ndb.push(`${h1}:3:*:${hex([...Buffer.from(phrase)])}`);
    add(`${h1}.hit`, page(`<P>${tag.toUpperCase()}   \n ${w2.toUpperCase()}Q</P>`));
    add(`${h1}.miss0`, page(`<P>${tag.toUpperCase()} ${w2.toUpperCase()}K</P>`));
    const h2 = `Moat.Diff.N${n++}`;
    ndb.push(`${h2}:0:*:${hex([...Buffer.from(`<p>${tag}`)])}`);
    add(`${h2}.hit`, page(`<P>${tag.toUpperCase()} text</P>`));
    add(`${h2}.miss0`, page(`<P class=a>${tag} text</P>`));
    const h3 = `Moat.Diff.N${n++}`;
    ndb.push(`${h3}:0:*:${hex([...Buffer.from(`${w3}zz`)])}`);
    add(`${h3}.miss0`, page('<p>nothing</p>'));
    const h4 = `Moat.Diff.N${n++}`;
    const upper = `${w1.toUpperCase()}Y${w2.toUpperCase()}`;
    ndb.push(`${h4}:0:*:${hex([...Buffer.from(upper)])}`);
    add(`${h4}.miss0`, page(`<p>${upper}</p>`));
    const h5 = `Moat.Diff.N${n++}`;
    ndb.push(`${h5}:3:*:${hex([...Buffer.from(` ${w2}w ${w3}w `)])}`);
    add(`${h5}.hit`, page(`<p>${w2}W <b>${w3}W</b> more</p>`));
    add(`${h5}.miss0`, page(`<p>${w2}W <b>${w1}W</b> more</p>`));
  }

  // ── logical signatures ──
  const sub = (): number[] => r.bytes(5);
  const lname = (): string => lnameOf(n++);
  const bin = (...parts: number[][]): Uint8Array => {
    const body: number[] = [];
    for (const p of parts) body.push(...p, ...binaryFiller(r, r.int(4, 40)).map((x) => x | 1));
    return binaryFile(r, body, r.int(10, 100), r.int(10, 100));
  };
  for (let rep = 0; rep < 2; rep++) {
    const [a, b, c] = [sub(), sub(), sub()];
    let name = lname();
    ldb.push(`${name};Target:0;0&1;${hex(a)};${hex(b)}`);
    add(`${name}.hit`, bin(a, b));
    add(`${name}.miss0`, bin(a));
    name = lname();
    ldb.push(`${name};Target:0;0|1;${hex(a)}${hex([0x11])};${hex(b)}${hex([0x12])}`);
    add(`${name}.hit`, bin([...b, 0x12]));
    add(`${name}.miss0`, bin([...b, 0x13]));
    name = lname();
    ldb.push(`${name};Target:0;0=2;${hex(c)}`);
    add(`${name}.hit`, bin(c, c));
    add(`${name}.miss0`, bin(c, c, c));
    add(`${name}.miss1`, bin(c));
    name = lname();
    const d = sub();
    ldb.push(`${name};Target:0;0>1&1<2;${hex(d)};${hex(a)}${hex([0x21])}`);
    add(`${name}.hit`, bin(d, d, [...a, 0x21]));
    add(`${name}.miss0`, bin(d, [...a, 0x21]));
    add(`${name}.miss1`, bin(d, d, [...a, 0x21], [...a, 0x21]));
    name = lname();
    const [e, f, g] = [sub(), sub(), sub()];
    ldb.push(`${name};Target:0;(0|1|2)>2,2;${hex(e)};${hex(f)};${hex(g)}`);
    add(`${name}.hit`, bin(e, e, f));
    add(`${name}.miss0`, bin(e, e, e, e));
    add(`${name}.miss1`, bin(e, f));
    name = lname();
    const h = sub();
    const k = sub();
    ldb.push(`${name};Target:0;0&1=0;${hex(h)};${hex(k)}`);
    add(`${name}.hit`, bin(h));
    add(`${name}.miss0`, bin(h, k));
    name = lname();
    const m = sub();
    ldb.push(`${name};Engine:51-255,Target:0,FileSize:100-400;0;${hex(m)}`);
    add(`${name}.hit`, binaryFile(r, m, 50, 100));
    add(`${name}.miss0`, binaryFile(r, m, 300, 300));
    name = lname();
    const o = sub();
    const p = sub();
    ldb.push(`${name};Target:0;0&1;EOF-${o.length + 20}:${hex(o)};${hex(p)}*${hex(a)}`);
    add(`${name}.hit`, binaryFile(r, [...p, ...binaryFiller(r, 30), ...a, ...binaryFiller(r, 30), ...o], 30, 20));
    add(`${name}.miss0`, binaryFile(r, [...a, ...binaryFiller(r, 30), ...p, ...binaryFiller(r, 30), ...o], 30, 20));
    name = lname();
    ldb.push(`${name};Target:6;0;EP+0:${hex(p)}`);
    const elf = elfFile(2048, 700, [[512, 512], [1024, 512], [1536, 256]]);
    for (let i = 200; i < 2048; i++) elf[i] = r.int(0, 255);
    elf.set(p, 700);
    add(`${name}.hit`, elf);
    add(`${name}.miss0`, binaryFile(r, p, 700, 100));
  }

  // ── subsignature modifiers ──
  const word = (): string => `${r.pick(WORDS)}${r.pick(WORDS)}`.slice(0, 9);
  for (let rep = 0; rep < 2; rep++) {
    const w1 = word();
    let name = lname();
    ldb.push(`${name};Engine:81-255,Target:0;0;${hex([...Buffer.from(w1)])}::i`);
    const mixed = [...w1].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join('');
    add(`${name}.hit`, binaryFile(r, [...Buffer.from(mixed)], 40, 40));
    add(`${name}.miss0`, binaryFile(r, [...Buffer.from(mixed.slice(1))], 40, 40));
    const w2 = word();
    name = lname();
    ldb.push(`${name};Engine:81-255,Target:0;0;${hex([...Buffer.from(w2)])}::w`);
    const wide = [...Buffer.from(w2)].flatMap((x) => [x, 0]);
    add(`${name}.hit`, binaryFile(r, wide, 40, 40));
    add(`${name}.miss0`, binaryFile(r, [...Buffer.from(w2)], 40, 40));
    const w3 = word();
    name = lname();
    ldb.push(`${name};Engine:81-255,Target:0;0;${hex([...Buffer.from(w3)])}::wa`);
    add(`${name}.hit`, binaryFile(r, [...Buffer.from(w3)], 40, 40));
    add(`${name}.hit1`, binaryFile(r, [...Buffer.from(w3)].flatMap((x) => [x, 0]), 40, 40));
    const w4 = word();
    name = lname();
    ldb.push(`${name};Engine:81-255,Target:0;0;${hex([...Buffer.from(w4)])}::f`);
    add(`${name}.hit`, binaryFile(r, [0x20, ...Buffer.from(w4), 0x2e], 40, 40));
    add(`${name}.miss0`, binaryFile(r, [0x61, ...Buffer.from(w4), 0x2e], 40, 40));
    add(`${name}.miss1`, binaryFile(r, [0x20, ...Buffer.from(w4), 0x31], 40, 40));
    const w5 = word();
    name = lname();
    ldb.push(`${name};Engine:81-255,Target:0;0;${hex([...Buffer.from(w5)])}::iwf`);
    const wide5 = [...Buffer.from(w5.toUpperCase())].flatMap((x) => [x, 0]);
    add(`${name}.hit`, binaryFile(r, [0x20, 0x00, ...wide5, 0x20, 0x00], 40, 40));
    add(`${name}.miss0`, binaryFile(r, [0x20, 0x00, ...wide5.slice(2)], 40, 40));
  }
  return { ndb, ldb, files };
}
