/**
 * Features of the logistic-regression spam model: every Bayes token, and every 4-byte sequence
 * of the first bytes of the raw message (headers included), hashed into 2^20 slots. Byte
 * 4-grams are what the strongest filters of the TREC spam tracks used (Sculley & Wachman,
 * "Relaxed online SVMs", 2007): they see obfuscation, encodings and header shapes that word
 * tokens miss. The choices (4-grams, 3,000 bytes, 2^20 slots) were measured on the benchmark's
 * training half by a prototype that was not kept; docs/antispam-accuracy.md ("A logistic spam
 * model") has its figures, and bench/antispam/ranking.ts measures the model as built.
 */

/** log2 of the number of weight slots (4 MiB of float32 weights). */
export const FEATURE_BITS = 20;
/** Raw bytes of the message read for 4-grams. */
export const RAW_BYTES = 3000;
/** Upper bound of features per message: one per token plus one per 4-gram. */
export const MAX_FEATURES = 3000 + RAW_BYTES;

const MASK = (1 << FEATURE_BITS) - 1;

/** FNV-1a over UTF-16 code units, seeded per feature family so a token and a 4-gram differ. */
function hashString(s: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function hashBytes(b: Uint8Array, start: number, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = start; i < start + 4; i++) h = Math.imul(h ^ b[i]!, 16777619) >>> 0;
  return h;
}

/** Sorted, distinct feature slots of one message. */
export function modelFeatures(message: Uint8Array, tokens: readonly string[]): Uint32Array {
  const slots = new Set<number>();
  for (const t of tokens.slice(0, 3000)) slots.add(hashString(t, 0x70) & MASK);
  const end = Math.min(message.length, RAW_BYTES) - 3;
  for (let i = 0; i < end; i++) slots.add(hashBytes(message, i, 0x34) & MASK);
  return Uint32Array.from(slots).sort();
}
