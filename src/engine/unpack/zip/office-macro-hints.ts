import { H } from '../../heuristics/heuristic-names.js';

/** ODF Basic library index files exist in documents without macros; modules beside them are macros. */
const ODF_BASIC_INDEX = /(^|\/)(script-lc|script-lb|dialog-lc|dialog-lb)\.xml$/i;

/**
 * Macro-bearing member names of zip-based Office formats: OOXML keeps VBA in
 * `vbaProject.bin` (an OLE2 file the OLE2 unpacker opens) and XLM in `xl/macrosheets/`, ODF keeps Basic modules under
 * `Basic/` and scripts under `Scripts/`. Unfiltered: the emitter applies the switches.
 */
export function officeMacroHints(name: string): string[] {
  const lower = name.toLowerCase();
  // VBA projects, and Excel 4.0 macro sheets of xlsm/xlsb (`xl/macrosheets/`).
  if (lower.endsWith('vbaproject.bin') || lower.endsWith('vbadata.xml') || lower.startsWith('xl/macrosheets/')) return [H.ole2Macros];
  if ((lower.startsWith('basic/') && lower.endsWith('.xml') && !ODF_BASIC_INDEX.test(lower)) || lower.startsWith('scripts/')) return [H.odfMacros];
  return [];
}
