/**
 * ClamAV's generic text normalisation (textnorm.c behaviour), which target-7 (ASCII)
 * signatures are matched against: upper-case letters become lower-case, runs of
 * whitespace (TAB, LF, VT, FF, CR, space) become one space, other control bytes and all
 * bytes ≥ 0x80 are dropped. Streaming: state carries across chunks.
 */
const COPY = 0;
const SKIP = 1;
const SPACE = 2;
const LOWER = 3;

const ACTION = ((): Uint8Array => {
  const a = new Uint8Array(256).fill(SKIP);
  for (let b = 0x20; b < 0x7f; b++) a[b] = COPY;
  a[0x7f] = COPY;
  for (let b = 0x41; b <= 0x5a; b++) a[b] = LOWER;
  for (const b of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) a[b] = SPACE;
  return a;
})();

export class TextNormaliser {
  private out: Uint8Array;
  length = 0;
  private spaceWritten = false;
  /** Set once the output limit was reached; the caller then skips the normalised pass. */
  overflow = false;

  constructor(private readonly limit: number) {
    this.out = new Uint8Array(Math.min(limit, 1 << 16));
  }

  push(chunk: Uint8Array): void {
    if (this.overflow) return;
    if (this.length + chunk.length > this.out.length) {
      if (this.length + chunk.length > this.limit) {
        this.overflow = true;
        return;
      }
      const grown = new Uint8Array(Math.min(this.limit, Math.max(this.out.length * 2, this.length + chunk.length)));
      grown.set(this.out.subarray(0, this.length));
      this.out = grown;
    }
    const out = this.out;
    let p = this.length;
    let space = this.spaceWritten;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      switch (ACTION[c]) {
        case SKIP:
          continue;
        case SPACE:
          if (!space) out[p++] = 0x20;
          space = true;
          continue;
        case LOWER:
          out[p++] = c + 32;
          space = false;
          continue;
        default:
          out[p++] = c;
          space = false;
      }
    }
    this.length = p;
    this.spaceWritten = space;
  }

  result(): Uint8Array {
    return this.out.subarray(0, this.length);
  }
}
