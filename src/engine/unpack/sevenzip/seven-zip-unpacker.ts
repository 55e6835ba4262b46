import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import type { FileType } from '../../filetype/file-types.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { indexOf } from '../common/byte-reader.js';
import { newSevenZip, type SevenZipInstance } from './seven-zip-module.js';
import { parseSlt, type SevenZipEntry } from './seven-zip-listing.js';
import { openWithPassword } from './seven-zip-password.js';

/** A password that no archive has: 7-Zip must never prompt, and encrypted members then fail cleanly. */
const NO_PASSWORD = '-pMoat-no-password-\u0001';
/** Files read back from the virtual FS beyond the object budget are not visited. */
const MAX_WALK = 100_000;
/** Declared bytes extracted per 7-Zip call for non-solid archives: bounds the in-memory FS between reads. */
const BATCH_BYTES = 64 * 1024 * 1024;
/** The 7zAES coder id as it appears in a 7z header. */
const SEVEN_ZIP_AES = [0x06, 0xf1, 0x07, 0x01];

/**
 * 7z, RAR 4/5, CAB (MSZIP, LZX, Quantum), ARJ, CHM through 7-Zip compiled to WebAssembly
 * (`7z-wasm`): a maintained decoder for formats too large to write ourselves, running in
 * the wasm sandbox. The archive is listed first; only members whose declared size fits
 * the caps are extracted (7-Zip's decoders stop at the declared size), into the module's
 * in-memory FS, then read back and checked again.
 */
export function sevenZipUnpacker(name: string, types: readonly FileType[], formatOf: string | ((data: Uint8Array) => string), encryptedName: string | undefined): Unpacker {
  return {
    name,
    types,
    async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
      const em = new MemberEmitter(ctx);
      if (ctx.signal.aborted) return yield em.aborted();
      const sevenZipType = typeof formatOf === 'string' ? formatOf : formatOf(data);
      const lines: string[] = [];
      let sz: SevenZipInstance;
      try {
        sz = await newSevenZip(lines);
        sz.FS.mkdir('/in');
        sz.FS.mkdir('/out');
        sz.FS.writeFile('/in/archive', data);
      } catch (err) {
        return yield em.state(undefined, 'scan_error', [], [`7-Zip could not start: ${(err as Error).message}`]);
      }
      const listed = call(sz, lines, ['l', '-slt', '-bd', '-sccUTF-8', `-t${sevenZipType}`, NO_PASSWORD, '--', '/in/archive']);
      const listing = parseSlt(listed.lines);
      if (!listed.ok && listing.entries.length === 0) {
        const headerEncrypted = sevenZipType === '7z' && indexOf(data, SEVEN_ZIP_AES) >= 0;
        if (headerEncrypted || listed.lines.some((l) => /encrypted|password/iu.test(l))) {
          for (const pw of em.passwords) {
            const opened = await openWithPassword(data, sevenZipType, pw, em.cap().bytes, Math.max(0, ctx.budget.remainingBytes()));
            if (opened.size === 0) continue;
            for (const [path, bytes] of opened) {
              if (!em.canContinue()) return;
              if (!em.hasObjectRoom()) return yield em.filesLimit();
              yield em.member(path, bytes, { heuristics: encryptedName ? [encryptedName] : [], notes: ['decrypted with a candidate password'] });
            }
            return;
          }
          return yield em.finding('encrypted', encryptedName ? [encryptedName] : [], [`${name}: encrypted archive headers`]);
        }
        return yield em.finding('corrupted', [], [`${name}: ${lastError(listed.lines)}`]);
      }
      // Decide what may be extracted before anything is decompressed (declared sizes against the caps).
      const cap = em.cap();
      let budget = Math.max(0, ctx.budget.remainingBytes());
      const wanted: SevenZipEntry[] = [];
      const pending: ExtractedObject[] = [];
      const locked: SevenZipEntry[] = [];
      for (const e of listing.entries) {
        if (e.folder) continue;
        if (wanted.length + pending.length + locked.length >= Math.max(0, ctx.budget.remainingObjects())) break;
        if (e.encrypted) locked.push(e);
        else if (e.size === undefined) pending.push(em.state(e.path, 'unsupported', [], ['size not declared']));
        else if (e.size > cap.bytes) pending.push(em.limited(e.path, cap.reason));
        // Refused from the declared size: smaller members listed later may still fit.
        else if (e.size > budget) pending.push(em.limited(e.path, 'scan', {}, false));
        else if (/[\n\r]/u.test(e.path)) pending.push(em.state(e.path, 'unsupported', [], ['unsafe member name']));
        else {
          wanted.push(e);
          budget -= e.size;
        }
      }
      for (const o of pending) yield o;
      // Encrypted members: candidate passwords, each verified by the member's CRC.
      let stillLocked = locked;
      for (const pw of em.passwords) {
        if (stillLocked.length === 0) break;
        const opened = await openWithPassword(data, sevenZipType, pw, cap.bytes, Math.max(0, ctx.budget.remainingBytes()), new Set(stillLocked.map((e) => e.path)));
        for (const [path, bytes] of opened) {
          if (!em.canContinue()) return;
          if (!em.hasObjectRoom()) return yield em.filesLimit();
          yield em.member(path, bytes, { heuristics: encryptedName ? [encryptedName] : [], notes: ['decrypted with a candidate password'] });
        }
        stillLocked = stillLocked.filter((e) => !opened.has(e.path));
      }
      for (const e of stillLocked) yield em.state(e.path, 'encrypted', encryptedName ? [encryptedName] : [], [e.method]);
      // Non-solid archives are extracted in batches so the in-memory FS never holds more than one batch;
      // a solid block would be decoded again for every batch, so solid archives go in one call.
      for (const batch of batches(wanted, listing.solid ? Infinity : BATCH_BYTES)) {
        sz.FS.writeFile('/in/list', Buffer.from(batch.map((e) => e.path).join('\n'), 'utf8'));
        const x = call(sz, lines, ['x', '-bd', '-y', '-spd', '-scsUTF-8', '-sccUTF-8', `-t${sevenZipType}`, NO_PASSWORD, '-o/out', '/in/archive', '@/in/list']);
        const errors = x.ok ? [] : [lastError(x.lines)];
        for (const [path, bytes] of walk(sz, '/out', '')) {
          if (ctx.signal.aborted) return yield em.aborted();
          if (!em.canContinue()) return;
          if (!em.hasObjectRoom()) return yield em.filesLimit();
          if (bytes.length > cap.bytes) { yield em.limited(path, cap.reason); continue; }
          yield em.member(path, bytes, errors.length > 0 ? { notes: errors } : {});
        }
        await Promise.resolve();
      }
      const files = listing.entries.filter((e) => !e.folder).length;
      if (em.canContinue() && wanted.length + pending.length + locked.length < files) yield em.filesLimit();
    },
  };
}

/**
 * Runs one 7zz command. Emscripten's Node glue stores the program's exit status in
 * `process.exitCode`; it is restored so an archive error never becomes our exit status.
 */
function call(sz: SevenZipInstance, lines: string[], args: string[]): { ok: boolean; lines: string[] } {
  lines.length = 0;
  const saved = process.exitCode;
  try {
    const rc = sz.callMain(args);
    return { ok: rc === 0 || rc === undefined, lines: [...lines] };
  } catch {
    return { ok: false, lines: [...lines] };
  } finally {
    process.exitCode = saved;
  }
}

function lastError(lines: string[]): string {
  const err = lines.filter((l) => /error|can ?not|unsupported|unexpected/iu.test(l)).pop();
  return (err ?? 'archive could not be opened').slice(0, 200);
}

/** Every regular file under `dir`, depth-first, as [relative path, bytes]. */
function* walk(sz: SevenZipInstance, dir: string, rel: string, seen = { n: 0 }): Generator<[string, Uint8Array]> {
  for (const name of sz.FS.readdir(dir)) {
    if (name === '.' || name === '..' || seen.n++ > MAX_WALK) continue;
    const full = `${dir}/${name}`;
    const relPath = rel === '' ? name : `${rel}/${name}`;
    const st = sz.FS.stat(full);
    if (sz.FS.isDir(st.mode)) yield* walk(sz, full, relPath, seen);
    else if (sz.FS.isFile(st.mode)) {
      // readFile returns a fresh copy; unlinking frees the in-memory file at once.
      const bytes = sz.FS.readFile(full);
      sz.FS.unlink(full);
      yield [relPath, bytes];
    }
  }
}

/** Groups entries so each group's declared sizes add up to at most `limit` (a larger entry goes alone). */
function batches(entries: SevenZipEntry[], limit: number): SevenZipEntry[][] {
  const out: SevenZipEntry[][] = [];
  let cur: SevenZipEntry[] = [];
  let total = 0;
  for (const e of entries) {
    const size = e.size ?? 0;
    if (cur.length > 0 && total + size > limit) {
      out.push(cur);
      cur = [];
      total = 0;
    }
    cur.push(e);
    total += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
