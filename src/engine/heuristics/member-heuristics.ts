import { H, filterHeuristics } from './heuristic-names.js';
import { inspectFileName } from './filename-heuristics.js';
import { isExecutableContent, sniffContent, typeMismatch } from './content-heuristics.js';

export interface MemberCheck {
  name?: string;
  data?: Uint8Array;
  /** True for archive members (programs in archives are the classic dropper), false for top-level attachments. */
  insideArchive: boolean;
}

/**
 * Name and content heuristics for one extracted object, already filtered by the switches on.
 * Used by every unpacker for its members and by the MIME layer for attachments.
 */
export function memberHeuristics(enabled: ReadonlySet<string>, check: MemberCheck): string[] {
  const found: string[] = [];
  let extension = '';
  if (check.name !== undefined && check.name !== '') {
    const n = inspectFileName(check.name);
    extension = n.extension;
    if (n.bidi) found.push(H.bidiFilename);
    if (n.doubleExtension) found.push(H.doubleExtension);
  }
  if (check.data !== undefined && check.data.length > 0) {
    const kind = sniffContent(check.data);
    if (check.insideArchive && isExecutableContent(kind)) found.push(H.executableInArchive);
    if (typeMismatch(extension, kind)) found.push(H.typeMismatch);
  }
  return filterHeuristics(enabled, found);
}
