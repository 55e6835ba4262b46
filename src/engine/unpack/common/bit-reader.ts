/** Thrown when a bit stream ends early; decoders turn it into a truncated/corrupted result. */
export class BitsExhausted extends Error {
  constructor() {
    super('unexpected end of compressed data');
  }
}

/** LSB-first bit reader (DEFLATE, Deflate64, PKWARE implode). */
export class LsbBitReader {
  private bitBuf = 0;
  private bitCount = 0;

  constructor(
    private readonly data: Uint8Array,
    public pos = 0,
  ) {}

  bits(n: number): number {
    while (this.bitCount < n) {
      if (this.pos >= this.data.length) throw new BitsExhausted();
      this.bitBuf |= this.data[this.pos++]! << this.bitCount;
      this.bitCount += 8;
    }
    const v = this.bitBuf & ((1 << n) - 1);
    this.bitBuf >>>= n;
    this.bitCount -= n;
    return v;
  }

  /** Reads up to 32 bits in two halves (Deflate64's 16-bit length extra fits either way). */
  bitsWide(n: number): number {
    if (n <= 16) return this.bits(n);
    const lo = this.bits(16);
    return lo + this.bits(n - 16) * 65536;
  }

  alignToByte(): void {
    this.bitBuf = 0;
    this.bitCount = 0;
  }

  get remainingBytes(): number {
    return this.data.length - this.pos;
  }
}

/**
 * Canonical Huffman table as counts per length and symbols in code order (RFC 1951 §3.2.2).
 * Decoding walks lengths 1..15, so a malformed table can cost at most 15 steps per symbol.
 */
export class Huffman {
  readonly count = new Uint16Array(16);
  readonly symbol: Uint16Array;
  /** False when the lengths over-subscribe the code space (invalid stream). */
  readonly valid: boolean;

  constructor(lengths: ArrayLike<number>, n: number) {
    this.symbol = new Uint16Array(n);
    for (let s = 0; s < n; s++) this.count[lengths[s]!]!++;
    let left = 1;
    let ok = true;
    for (let len = 1; len < 16; len++) {
      left <<= 1;
      left -= this.count[len]!;
      if (left < 0) ok = false;
    }
    this.valid = ok;
    const offs = new Uint16Array(16);
    for (let len = 1; len < 15; len++) offs[len + 1] = offs[len]! + this.count[len]!;
    for (let s = 0; s < n; s++) if (lengths[s] !== 0) this.symbol[offs[lengths[s]!]!++] = s;
  }

  /** Decodes one symbol; -1 when the code is not in the table. */
  decode(r: LsbBitReader): number {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= r.bits(1);
      const c = this.count[len]!;
      if (code - c < first) return this.symbol[index + (code - first)]!;
      index += c;
      first += c;
      first <<= 1;
      code <<= 1;
    }
    return -1;
  }
}
