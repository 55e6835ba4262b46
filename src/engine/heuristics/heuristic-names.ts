import type { HeuristicsConfig } from '../../core/config/sections/heuristics.js';

/** Detection names emitted by unpackers and heuristics (ClamAV names where ClamAV has one). */
export const H = {
  encryptedZip: 'Heuristics.Encrypted.Zip',
  encrypted7z: 'Heuristics.Encrypted.7Zip',
  encryptedRar: 'Heuristics.Encrypted.RAR',
  encryptedPdf: 'Heuristics.Encrypted.PDF',
  encryptedOffice: 'Heuristics.Encrypted.Office',
  encryptedOdf: 'Heuristics.Encrypted.ODF',
  ole2Macros: 'Heuristics.OLE2.ContainsMacros',
  odfMacros: 'Heuristics.Moat.ODF.ContainsMacros',
  pdfJavaScript: 'Heuristics.PDF.JavaScript',
  pdfOpenAction: 'Heuristics.PDF.OpenAction',
  pdfLaunch: 'Heuristics.PDF.Launch',
  executableInArchive: 'Heuristics.Moat.ExecutableInArchive',
  doubleExtension: 'Heuristics.Moat.DoubleExtension',
  bidiFilename: 'Heuristics.Moat.BidiFilename',
  typeMismatch: 'Heuristics.Moat.TypeMismatch',
  zipOverlap: 'Heuristics.Zip.OverlappingFiles',
  archiveBomb: 'Heuristics.Moat.ArchiveBomb',
  maxFileSize: 'Heuristics.Limits.Exceeded.MaxFileSize',
  maxScanSize: 'Heuristics.Limits.Exceeded.MaxScanSize',
  maxFiles: 'Heuristics.Limits.Exceeded.MaxFiles',
  maxScanTime: 'Heuristics.Limits.Exceeded.MaxScanTime',
} as const;

export type HeuristicName = (typeof H)[keyof typeof H];
export type HeuristicSwitch = keyof HeuristicsConfig;

/** Which `[heuristics]` switch governs a detection name. */
export function switchFor(name: string): HeuristicSwitch | undefined {
  if (name.startsWith('Heuristics.Encrypted.')) return 'encrypted';
  if (name.startsWith('Heuristics.Mail.Ambiguous.')) return 'mail_ambiguity';
  if (name === H.ole2Macros || name === H.odfMacros) return 'office_macros';
  if (name.startsWith('Heuristics.PDF.')) return 'pdf_active_content';
  if (name === H.executableInArchive) return 'executable_in_archive';
  if (name === H.doubleExtension) return 'double_extension';
  if (name === H.bidiFilename) return 'bidi_filename';
  if (name === H.typeMismatch) return 'type_mismatch';
  if (name === H.zipOverlap || name === H.archiveBomb) return 'archive_bomb';
  if (name.startsWith('Heuristics.Limits.Exceeded.')) return 'limits_exceeded';
  return undefined;
}

/** The set given to unpackers as `UnpackContext.heuristics`: the config keys switched on. */
export function enabledHeuristics(config: HeuristicsConfig): Set<string> {
  const on = new Set<string>();
  for (const [key, value] of Object.entries(config)) if (value === true) on.add(key);
  return on;
}

/** True when `name` (a detection name) is switched on: the set holds its switch key or the name itself. */
export function isHeuristicOn(enabled: ReadonlySet<string>, name: string): boolean {
  if (enabled.has(name)) return true;
  const key = switchFor(name);
  return key !== undefined && enabled.has(key);
}

/** Keeps only the switched-on names, without duplicates. */
export function filterHeuristics(enabled: ReadonlySet<string>, names: Iterable<string>): string[] {
  const out: string[] = [];
  for (const n of names) if (isHeuristicOn(enabled, n) && !out.includes(n)) out.push(n);
  return out;
}
