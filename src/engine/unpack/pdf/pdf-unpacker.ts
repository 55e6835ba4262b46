import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';
import { H } from '../../heuristics/heuristic-names.js';
import { applyFilter, MAX_FILTER_CHAIN } from './pdf-filters.js';
import { embeddedFileNames, filterChain, objectStreamMembers, scanObjects, type PdfObject } from './pdf-objects.js';
import { activeContent, inlineJavaScript } from './pdf-active-content.js';
import { firstFileId, openEncryption, type PdfDecryptor } from './pdf-crypt.js';

type Encryption = { state: 'none' } | { state: 'locked'; note: string } | { state: 'open'; decryptor: PdfDecryptor; encryptObject: number; withPassword: boolean };

/** Finds `/Encrypt` (reference or inline, in a trailer or an xref stream) and tries the empty user password. */
function encryption(text: string, objects: PdfObject[], passwords: readonly string[]): Encryption {
  const refs = [...text.matchAll(/\/Encrypt\s+(\d+)\s+(\d+)\s+R/gu)];
  const ref = refs.at(-1);
  let dict: string | undefined;
  let num = -1;
  if (ref) {
    num = Number(ref[1]);
    dict = objects.find((o) => o.num === num)?.dict;
  } else {
    const inline = /\/Encrypt\s*<<([\s\S]{0,4000}?)>>/u.exec(text);
    if (!inline) return { state: 'none' };
    dict = inline[1];
  }
  if (dict === undefined) return { state: 'locked', note: 'encrypted PDF: encryption dictionary missing' };
  const id = firstFileId(text);
  // The empty user password first ("owner password only"), then the message's candidates.
  for (const [i, pw] of ['', ...passwords].entries()) {
    const d = openEncryption(dict, id, pw);
    if (d === 'unsupported') return { state: 'locked', note: 'encrypted PDF: security handler not supported' };
    if (d !== 'password') return { state: 'open', decryptor: d, encryptObject: num, withPassword: i > 0 };
  }
  return { state: 'locked', note: 'encrypted PDF: a user password is needed' };
}

/** Objects scanned per PDF beyond the object budget: most objects have no stream and yield nothing. */
const OBJECTS_PER_MEMBER = 20;
/** Hard ceiling on scanned objects whatever the budget: a million objects is an attack, not a document. */
const MAX_PDF_OBJECTS = 1_000_000;

/**
 * PDF: own object scanner (no xref trust), stream filters Flate/ASCIIHex/ASCII85/LZW/
 * RunLength with predictors, object streams, embedded files by name, inline JavaScript.
 * Encrypted PDFs are reported (state encrypted), not decrypted.
 */
export const pdfUnpacker: Unpacker = {
  name: 'pdf',
  types: ['CL_TYPE_PDF'],
  unpack: unpackPdf,
};

async function* unpackPdf(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
  const em = new MemberEmitter(ctx);
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
  const maxObjects = Math.min(MAX_PDF_OBJECTS, Math.max(1, ctx.budget.remainingObjects()) * OBJECTS_PER_MEMBER);
  const objects = scanObjects(data, text, maxObjects);
  if (objects.length === 0) return yield em.finding('corrupted', [], ['no PDF objects found']);

  const crypt = encryption(text, objects, em.passwords);
  if (crypt.state === 'locked') return yield em.finding('encrypted', [H.encryptedPdf], [crypt.note]);
  const decryptor = crypt.state === 'open' ? crypt.decryptor : undefined;
  const encryptNum = crypt.state === 'open' ? crypt.encryptObject : -1;
  // Decrypts a stream or string of one object; the encryption dictionary and xref streams are never encrypted.
  const plain = (o: { num: number; gen: number; dict: string }, bytes: Uint8Array): Uint8Array =>
    decryptor === undefined || o.num === encryptNum || /\/Type\s*\/XRef\b/u.test(o.dict) ? bytes : decryptor.decrypt(o.num, o.gen, bytes);
  if (decryptor) {
    const how = crypt.state === 'open' && crypt.withPassword ? 'a candidate password' : 'an empty user password';
    const flag = em.flag([H.encryptedPdf], [`PDF encrypted (${decryptor.method}) with ${how}: decrypted`]);
    if (flag) yield flag;
  }

  // Object streams first: their objects hold filespec names and active-content keys.
  const decoded = new Map<PdfObject, ExtractedObject>();
  const inner: PdfObject[] = [];
  for (const o of objects) {
    if (o.stream === undefined || !/\/Type\s*\/ObjStm\b/u.test(o.dict)) continue;
    if (!em.hasObjectRoom() || !em.canContinue()) break;
    const obj = decodeStream(o, em, undefined, plain);
    decoded.set(o, obj);
    if (obj.data) for (const m of objectStreamMembers(o, obj.data)) inner.push(m);
  }
  const all = [...objects, ...inner];
  const packed = new Set(inner);
  const active = new Set<string>();
  for (const o of all) for (const h of activeContent(o.dict)) active.add(h);
  const names = embeddedFileNames(all, (o, b) => (packed.has(o) ? b : plain(o, b)));
  for (const o of all) {
    if (ctx.signal.aborted) return yield em.aborted();
    if (!em.canContinue()) return;
    for (const js of inlineJavaScript(o.dict)) {
      if (!em.hasObjectRoom()) return yield em.filesLimit();
      // Strings of objects packed in an object stream were decrypted with the stream.
      const bytes = packed.has(o) ? js : plain(o, js);
      yield em.member(`obj ${o.num} ${o.gen} /JS`, bytes);
    }
    if (o.stream === undefined) continue;
    if (!em.hasObjectRoom()) return yield em.filesLimit();
    yield decoded.get(o) ?? decodeStream(o, em, names.get(o.num), plain);
    await Promise.resolve();
  }
  const flag = em.flag([...active], ['PDF with active content']);
  if (flag) yield flag;
}

function decodeStream(o: PdfObject, em: MemberEmitter, embeddedName: string | undefined, plain: (o: PdfObject, b: Uint8Array) => Uint8Array): ExtractedObject {
  const name = embeddedName ?? `obj ${o.num} ${o.gen}`;
  const chain = filterChain(o.dict);
  const notes = o.lengthGuessed ? ['stream /Length missing or wrong: ended at endstream'] : [];
  if (chain.length > MAX_FILTER_CHAIN) return em.state(name, 'unsupported', [], [`${chain.length} filters in a chain`]);
  let cur = plain(o, o.stream!);
  const cap = em.cap();
  for (const f of chain) {
    const r = applyFilter(f, cur, cap.bytes);
    if (!r.ok) {
      if (r.reason === 'too_big') {
        // Ratio check: a PDF stream is a compressed member like any other.
        return em.limited(name, cap.reason, { notes });
      }
      // Keep what we have: the undecoded bytes are still scanned.
      notes.push(r.note);
      break;
    }
    if (r.partial) notes.push(`${f.name}: damaged stream, partial content`);
    cur = r.data;
  }
  const ratioCap = em.cap(o.stream!.length);
  if (cur.length > ratioCap.bytes) return em.limited(name, ratioCap.reason, { notes });
  return em.member(name, cur, notes.length > 0 ? { notes } : {});
}
