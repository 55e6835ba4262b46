/**
 * Seeded generator of ClamAV signatures covering every syntax element the matcher supports,
 * each with inputs that hit it and inputs that narrowly miss it (one byte off, wrong
 * distance, wrong offset, wrong target type, wrong count...). Used by the differential test
 * against clamscan; the expected outcome is never asserted from here — clamscan decides.
 */

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  /** Distinctive bytes: no NUL, no letters-only runs that could look like text markers. */
  bytes(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.int(0x80, 0xfe));
    return out;
  }
}

export const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');

/** One piece of a body signature: its hex text and how to render a match (and a near miss). */
export interface Tok {
  hex: string;
  hit(r: Rng): number[];
  miss?(r: Rng): number[];
}

const notIn = (r: Rng, set: number[]): number => {
  for (;;) {
    const b = r.int(0x80, 0xfe);
    if (!set.includes(b)) return b;
  }
};

export const T = {
  lit(r: Rng, n: number): Tok {
    const b = r.bytes(n);
    return {
      hex: hex(b),
      hit: () => b,
      miss: (rr) => {
        const c = [...b];
        const i = rr.int(0, c.length - 1);
        c[i] = c[i]! ^ 0x01;
        return c;
      },
    };
  },
  any(): Tok {
    return { hex: '??', hit: (r) => [r.int(0x80, 0xfe)] };
  },
  nibbleHigh(r: Rng): Tok {
    const hi = r.int(8, 0xe);
    return { hex: `${hi.toString(16)}?`, hit: (rr) => [(hi << 4) | rr.int(0, 15)], miss: (rr) => [(((hi + 1) & 0xf) << 4) | rr.int(0, 15)] };
  },
  nibbleLow(r: Rng): Tok {
    const lo = r.int(0, 15);
    return { hex: `?${lo.toString(16)}`, hit: (rr) => [(rr.int(8, 0xe) << 4) | lo], miss: (rr) => [(rr.int(8, 0xe) << 4) | ((lo + 1) & 0xf)] };
  },
  fixedGap(n: number): Tok {
    return { hex: `{${n}}`, hit: (r) => r.bytes(n), miss: (r) => r.bytes(Math.max(0, n - 1)) };
  },
  range(lo: number, hi: number): Tok {
    return { hex: `{${lo}-${hi}}`, hit: (r) => r.bytes(r.int(lo, hi)), miss: (r) => r.bytes(hi + 1 + r.int(0, 3)) };
  },
  upTo(hi: number): Tok {
    return { hex: `{-${hi}}`, hit: (r) => r.bytes(r.int(0, hi)), miss: (r) => r.bytes(hi + 1 + r.int(0, 3)) };
  },
  atLeast(lo: number): Tok {
    return { hex: `{${lo}-}`, hit: (r) => r.bytes(lo + r.int(0, 40)), miss: (r) => r.bytes(r.int(0, lo - 1)) };
  },
  star(): Tok {
    return { hex: '*', hit: (r) => r.bytes(r.int(0, 60)) };
  },
  alt1(r: Rng, neg: boolean): Tok {
    const set = [r.int(0x80, 0xfe), r.int(0x80, 0xfe), r.int(0x80, 0xfe)];
    const h = `${neg ? '!' : ''}(${set.map((b) => hex([b])).join('|')})`;
    const inSet = (rr: Rng): number[] => [rr.pick(set)];
    const outSet = (rr: Rng): number[] => [notIn(rr, set)];
    return { hex: h, hit: neg ? outSet : inSet, miss: neg ? inSet : outSet };
  },
  altFixed(r: Rng, neg: boolean): Tok {
    const n = r.int(2, 4);
    const alts = [r.bytes(n), r.bytes(n), r.bytes(n)];
    const h = `${neg ? '!' : ''}(${alts.map(hex).join('|')})`;
    const inSet = (rr: Rng): number[] => rr.pick(alts);
    const outSet = (rr: Rng): number[] => {
      const c = [...rr.pick(alts)];
      c[c.length - 1] = notIn(rr, alts.map((a) => a[a.length - 1]!));
      return c;
    };
    return { hex: h, hit: neg ? outSet : inSet, miss: neg ? inSet : outSet };
  },
  altGeneric(r: Rng): Tok {
    const a = r.bytes(2);
    const b = r.bytes(3);
    const h = `(${hex(a)}??|${hex(b)})`;
    return {
      hex: h,
      hit: (rr) => (rr.next() < 0.5 ? [...a, rr.int(0x80, 0xfe)] : b),
      miss: () => [a[0]! ^ 1, a[1]!, b[0]! ^ 1],
    };
  },
  /** Consuming class in the middle of a part. */
  cls(c: 'B' | 'L' | 'W'): Tok {
    const hitByte = c === 'B' ? 0x20 : c === 'L' ? 0x0a : 0x21;
    return { hex: `(${c})`, hit: () => [hitByte], miss: () => [0x61] };
  },
};

export interface NdbCase {
  line: string;
  name: string;
  target: number;
  offset: string;
  /** Rendered byte sequences that should match / narrowly miss. */
  hits: number[][];
  misses: number[][];
}

export function renderHit(toks: Tok[], r: Rng): number[] {
  return toks.flatMap((t) => t.hit(r));
}

export function renderMisses(toks: Tok[], r: Rng): number[][] {
  const out: number[][] = [];
  toks.forEach((t, i) => {
    if (!t.miss) return;
    out.push(toks.flatMap((u, j) => (j === i ? t.miss!(r) : u.hit(r))));
  });
  return out;
}
