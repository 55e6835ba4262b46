/** Seeded random numbers for the engine benchmark: the same flags always produce the same DB and corpus. */
export interface BenchRandom {
  next(): number;
  int(lo: number, hi: number): number;
  hex(bytes: number): string;
  bytes(n: number): Uint8Array;
}

export function benchRandom(seed: number): BenchRandom {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    hex(n) {
      let out = '';
      for (let i = 0; i < n; i++) out += int(0, 255).toString(16).padStart(2, '0');
      return out;
    },
    bytes(n) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const v = (next() * 4294967296) >>> 0;
        b[i] = v & 255;
        if (i + 1 < n) b[i + 1] = (v >>> 8) & 255;
        if (i + 2 < n) b[i + 2] = (v >>> 16) & 255;
        if (i + 3 < n) b[i + 3] = v >>> 24;
      }
      return b;
    },
  };
}
