import type { ExtractedObject, UnpackContext, Unpacker } from '../unpacker.js';
import { MemberEmitter } from '../common/member-emitter.js';

/** A base64 literal shorter than this inside a script is a token or an id, not a smuggled file. */
const MIN_SCRIPT_BASE64 = 128;
/** Media types and script bodies are cut to this for names. */
const MAX_LABEL = 80;

function decodeDataUri(meta: string, payload: string): Buffer {
  if (/;base64$/iu.test(meta)) return Buffer.from(payload.replace(/%([0-9a-f]{2})/giu, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'base64');
  return Buffer.from(payload.replace(/%([0-9a-f]{2})/giu, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
}

/**
 * HTML: `data:` URIs (images, documents, scripts smuggled inline), `<script>` bodies, and
 * long base64 literals inside scripts (HTML smuggling builds a file from one with atob()).
 */
export const htmlUnpacker: Unpacker = {
  name: 'html',
  types: ['CL_TYPE_HTML'],
  async *unpack(data: Uint8Array, ctx: UnpackContext): AsyncGenerator<ExtractedObject> {
    const em = new MemberEmitter(ctx, false);
    const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1');
    const cap = em.cap();
    let n = 0;
    const emit = (name: string, bytes: Uint8Array): ExtractedObject => (bytes.length > cap.bytes ? em.limited(name, cap.reason) : em.member(name, bytes));
    const dataUri = /data:([a-z0-9.+/-]{0,100}(?:;[a-z0-9=.+_-]{0,100}){0,8}),([^"'\s>]*)/giu;
    for (const m of text.matchAll(dataUri)) {
      if (ctx.signal.aborted) return yield em.aborted();
      if (!em.canContinue()) return;
      if (!em.hasObjectRoom()) return yield em.filesLimit();
      n++;
      yield emit(`data-uri ${n} (${(m[1] || 'text/plain').slice(0, MAX_LABEL)})`, decodeDataUri(m[1]!, m[2]!));
    }
    for (const body of scriptBodies(text)) {
      if (ctx.signal.aborted) return yield em.aborted();
      if (!em.canContinue()) return;
      if (body.trim() === '') continue;
      if (!em.hasObjectRoom()) return yield em.filesLimit();
      n++;
      yield emit(`script ${n}`, Buffer.from(body, 'latin1'));
      const b64 = new RegExp(`["'\`]([A-Za-z0-9+/=\\s\\\\n]{${MIN_SCRIPT_BASE64},})["'\`]`, 'gu');
      for (const lit of body.matchAll(b64)) {
        if (!em.hasObjectRoom()) return yield em.filesLimit();
        const clean = lit[1]!.replace(/\\n|\s/gu, '');
        if (clean.length < MIN_SCRIPT_BASE64) continue;
        n++;
        yield emit(`script ${n} base64`, Buffer.from(clean, 'base64'));
      }
      await Promise.resolve();
    }
  },
};

/** `<script ...>` bodies found with indexOf on a lower-cased copy: linear even with unclosed tags. */
function scriptBodies(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let p = 0;
  for (;;) {
    const open = lower.indexOf('<script', p);
    if (open < 0) break;
    const gt = lower.indexOf('>', open);
    if (gt < 0) break;
    const close = lower.indexOf('</script', gt);
    const end = close < 0 ? text.length : close;
    out.push(text.slice(gt + 1, end));
    if (close < 0) break;
    p = close + 8;
  }
  return out;
}
