/**
 * One `.ldb` subsignature: `[offset:]hex[::modifiers]`. Recognises the special kinds Moat
 * does not implement (PCRE, byte compare, macro, image fuzzy hash) so the compiler reports
 * them as unsupported, and applies the `f` (fullword) and `w`/`a` (wide/ascii) modifiers as
 * ClamAV does: by rewriting the hex text before parsing (`(W)hex(W)`, every hex pair + `00`).
 */
export type SubsigParse =
  | { ok: true; offset: string; variants: string[]; nocase: boolean }
  | { ok: false; unsupported: boolean; kind: string; error: string };

export function parseSubsig(text: string): SubsigParse {
  if (text.startsWith('fuzzy_img#')) return { ok: false, unsupported: true, kind: 'fuzzy-image', error: 'image fuzzy hash subsignatures are not supported' };
  if (text.startsWith('${')) return { ok: false, unsupported: true, kind: 'macro', error: 'macro subsignatures are not supported' };
  const firstSlash = text.indexOf('/');
  if (firstSlash >= 0 && text.lastIndexOf('/') !== firstSlash) return { ok: false, unsupported: true, kind: 'pcre', error: 'PCRE subsignatures are not supported' };
  if (/^\d+\((#|>>|<<|0#)/.test(text) || (text.includes('#') && /\(.*#.*#.*\)/.test(text))) {
    return { ok: false, unsupported: true, kind: 'byte-compare', error: 'byte-compare subsignatures are not supported' };
  }
  let body = text;
  let mods = '';
  const mm = /::([A-Za-z]*)$/.exec(body);
  if (mm) {
    mods = mm[1]!;
    body = body.slice(0, body.length - mm[0].length);
    if (!/^[iwfa]*$/.test(mods)) return { ok: false, unsupported: false, kind: 'ldb', error: `unknown subsignature modifier "${mods}"` };
  }
  let offset = '*';
  const colon = body.indexOf(':');
  if (colon >= 0) {
    offset = body.slice(0, colon);
    body = body.slice(colon + 1);
  }
  if (!body) return { ok: false, unsupported: false, kind: 'ldb', error: 'empty subsignature' };
  const nocase = mods.includes('i');
  if (mods.includes('f')) body = `(W)${body}(W)`.replace(/\[/g, '{').replace(/\]/g, '}');
  const variants: string[] = [];
  if (mods.includes('w')) {
    const wide = widen(body);
    if (wide === undefined) return { ok: false, unsupported: false, kind: 'ldb', error: 'malformed hex for the wide modifier' };
    variants.push(wide);
    if (mods.includes('a')) variants.push(body);
  } else {
    variants.push(body);
  }
  return { ok: true, offset, variants, nocase };
}

/** ClamAV's wide rewrite: each hex pair gets a `00` after it; `*`, `|`, `)`, ranges and classes are kept, `[x-y]` becomes `{x-y}`. */
function widen(hex: string): string | undefined {
  let out = '';
  for (let i = 0; i < hex.length; i++) {
    const c = hex[i]!;
    if (c === '*' || c === '|' || c === ')') out += c;
    else if (c === '[' || c === '{') {
      const close = hex.indexOf(c === '[' ? ']' : '}', i);
      if (close < 0) return undefined;
      out += `{${hex.slice(i + 1, close)}}`;
      i = close;
    } else if (c === '!' || c === '(') {
      if (c === '!') {
        out += '!';
        i++;
      }
      out += '(';
      if (/^[BLW]\)/.test(hex.slice(i + 1, i + 3))) {
        out += `${hex[i + 1]})`;
        i += 2;
      }
    } else {
      if (i + 1 >= hex.length) return undefined;
      out += `${c}${hex[i + 1]}00`;
      i++;
    }
  }
  return out;
}
