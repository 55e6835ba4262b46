import { MemberEmitter } from '../common/member-emitter.js';
import { decompressRtf } from './compressed-rtf.js';
import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { PR_HTML, PR_RTF_COMPRESSED, PR_ATTACH_DATA_OBJ, PR_ATTACH_LONG_FILENAME, PR_DISPLAY_NAME, isObjectProp, readMapiProps } from './tnef-mapi-props.js';
import { ATT_MSG_PROPS, LVL_MESSAGE, ATT_ATTACH_DATA, ATT_ATTACH_REND_DATA, ATT_ATTACH_TITLE, ATT_ATTACHMENT, LVL_ATTACHMENT, readTnef } from './tnef-reader.js';

/** PT_OBJECT values begin with the 16-byte interface id of the object they hold. */
const IID_BYTES = 16;

interface Attachment {
  title?: string;
  longName?: string;
  data?: Uint8Array;
  /** Embedded message or OLE object (PR_ATTACH_DATA_OBJ), scanned as its own object. */
  object?: Uint8Array;
  badChecksum: boolean;
}

function cString(b: Uint8Array): string {
  const z = b.indexOf(0);
  return Buffer.from(z < 0 ? b : b.subarray(0, z)).toString('latin1');
}

/**
 * Opens TNEF (`winmail.dat`, application/ms-tnef): each attachment's data under its long file
 * name, plus embedded objects. Outlook recipients open these, so they are scanned like any part.
 */
export const tnefUnpacker: Unpacker = {
  name: 'tnef',
  types: ['CL_TYPE_TNEF'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncIterable<ExtractedObject> {
    const stream = readTnef(data);
    const attachments: Attachment[] = [];
    let current: Attachment | undefined;
    const bodies: Array<{ name: string; data: Uint8Array; notes: string[] }> = [];
    for (const a of stream.attributes) {
      if (a.level === LVL_MESSAGE && a.id === ATT_MSG_PROPS) {
        // The message body travels as compressed RTF or HTML; RTF bodies carry OLE objects.
        for (const p of readMapiProps(a.data).props) {
          if (p.id === PR_RTF_COMPRESSED && bodies.length < 4) bodies.push({ name: '(message body).rtf', ...decompressRtf(p.value, ctx.budget.limits.maxObjectBytes) });
          if (p.id === PR_HTML && bodies.length < 4) bodies.push({ name: '(message body).html', data: p.value, notes: [] });
        }
      }
      if (a.level !== LVL_ATTACHMENT) continue;
      if (a.id === ATT_ATTACH_REND_DATA || !current) {
        current = { badChecksum: false };
        attachments.push(current);
      }
      if (!a.checksumOk) current.badChecksum = true;
      if (a.id === ATT_ATTACH_TITLE) current.title = cString(a.data);
      else if (a.id === ATT_ATTACH_DATA) current.data = a.data;
      else if (a.id === ATT_ATTACHMENT) {
        for (const p of readMapiProps(a.data).props) {
          if ((p.id === PR_ATTACH_LONG_FILENAME || (p.id === PR_DISPLAY_NAME && !current.longName)) && p.text) current.longName = p.text;
          if (p.id === PR_ATTACH_DATA_OBJ && p.value.length > 0) current.object = isObjectProp(p) ? p.value.subarray(Math.min(IID_BYTES, p.value.length)) : p.value;
        }
      }
    }
    // TNEF attachments are mail attachments, not archive members: no "executable in archive" flag.
    const em = new MemberEmitter(ctx, false);
    for (const b of bodies) {
      if (!em.canContinue() || !em.hasObjectRoom()) break;
      if (b.data.length > 0) yield em.member(b.name, b.data, b.notes.length ? { notes: b.notes } : {});
    }
    for (const [i, att] of attachments.entries()) {
      const name = att.longName ?? att.title ?? `attachment ${i + 1}`;
      const extra = att.badChecksum ? { notes: ['TNEF attribute checksum mismatch'] } : {};
      for (const [bytes, label] of [[att.data, name], [att.object, `${name} (embedded object)`]] as const) {
        if (!bytes) continue;
        if (!em.canContinue()) return void (ctx.signal.aborted ? yield em.aborted() : undefined);
        if (!em.hasObjectRoom()) return yield em.filesLimit();
        if (bytes.length > em.limits.maxObjectBytes) yield em.limited(label, 'file', extra);
        else yield em.member(label, bytes, extra);
      }
    }
    if (stream.problem) yield em.finding('corrupted', [], [stream.problem]);
  },
};
