import type { MoatConfig } from '../core/config/schema.js';
import type { ScanLimits } from '../core/limits.js';
import { enabledHeuristics } from '../engine/heuristics/heuristic-names.js';

/** `[engine.limits]` → scan limits: only the keys the administrator set override the engine's defaults. */
export function configuredLimits(config: MoatConfig): Partial<ScanLimits> {
  const cfg = config.engine.limits;
  const limits: Partial<ScanLimits> = {};
  if (cfg.max_scan_bytes) limits.maxScanBytes = cfg.max_scan_bytes;
  if (cfg.max_object_bytes) limits.maxObjectBytes = cfg.max_object_bytes;
  if (cfg.max_depth) limits.maxDepth = cfg.max_depth;
  if (cfg.max_objects) limits.maxObjects = cfg.max_objects;
  if (cfg.max_compression_ratio) limits.maxCompressionRatio = cfg.max_compression_ratio;
  if (cfg.max_scan_time_ms) limits.maxScanTimeMs = cfg.max_scan_time_ms;
  return limits;
}

/** `[engine]` / `[heuristics]` → the engine's options (only keys the administrator set override defaults). */
export function engineOptions(config: MoatConfig) {
  const limits = configuredLimits(config);
  return {
    databases: config.engine.databases,
    strict: config.engine.strict_databases,
    pua: config.engine.pua,
    workers: config.engine.workers,
    cleanCacheEntries: config.engine.clean_cache_entries,
    limits,
    heuristics: enabledHeuristics(config.heuristics),
  };
}
