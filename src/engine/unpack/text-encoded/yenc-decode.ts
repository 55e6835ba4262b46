/** yEnc (`=ybegin … =yend`) blocks inside text, as Usenet and some mailers send binaries. */

export interface TextEncodedFile {
  name: string;
  data: Uint8Array;
  /** What went wrong while decoding (truncated, bad CRC); the data is still scanned. */
  notes: string[];
}

function param(line: string, key: string): string | undefined {
  // `name=` is always last on the line and may contain spaces.
  if (key === 'name') return /\bname=(.*)$/.exec(line)?.[1]?.trim();
  return new RegExp(`\\b${key}=(\\S+)`).exec(line)?.[1];
}

/** Decodes one yEnc data line into `out` (escape `=` adds 64, every byte minus 42). */
function decodeLine(text: string, from: number, to: number, out: number[]): void {
  for (let i = from; i < to; i++) {
    let c = text.charCodeAt(i);
    if (c === 13 || c === 10) continue;
    if (c === 61 /* = */) {
      i++;
      if (i >= to) break;
      c = (text.charCodeAt(i) - 64) & 255;
    }
    out.push((c - 42) & 255);
  }
}

/** Every `=ybegin` block in `text` (latin1 view of the bytes), at most `maxFiles`, each at most `maxBytes`. */
export function findYenc(text: string, maxFiles: number, maxBytes: number): TextEncodedFile[] {
  const files: TextEncodedFile[] = [];
  const re = /^=ybegin (.*)$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && files.length < maxFiles) {
    const header = m[1]!.replace(/\r$/, '');
    const out: number[] = [];
    const notes: string[] = [];
    let pos = m.index + m[0].length + 1;
    let ended = false;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      const line = text.slice(pos, Math.min(nl, pos + 8));
      if (line.startsWith('=yend')) {
        ended = true;
        pos = nl + 1;
        break;
      }
      if (!line.startsWith('=ypart')) decodeLine(text, pos, nl, out);
      if (out.length > maxBytes) {
        notes.push('yEnc block larger than the object size limit; cut there');
        out.length = maxBytes;
        pos = nl + 1;
        break;
      }
      pos = nl + 1;
    }
    if (!ended) notes.push('yEnc block without =yend (truncated)');
    const size = Number(param(header, 'size'));
    if (ended && Number.isFinite(size) && size !== out.length && !/\bpart=/.test(header)) notes.push(`yEnc size ${size} differs from decoded ${out.length}`);
    files.push({ name: param(header, 'name') ?? 'yenc.bin', data: Uint8Array.from(out), notes });
    re.lastIndex = Math.max(pos, re.lastIndex);
  }
  return files;
}
