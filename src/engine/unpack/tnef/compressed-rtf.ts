/** Compressed RTF (MS-OXRTFCP), the form Outlook stores message bodies in (PR_RTF_COMPRESSED). */

const PRELOAD = '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';
/** The format's sliding dictionary is 4096 bytes. */
const DICT_SIZE = 4096;
const COMP_LZFU = 0x75465a4c;
const COMP_MELA = 0x414c454d;

export interface DecompressedRtf {
  data: Uint8Array;
  notes: string[];
}

/** Decompresses to at most `maxBytes` (and at most the declared raw size); never throws. */
export function decompressRtf(buf: Uint8Array, maxBytes: number): DecompressedRtf {
  if (buf.length < 16) return { data: new Uint8Array(0), notes: ['compressed RTF header truncated'] };
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const rawSize = dv.getUint32(4, true);
  const type = dv.getUint32(8, true);
  const limit = Math.min(rawSize, maxBytes);
  const notes: string[] = rawSize > maxBytes ? ['compressed RTF larger than the object size limit; cut there'] : [];
  if (type === COMP_MELA) return { data: buf.subarray(16, 16 + limit), notes };
  if (type !== COMP_LZFU) return { data: new Uint8Array(0), notes: [`unknown compressed RTF type 0x${type.toString(16)}`] };
  const dict = new Uint8Array(DICT_SIZE);
  for (let i = 0; i < PRELOAD.length; i++) dict[i] = PRELOAD.charCodeAt(i);
  let write = PRELOAD.length;
  const out = new Uint8Array(limit);
  let n = 0;
  let pos = 16;
  while (pos < buf.length && n < limit) {
    const control = buf[pos++]!;
    for (let bit = 0; bit < 8 && n < limit; bit++) {
      if (pos >= buf.length) return { data: out.subarray(0, n), notes: [...notes, 'compressed RTF truncated'] };
      if ((control & (1 << bit)) === 0) {
        const b = buf[pos++]!;
        out[n++] = b;
        dict[write] = b;
        write = (write + 1) % DICT_SIZE;
        continue;
      }
      if (pos + 1 >= buf.length) return { data: out.subarray(0, n), notes: [...notes, 'compressed RTF truncated'] };
      const ref = (buf[pos]! << 8) | buf[pos + 1]!;
      pos += 2;
      let offset = ref >> 4;
      // A reference to the current write position marks the end of the stream.
      if (offset === write) return { data: out.subarray(0, n), notes };
      const len = (ref & 15) + 2;
      for (let k = 0; k < len && n < limit; k++) {
        const b = dict[offset]!;
        offset = (offset + 1) % DICT_SIZE;
        out[n++] = b;
        dict[write] = b;
        write = (write + 1) % DICT_SIZE;
      }
    }
  }
  return { data: out.subarray(0, n), notes };
}
