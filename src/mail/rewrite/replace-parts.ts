import { parseMail } from '../parse-mail.js';
import type { MimePart } from '../types.js';

/** What to do with one part: replace it by a text/plain notice, or remove it. */
export type PartEdit = { path: string; notice: string } | { path: string; remove: true };

function find(part: MimePart, path: string): MimePart | undefined {
  if (part.path === path) return part;
  for (const c of part.children) {
    const f = find(c, path);
    if (f) return f;
  }
  return undefined;
}

function eolOf(buf: Buffer): string {
  const i = buf.indexOf(10);
  return i > 0 && buf[i - 1] === 13 ? '\r\n' : '\n';
}

/**
 * Replaces or removes MIME parts by path (paths from `parseMail`'s first reading). Every byte
 * outside the edited parts is kept; the result stays valid MIME. Returns undefined when a path
 * is the message itself or does not exist (the message cannot be cleaned that way).
 */
export function editParts(message: Uint8Array, edits: readonly PartEdit[]): Buffer | undefined {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.length);
  const mail = parseMail(buf);
  const eol = eolOf(buf);
  // A part inside another edited part goes with its ancestor.
  const paths = edits.map((e) => e.path);
  const effective = edits.filter((e) => !paths.some((p) => p !== e.path && e.path.startsWith(`${p}.`)));
  const located: Array<{ edit: PartEdit; part: MimePart }> = [];
  for (const edit of effective) {
    if (edit.path === '') return undefined;
    const part = find(mail.root, edit.path);
    if (!part) return undefined;
    located.push({ edit, part });
  }
  located.sort((a, b) => b.part.start - a.part.start);
  let out = buf;
  for (const { edit, part } of located) {
    if ('remove' in edit) {
      // The delimiter line before the part and the line break after it go too.
      const delimiterLine = out.lastIndexOf(10, part.start - 2) + 1;
      const after = out[part.end] === 13 && out[part.end + 1] === 10 ? part.end + 2 : out[part.end] === 10 ? part.end + 1 : part.end;
      out = Buffer.concat([out.subarray(0, delimiterLine), out.subarray(after)]);
    } else {
      const replacement = `Content-Type: text/plain; charset=utf-8${eol}Content-Disposition: inline${eol}Content-Transfer-Encoding: 8bit${eol}${eol}${edit.notice.replace(/\r?\n/g, eol)}`;
      out = Buffer.concat([out.subarray(0, part.start), Buffer.from(replacement, 'utf8'), out.subarray(part.end)]);
    }
  }
  return out;
}

/** Replaces one part (by MIME path) with a short text/plain notice; undefined when it cannot. */
export function replacePart(message: Uint8Array, mimePath: string, noticeText: string): Buffer | undefined {
  return editParts(message, [{ path: mimePath, notice: noticeText }]);
}

/** Removes one part (by MIME path) with its delimiter line; undefined when it cannot. */
export function removePart(message: Uint8Array, mimePath: string): Buffer | undefined {
  return editParts(message, [{ path: mimePath, remove: true }]);
}
