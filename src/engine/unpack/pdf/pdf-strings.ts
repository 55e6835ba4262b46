/** PDF string values as bytes: literal `( … )` with escapes and nesting, or hex `< … >`. */
export function parsePdfString(text: string, at: number): { bytes: Buffer; end: number } | undefined {
  let i = at;
  while (i < text.length && /\s/u.test(text[i]!)) i++;
  if (text[i] === '<' && text[i + 1] !== '<') {
    const close = text.indexOf('>', i);
    if (close < 0) return undefined;
    let hex = text.slice(i + 1, close).replace(/[^0-9a-fA-F]/gu, '');
    if (hex.length % 2) hex += '0';
    return { bytes: Buffer.from(hex, 'hex'), end: close + 1 };
  }
  if (text[i] !== '(') return undefined;
  const out: number[] = [];
  let depth = 1;
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      const n = text[i + 1];
      if (n === undefined) break;
      const oct = /^[0-7]{1,3}/u.exec(text.slice(i + 1, i + 4));
      if (oct) {
        out.push(parseInt(oct[0], 8) & 0xff);
        i += 1 + oct[0].length;
        continue;
      }
      const map: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12 };
      if (n === '\r') i += text[i + 2] === '\n' ? 3 : 2;
      else if (n === '\n') i += 2;
      else {
        out.push(map[n] ?? n.charCodeAt(0));
        i += 2;
      }
      continue;
    }
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return { bytes: Buffer.from(out), end: i + 1 };
    out.push(c & 0xff);
    i++;
  }
  return undefined;
}

/** The string value of `/Key` in a dictionary text, as bytes. */
export function dictString(dict: string, key: string): Buffer | undefined {
  for (const m of dict.matchAll(new RegExp(`/${key}(?![A-Za-z0-9])`, 'gu'))) {
    const s = parsePdfString(dict, m.index + m[0].length);
    if (s) return s.bytes;
  }
  return undefined;
}

export function dictInt(dict: string, key: string): number | undefined {
  const m = new RegExp(`/${key}\\s+(-?\\d{1,12})\\b(?!\\s+\\d+\\s+R)`, 'u').exec(dict);
  return m ? Number(m[1]) : undefined;
}

export function dictName(dict: string, key: string): string | undefined {
  const m = new RegExp(`/${key}\\s*/([A-Za-z0-9]+)`, 'u').exec(dict);
  return m ? m[1] : undefined;
}
