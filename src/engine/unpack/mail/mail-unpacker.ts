import { createHash } from 'node:crypto';
import { parseMail, type Reading } from '../../../mail/parse-mail.js';
import type { MimePart } from '../../../mail/types.js';
import { filterHeuristics } from '../../heuristics/heuristic-names.js';
import { memberHeuristics } from '../../heuristics/member-heuristics.js';
import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { splitMbox } from './mbox-split.js';
import { findTextEncoded, mayHoldTextEncoded } from '../text-encoded/find-text-encoded.js';

/** uuencode/yEnc/BinHex files looked for inside one text part; more is an attack, not mail. */
const MAX_TEXT_ENCODED_PER_PART = 64;

function camel(kind: string): string {
  return kind.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
}

/**
 * Opens a mail message: every leaf part, decoded, with its filename and MIME path. Where the
 * message can be read two ways (duplicate headers, odd boundary lines), the second reading's parts
 * are yielded too, so whatever a client shows has been scanned. An mbox yields one child per message.
 */
export const mailUnpacker: Unpacker = {
  name: 'mail',
  types: ['CL_TYPE_MAIL', 'CL_TYPE_MBOX'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncIterable<ExtractedObject> {
    const messages = splitMbox(data);
    if (messages) {
      for (const [i, m] of messages.entries()) {
        if (ctx.signal.aborted) return;
        yield { name: `message ${i + 1}`, data: m };
      }
      return;
    }
    const seen = new Set<string>();
    const limits = ctx.budget.limits;
    const first = parseMail(data, { limits, reading: 'first', decodeText: false });
    const readings: Array<[Reading, MimePart[]]> = [['first', first.leaves]];
    const ambiguities = [...first.ambiguities];
    if (first.ambiguities.length) {
      const last = parseMail(data, { limits, reading: 'last', decodeText: false });
      readings.push(['last', last.leaves]);
      // The other reading may show parts (and oddities in them) the first one never reached.
      const known = new Set(ambiguities.map((a) => `${a.kind} ${a.path} ${a.detail}`));
      for (const a of last.ambiguities) if (!known.has(`${a.kind} ${a.path} ${a.detail}`)) ambiguities.push(a);
    }
    for (const [reading, leaves] of readings) {
      for (const leaf of leaves) {
        if (ctx.signal.aborted) return;
        const bytes = leaf.decoded;
        if (!bytes || bytes.length === 0) continue;
        // Every part of the main reading is yielded (cleaning needs each one, even duplicates);
        // the alternative reading adds only content the main reading did not show.
        if (readings.length > 1) {
          const hash = createHash('sha1').update(bytes).digest('hex');
          if (reading === 'last' && seen.has(hash)) continue;
          seen.add(hash);
        }
        if (!ctx.budget.consume(bytes.length)) {
          yield { name: leaf.filename ?? `part ${leaf.path || '1'}`, state: 'too_big', notes: ['scan byte budget exhausted'] };
          return;
        }
        const obj: ExtractedObject = { name: leaf.filename ?? `part ${leaf.path || '1'}`, data: bytes, heuristics: memberHeuristics(ctx.heuristics, { name: leaf.filename, data: bytes, insideArchive: false }) };
        if (reading === 'first') obj.mimePath = leaf.path;
        else obj.notes = ['seen only in the alternative reading of an ambiguous message'];
        yield obj;
        if ((leaf.contentType.startsWith('text/') || leaf.contentType === 'application/octet-stream') && mayHoldTextEncoded(bytes)) {
          const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
          for (const f of findTextEncoded(text, MAX_TEXT_ENCODED_PER_PART, limits.maxObjectBytes)) {
            const obj2: ExtractedObject = { name: f.name, data: f.data, heuristics: memberHeuristics(ctx.heuristics, { name: f.name, data: f.data, insideArchive: false }), notes: f.notes };
            if (reading === 'first') obj2.mimePath = leaf.path;
            yield obj2;
          }
        }
      }
    }
    const notes = [...ambiguities.map((a) => `ambiguous MIME (${a.kind}) at part "${a.path}": ${a.detail}`), ...first.limitsHit.map((l) => `MIME limit reached: ${l}`)];
    if (notes.length) {
      const names = [...new Set(ambiguities.map((a) => `Heuristics.Mail.Ambiguous.${camel(a.kind)}`))];
      // Capping the list of ambiguities loses no content; every other limit does.
      const lossy = first.limitsHit.some((l) => l !== 'max_ambiguities');
      yield { name: '(container)', state: lossy ? 'too_big' : 'clean', heuristics: filterHeuristics(ctx.heuristics, names), notes };
    }
  },
};
