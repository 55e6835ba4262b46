import { z } from 'zod';

const Limits = z.strictObject({
  max_scan_bytes: z.number().int().positive().optional(),
  max_object_bytes: z.number().int().positive().optional(),
  max_depth: z.number().int().min(1).max(64).optional(),
  max_objects: z.number().int().positive().optional(),
  max_compression_ratio: z.number().positive().optional(),
  max_scan_time_ms: z.number().int().positive().optional(),
  max_header_bytes: z.number().int().positive().optional(),
  max_mime_parts: z.number().int().positive().optional(),
});

export const EngineSection = z.strictObject({
  /** Signature database files or directories (ClamAV formats). The built-in EICAR database is always loaded. */
  databases: z.array(z.string().min(1)).default([]),
  /** Refuse a whole database when one of its lines is malformed (default: report file:line and load the rest). */
  strict_databases: z.boolean().default(false),
  /** Load PUA signature files (`*.hdu`, `*.ndu`, ...). */
  pua: z.boolean().default(false),
  /** Scanning worker threads; 0 = one per CPU core. */
  workers: z.number().int().min(0).max(256).default(0),
  /** Objects each worker remembers as clean by SHA-256, so a repeated attachment is not scanned again (clamd's cache); 0 = off. */
  clean_cache_entries: z.number().int().min(0).max(1_000_000).default(16_384),
  limits: Limits.prefault({}),
});
