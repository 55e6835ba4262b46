import { constants, inflateRawSync, gunzipSync } from 'node:zlib';

export type DecodeResult =
  | { ok: true; data: Uint8Array; /** input bytes consumed, when known */ consumed?: number; truncated?: boolean }
  | { ok: false; reason: 'too_big' | 'corrupted' | 'unsupported'; note: string };

function isTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Raw DEFLATE with an output cap. Truncated input yields what could be decoded
 * (Z_SYNC_FLUSH), so a cut-off member is still scanned. `cap` is the most bytes allowed;
 * one byte more means too_big.
 */
export function inflateRawCapped(input: Uint8Array, cap: number): DecodeResult {
  if (cap <= 0) return { ok: false, reason: 'too_big', note: 'no output allowed' };
  try {
    const res = inflateRawSync(input, { maxOutputLength: cap, finishFlush: constants.Z_SYNC_FLUSH, info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    const consumed = res.engine.bytesWritten;
    return { ok: true, data: new Uint8Array(res.buffer.buffer, res.buffer.byteOffset, res.buffer.length), consumed };
  } catch (err) {
    if (isTooLarge(err)) return { ok: false, reason: 'too_big', note: 'output cap reached' };
    return { ok: false, reason: 'corrupted', note: `deflate: ${(err as Error).message}` };
  }
}

/** gzip (all members of a multi-member file) with an output cap. */
export function gunzipCapped(input: Uint8Array, cap: number): DecodeResult {
  if (cap <= 0) return { ok: false, reason: 'too_big', note: 'no output allowed' };
  try {
    const out = gunzipSync(input, { maxOutputLength: cap, finishFlush: constants.Z_SYNC_FLUSH });
    return { ok: true, data: new Uint8Array(out.buffer, out.byteOffset, out.length) };
  } catch (err) {
    if (isTooLarge(err)) return { ok: false, reason: 'too_big', note: 'output cap reached' };
    return { ok: false, reason: 'corrupted', note: `gzip: ${(err as Error).message}` };
  }
}
