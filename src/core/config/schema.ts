import { z } from 'zod';
import { GlobalSection } from './sections/global.js';
import { EngineSection } from './sections/engine.js';
import { HeuristicsSection } from './sections/heuristics.js';
import { ClamdSection } from './sections/clamd.js';
import { LocalSection } from './sections/local.js';

/**
 * The whole configuration. Each section lives in `sections/<name>.ts`, owned by the module
 * that reads it. Unknown keys are errors (a typo must not silently fall back to a default).
 */
export const ConfigSchema = z.strictObject({
  global: GlobalSection.prefault({}),
  engine: EngineSection.prefault({}),
  heuristics: HeuristicsSection.prefault({}),
  clamd: ClamdSection.prefault({}),
  local: LocalSection.prefault({}),
});

export type MoatConfig = z.infer<typeof ConfigSchema>;
