import { inflateRawCapped, type DecodeResult } from '../common/capped-inflate.js';
import { inflate64Capped } from '../common/inflate64.js';
import { bunzip2 } from '../bzip2/bzip2-decoder.js';

/** Zip compression methods by number (APPNOTE 4.4.5). */
export const METHOD_NAMES: Readonly<Record<number, string>> = {
  0: 'stored', 1: 'shrunk', 2: 'reduced-1', 3: 'reduced-2', 4: 'reduced-3', 5: 'reduced-4', 6: 'imploded', 8: 'deflate',
  9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz', 96: 'jpeg', 97: 'wavpack', 98: 'ppmd', 99: 'aes',
};

/**
 * Decodes one member's data with its method, never producing more than `cap` bytes.
 * Implode/shrink/reduce (PKZIP 1.x), LZMA, zstd, xz and PPMd members are `unsupported`.
 */
export function decodeZipMember(method: number, data: Uint8Array, cap: number): DecodeResult {
  switch (method) {
    case 0:
      if (data.length > cap) return { ok: false, reason: 'too_big', note: 'stored member above cap' };
      return { ok: true, data, consumed: data.length };
    case 8:
      return inflateRawCapped(data, cap);
    case 9:
      return inflate64Capped(data, cap);
    case 12:
      return bunzip2(data, cap);
    default:
      return { ok: false, reason: 'unsupported', note: `compression method ${METHOD_NAMES[method] ?? method} not supported` };
  }
}
