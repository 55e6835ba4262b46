/**
 * ClamAV's generic text normalisation (textnorm.c behaviour), which target-7 (ASCII)
 * signatures are matched against: upper-case letters become lower-case, runs of
 * whitespace (TAB, LF, VT, FF, CR, space) become one space, other control bytes and all
 * bytes ≥ 0x80 are dropped. Streaming: state carries across chunks. With a kernel the byte loop
 * runs in WebAssembly; without one, `normaliseBytes` below (the definition) does.
 */
import { NORMALISE_TABLE, type WasmNormaliserKernel } from './wasm-text-normaliser.js';

/** The byte loop in JavaScript: normalises `chunk` into out[p…], returns the new length. */
export function normaliseBytes(chunk: Uint8Array, out: Uint8Array, p: number, spaceOpen: boolean): number {
  let space = spaceOpen;
  for (let i = 0; i < chunk.length; i++) {
    const m = NORMALISE_TABLE[chunk[i]!]!;
    if (m === 0) continue;
    if (m === 0x20) {
      if (space) continue;
      space = true;
    } else space = false;
    out[p++] = m;
  }
  return p;
}

export class TextNormaliser {
  private out: Uint8Array;
  length = 0;
  /** Set once the output limit was reached; the caller then skips the normalised pass. */
  overflow = false;

  /** `expected`: the input size when known (the output is never longer), so the buffer is sized once. */
  constructor(
    private readonly limit: number,
    private readonly kernel?: WasmNormaliserKernel,
    expected = 1 << 16,
  ) {
    const size = Math.min(limit, Math.max(16, expected));
    this.out = kernel ? kernel.takeBuffer(size) : new Uint8Array(size);
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
    // The open space run is exactly "the last byte written is a space".
    const spaceOpen = this.length > 0 && this.out[this.length - 1] === 0x20;
    this.length = this.kernel ? this.kernel.normalise(chunk, this.out, this.length, spaceOpen) : normaliseBytes(chunk, this.out, this.length, spaceOpen);
  }

  result(): Uint8Array {
    return this.out.subarray(0, this.length);
  }

  /** Hands the output buffer back to the kernel for the next scan: result() is invalid afterwards. */
  release(): void {
    this.kernel?.returnBuffer(this.out);
    this.out = new Uint8Array(0);
    this.length = 0;
    this.overflow = true;
  }
}
