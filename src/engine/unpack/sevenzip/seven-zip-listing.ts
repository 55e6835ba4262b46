/** One member as `7zz l -slt` describes it. */
export interface SevenZipEntry {
  path: string;
  /** Undefined when the archive does not declare it (then it is never extracted). */
  size: number | undefined;
  folder: boolean;
  encrypted: boolean;
  method: string;
  /** CRC-32 the archive declares for the member, when it declares one. */
  crc?: number;
}

/** Parses `-slt` output: the blocks after the `----------` line, one `Key = Value` per line. */
export function parseSlt(lines: string[]): { entries: SevenZipEntry[]; archiveEncrypted: boolean; type: string; solid: boolean } {
  const entries: SevenZipEntry[] = [];
  let i = lines.indexOf('----------');
  const header = lines.slice(0, i < 0 ? lines.length : i);
  const type = header.find((l) => l.startsWith('Type = '))?.slice(7) ?? '';
  const archiveEncrypted = header.some((l) => /^Method = .*(7zAES|AES|ZipCrypto)/u.test(l));
  const solid = header.includes('Solid = +');
  if (i < 0) return { entries, archiveEncrypted, type, solid };
  let cur: Record<string, string> = {};
  const flush = (): void => {
    if (cur.Path !== undefined) {
      const size = cur.Size !== undefined && /^\d+$/u.test(cur.Size) ? Number(cur.Size) : undefined;
      entries.push({
        path: cur.Path,
        size,
        folder: cur.Folder === '+' || /^D/u.test(cur.Attributes ?? ''),
        encrypted: cur.Encrypted === '+',
        method: cur.Method ?? '',
        ...(cur.CRC !== undefined && /^[0-9A-Fa-f]{8}$/u.test(cur.CRC) ? { crc: parseInt(cur.CRC, 16) } : {}),
      });
    }
    cur = {};
  };
  for (i = i + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') { flush(); continue; }
    const eq = line.indexOf(' = ');
    if (eq > 0) cur[line.slice(0, eq)] = line.slice(eq + 3);
  }
  flush();
  return { entries, archiveEncrypted, type, solid };
}
