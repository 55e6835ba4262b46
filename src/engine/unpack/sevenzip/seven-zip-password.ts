import { crc32 } from 'node:zlib';
import { newSevenZip, type SevenZipInstance } from './seven-zip-module.js';
import { parseSlt } from './seven-zip-listing.js';

/** Files read back per password attempt; the caller's object budget is smaller in practice. */
const MAX_FILES = 10_000;

/**
 * Opens an archive with one candidate password in a fresh 7-Zip instance and returns the
 * members whose content verifies against the listed CRC-32 (a wrong password can still
 * produce bytes: they are discarded). Members larger than `cap` or past `budget` in total
 * are not extracted. Returns an empty map when the password does not open anything.
 */
export async function openWithPassword(
  archive: Uint8Array, type: string, password: string, cap: number, budget: number, only?: ReadonlySet<string>,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const lines: string[] = [];
  const saved = process.exitCode;
  try {
    const sz = await newSevenZip(lines);
    sz.FS.mkdir('/in');
    sz.FS.mkdir('/out');
    sz.FS.writeFile('/in/archive', archive);
    const run = (args: string[]): boolean => {
      lines.length = 0;
      try {
        const rc = sz.callMain(args);
        return rc === 0 || rc === undefined;
      } catch {
        return false;
      }
    };
    run(['l', '-slt', '-bd', '-sccUTF-8', `-t${type}`, `-p${password}`, '/in/archive']);
    const listing = parseSlt([...lines]);
    const crcs = new Map<string, number>();
    const wanted: string[] = [];
    let total = 0;
    for (const e of listing.entries) {
      if (e.folder || e.size === undefined || e.size > cap || total + e.size > budget || /[\n\r]/u.test(e.path)) continue;
      if (only !== undefined && !only.has(e.path)) continue;
      // Without a declared CRC only an authenticated cipher (WinZip AES-2 has an HMAC, checked by 7-Zip) tells a wrong password.
      const authenticated = /AES/u.test(e.method) && type === 'zip';
      if (e.crc === undefined && !authenticated) continue;
      if (e.crc !== undefined) crcs.set(e.path, e.crc);
      wanted.push(e.path);
      total += e.size;
    }
    if (wanted.length === 0) return out;
    sz.FS.writeFile('/in/list', Buffer.from(wanted.join('\n'), 'utf8'));
    const clean = run(['x', '-bd', '-y', '-spd', '-scsUTF-8', '-sccUTF-8', `-t${type}`, `-p${password}`, '-o/out', '/in/archive', '@/in/list']);
    for (const path of wanted) {
      const bytes = readIfPresent(sz, `/out/${path}`);
      if (bytes === undefined || bytes.length > cap || out.size >= MAX_FILES) continue;
      const expected = crcs.get(path);
      // CRC-less (AES-2) members count only when 7-Zip finished without any error (its HMAC check passed).
      if (expected === undefined ? !clean : crc32(bytes) !== expected) continue;
      out.set(path, bytes);
    }
    return out;
  } catch {
    return out;
  } finally {
    process.exitCode = saved;
  }
}

function readIfPresent(sz: SevenZipInstance, path: string): Uint8Array | undefined {
  try {
    return sz.FS.readFile(path);
  } catch {
    return undefined;
  }
}
