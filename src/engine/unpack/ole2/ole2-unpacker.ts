import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { H } from '../../heuristics/heuristic-names.js';
import { openCfb, type CfbEntry, type CfbFile } from './cfb-reader.js';
import { decompressOvba } from './ovba-decompress.js';
import { parseVbaDir } from './vba-project.js';
import { parseOle10Native } from './ole10-native.js';
import { inspectWorkbook } from './excel-workbook.js';

/** Bytes of the Workbook stream read for the globals substream (BOUNDSHEET, FILEPASS sit at its start). */
const WORKBOOK_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * OLE2 / Compound File (Office 97–2003, MSI, MSG, vbaProject.bin). Yields every stream;
 * VBA module streams are replaced by their decompressed source; OLE1 packages yield the
 * embedded file. Macros → `Heuristics.OLE2.ContainsMacros`; encryption → state encrypted.
 */
export const ole2Unpacker: Unpacker = {
  name: 'ole2',
  types: ['CL_TYPE_MSOLE2'],
  unpack: unpackOle2,
};

function lower(e: CfbEntry): string {
  return e.name.toLowerCase();
}

async function* unpackOle2(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
  const em = new MemberEmitter(ctx);
  const cfb = openCfb(data);
  if (typeof cfb === 'string') return yield em.finding('corrupted', [], [`OLE2: ${cfb}`]);
  const byId = new Map(cfb.entries.map((e) => [e.id, e]));
  const byParent = new Map<number, CfbEntry[]>();
  for (const e of cfb.entries) {
    const list = byParent.get(e.parent);
    if (list) list.push(e);
    else byParent.set(e.parent, [e]);
  }
  const children = (parent: number): CfbEntry[] => byParent.get(parent) ?? [];

  // Encrypted OOXML inside a CFB wrapper, or an encrypted Word binary document.
  const rootNames = new Set(children(0).map(lower));
  if (rootNames.has('encryptioninfo') || rootNames.has('encryptedpackage')) {
    return yield em.finding('encrypted', [H.encryptedOffice], ['password-protected Office document']);
  }
  const word = children(0).find((e) => lower(e) === 'worddocument' && e.type === 'stream');
  if (word) {
    const fib = cfb.read(word, 64);
    if (fib !== 'too_big' && fib.data.length >= 12 && (fib.data[11]! & 0x01) !== 0) {
      yield em.finding('encrypted', [H.encryptedOffice], ['Word document is encrypted (FIB fEncrypted)']);
    }
  }

  // Excel: FILEPASS (encrypted) and Excel 4.0 macro sheets in the workbook globals.
  const book = children(0).find((e) => (lower(e) === 'workbook' || lower(e) === 'book') && e.type === 'stream');
  let xlm = 0;
  if (book) {
    const head = cfb.read(book, Math.min(book.size, WORKBOOK_SCAN_BYTES));
    if (head !== 'too_big') {
      const facts = inspectWorkbook(head.data);
      xlm = facts.xlmMacroSheets;
      if (facts.encrypted) yield em.finding('encrypted', [H.encryptedOffice], ['Excel workbook is encrypted (FILEPASS)']);
    }
  }

  // VBA projects: every storage holding a `dir` stream.
  const moduleStreams = new Set<number>();
  const vbaSources: ExtractedObject[] = [];
  for (const dir of cfb.entries.filter((e) => e.type === 'stream' && lower(e) === 'dir')) {
    const storage = byId.get(dir.parent);
    if (storage === undefined) continue;
    const macros = collectVba(cfb, em, dir, children(storage.id), moduleStreams);
    vbaSources.push(...macros);
  }
  const hasVbaStorage = cfb.entries.some((e) => e.type === 'storage' && (lower(e) === 'vba' || lower(e) === '_vba_project_cur' || lower(e) === 'macros'));
  if (vbaSources.length > 0 || hasVbaStorage || xlm > 0) {
    const what = xlm > 0 ? `${xlm} Excel 4.0 macro sheet(s)` : `VBA project with ${vbaSources.length} module(s)`;
    const flag = em.flag([H.ole2Macros], [what]);
    if (flag) yield flag;
  }
  for (const o of vbaSources) {
    if (!em.canContinue()) return;
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    yield o;
  }
  if (cfb.problems.length > 0) yield em.finding('corrupted', [], [...new Set(cfb.problems)].slice(0, 5));

  for (const e of cfb.entries) {
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.canContinue()) return;
    if (e.type !== 'stream' || moduleStreams.has(e.id) || e.size === 0) continue;
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    const cap = em.cap();
    const r = cfb.read(e, cap.bytes);
    if (r === 'too_big') { yield em.limited(e.path, cap.reason); continue; }
    const notes = r.truncated ? ['stream chain shorter than its size: partial content'] : [];
    if (lower(e) === '\x01ole10native') {
      const pkg = parseOle10Native(r.data);
      if (pkg) {
        yield em.member(`${e.path}/${pkg.name}`, pkg.data, pkg.truncated ? { notes: ['OLE1 package truncated'] } : {});
        continue;
      }
    }
    yield em.member(e.path, r.data, notes.length > 0 ? { notes } : {});
    await Promise.resolve();
  }
}

/** Decompresses each module's source; marks module streams so they are not yielded raw too. */
function collectVba(cfb: CfbFile, em: MemberEmitter, dir: CfbEntry, siblings: CfbEntry[], moduleStreams: Set<number>): ExtractedObject[] {
  const out: ExtractedObject[] = [];
  const cap = em.cap();
  const raw = cfb.read(dir, cap.bytes);
  if (raw === 'too_big') return [em.limited(dir.path, cap.reason)];
  const decoded = decompressOvba(raw.data, cap.bytes);
  const modules = parseVbaDir(decoded.data);
  const streams = new Map<string, CfbEntry>();
  for (const s of siblings) if (s.type === 'stream' && !streams.has(s.name.toLowerCase())) streams.set(s.name.toLowerCase(), s);
  for (const m of modules) {
    const stream = streams.get(m.streamName.toLowerCase());
    // A stream named by several modules is decompressed once (no amplification by repetition).
    if (stream === undefined || moduleStreams.has(stream.id)) continue;
    moduleStreams.add(stream.id);
    const mcap = em.cap();
    const r = cfb.read(stream, mcap.bytes);
    if (r === 'too_big') { out.push(em.limited(stream.path, mcap.reason)); continue; }
    const src = decompressOvba(r.data.subarray(Math.min(m.textOffset, r.data.length)), mcap.bytes);
    if (src.capped) { out.push(em.limited(`${stream.path} (VBA source)`, mcap.reason)); continue; }
    const notes = src.damaged ? ['VBA source damaged: partial content'] : [];
    out.push(em.member(`${stream.path} (VBA source)`, src.data, { heuristics: [H.ole2Macros], ...(notes.length > 0 ? { notes } : {}) }));
  }
  return out;
}
