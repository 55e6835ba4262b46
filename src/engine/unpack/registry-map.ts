import type { Unpacker } from './unpacker.js';
import { DEFAULT_UNPACKERS } from './registry.js';

/** The registry indexed by content type; the first unpacker listed for a type wins. */
export function unpackersByType(unpackers: readonly Unpacker[] = DEFAULT_UNPACKERS): Map<string, Unpacker> {
  const map = new Map<string, Unpacker>();
  for (const u of unpackers) for (const t of u.types) if (!map.has(t)) map.set(t, u);
  return map;
}
