import { MoatError } from '../../core/errors.js';
import { FEATURE_BITS, MAX_FEATURES } from './model-features.js';

/**
 * Stored form of a message's features: the sorted slots as LEB128 varints of their differences
 * (1.8 bytes per feature instead of 4 on the benchmark corpus: bench/antispam/model-cost.ts). Decoding checks every limit, so a damaged or
 * foreign record is refused with SPAM_MODEL_INVALID instead of poisoning the model.
 */
export function encodeFeatures(slots: Uint32Array): Uint8Array {
  const out = new Uint8Array(slots.length * 3 + 1);
  let n = 0;
  let prev = -1;
  for (const s of slots) {
    if (s <= prev || s >= 1 << FEATURE_BITS) throw new MoatError('SPAM_MODEL_INVALID', 'features must be sorted, distinct and below 2^20');
    let d = s - prev - 1;
    prev = s;
    while (d >= 0x80) {
      out[n++] = (d & 0x7f) | 0x80;
      d >>>= 7;
    }
    out[n++] = d;
  }
  return out.slice(0, n);
}

export function decodeFeatures(bytes: Uint8Array): Uint32Array {
  const out: number[] = [];
  let prev = -1;
  let i = 0;
  while (i < bytes.length) {
    let d = 0;
    let shift = 0;
    for (;;) {
      if (i >= bytes.length) throw new MoatError('SPAM_MODEL_INVALID', 'feature record ends inside a number');
      const b = bytes[i++]!;
      d |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
      if (shift > 14) throw new MoatError('SPAM_MODEL_INVALID', 'feature gap longer than 3 bytes');
    }
    prev += d + 1;
    if (prev >= 1 << FEATURE_BITS) throw new MoatError('SPAM_MODEL_INVALID', 'feature slot out of range');
    if (out.length >= MAX_FEATURES) throw new MoatError('SPAM_MODEL_INVALID', `more than ${MAX_FEATURES} features`);
    out.push(prev);
  }
  return Uint32Array.from(out);
}
