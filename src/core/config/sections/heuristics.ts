import { z } from 'zod';

/**
 * `[heuristics]`: switches for findings that are not signature matches. A switched-off
 * heuristic adds no detection; the object's state (encrypted, too_big, ...) is kept either way,
 * so policy still treats uninspectable content as not scanned.
 */
export const HeuristicsSection = z.strictObject({
  /** `Heuristics.Encrypted.*`: password-protected archive or document (ClamAV AlertEncrypted). */
  encrypted: z.boolean().default(false),
  /** `Heuristics.OLE2.ContainsMacros`, `Heuristics.Moat.ODF.ContainsMacros`: Office/ODF documents with macros (ClamAV AlertMacros). */
  office_macros: z.boolean().default(false),
  /** `Heuristics.PDF.JavaScript`, `Heuristics.PDF.OpenAction`...: active content in PDF. */
  pdf_active_content: z.boolean().default(false),
  /** `Heuristics.Moat.ExecutableInArchive`: a PE/ELF/Mach-O program inside an archive. */
  executable_in_archive: z.boolean().default(false),
  /** `Heuristics.Moat.DoubleExtension`: `invoice.pdf.exe`, padded or dotted tails. */
  double_extension: z.boolean().default(true),
  /** `Heuristics.Moat.BidiFilename`: right-to-left override or zero-width characters in a name. */
  bidi_filename: z.boolean().default(true),
  /** `Heuristics.Moat.TypeMismatch`: content type disagrees with the name's extension. */
  type_mismatch: z.boolean().default(false),
  /** `Heuristics.Zip.OverlappingFiles`, `Heuristics.Moat.ArchiveBomb`: overlap and ratio bombs (ClamAV on by default). */
  archive_bomb: z.boolean().default(true),
  /** `Heuristics.Mail.Ambiguous.*`: MIME that clients can read two ways (duplicate Content-Type, broken boundaries...). Both readings are always scanned; this makes the ambiguity itself a detection. */
  mail_ambiguity: z.boolean().default(false),
  /** `Heuristics.Limits.Exceeded.*`: a scan limit was hit (ClamAV AlertExceedsMax). */
  limits_exceeded: z.boolean().default(false),
});

export type HeuristicsConfig = z.infer<typeof HeuristicsSection>;
