/**
 * Parses ClamAV's hex body-signature syntax (BodySignatureFormat) into a PatternAst,
 * following the loader's rules (readdb.c / matcher-ac.c behaviour, re-implemented):
 *  - `{n}` with 0 < n < 128 is rewritten to n × `??` while it is the first `{` of the text;
 *    every other `{...}` and every `*` splits the signature into ordered parts;
 *  - `{n-m}` / `{-n}` / `{n-}` give the distance from the end of one part to the start of
 *    the next; a maximum of 0 means unbounded (as in ClamAV);
 *  - `aa[x-y]HEX` / `HEX[x-y]aa`: a single byte x..y bytes before/after the part (y ≤ 32);
 *  - `(B)`/`(L)`/`(W)` first or last in a part are zero-width edge checks, elsewhere they consume;
 *  - `(aa|bb)` single-byte and `(aabb|ccdd)` fixed-length alternates may be negated with `!`;
 *    anything else inside `(...)` is a generic alternate (not negatable).
 * Returns an error string for malformed input; never throws.
 */
import {
  CLASS_B,
  CLASS_L,
  CLASS_W,
  type CharAnchor,
  type CharClass,
  type EdgeAssertion,
  type Elem,
  type PartAst,
  type PatternAst,
  isAsciiLetter,
  newSet,
  setAdd,
  setHas,
} from './pattern-ast.js';

/** ClamAV rewrites `{n}` below this into `??` runs instead of splitting (readdb.c). */
const SMALL_FIXED_GAP = 128;
/** ClamAV's AC_CH_MAXDIST: the furthest a `[x-y]` char anchor may sit. */
const CHAR_ANCHOR_MAX_DIST = 32;
/** ClamAV's ACPATT_ALTN_MAXNEST: deepest alternate nesting accepted. */
const MAX_ALT_NEST = 15;
/** Hex text longer than this is refused: real signatures stay far below; guards compile memory. */
const MAX_HEX_CHARS = 1 << 20;

export function parseHexPattern(hexIn: string, nocase: boolean): PatternAst | string {
  if (hexIn.length === 0) return 'empty hex signature';
  if (hexIn.length > MAX_HEX_CHARS) return `hex signature longer than ${MAX_HEX_CHARS} characters`;
  const hex = expandSmallGaps(hexIn);
  if (typeof hex !== 'string') return hex.error;
  const pieces = splitParts(hex);
  if (typeof pieces === 'string') return pieces;
  const parts: PartAst[] = [];
  for (const piece of pieces) {
    const part = parsePart(piece.text, nocase);
    if (typeof part === 'string') return part;
    part.gapMin = piece.gapMin;
    part.gapMax = piece.gapMax;
    parts.push(part);
  }
  return { parts };
}

function expandSmallGaps(hex: string): string | { error: string } {
  // One left-to-right pass: rewrite `{n}` while it is the first remaining brace, stop at the
  // first brace that is not a small fixed gap (everything after it is split as written).
  const out: string[] = [];
  let length = 0;
  let from = 0;
  for (;;) {
    const at = hex.indexOf('{', from);
    if (at < 0) break;
    const m = /^\{(\d+)\}/.exec(hex.slice(at, at + 12));
    const n = m ? Number(m[1]) : 0;
    if (!m || n <= 0 || n >= SMALL_FIXED_GAP) break;
    out.push(hex.slice(from, at), '??'.repeat(n));
    length += at - from + 2 * n;
    if (length > MAX_HEX_CHARS) return { error: 'hex signature too long after expanding {n}' };
    from = at + m[0].length;
  }
  out.push(hex.slice(from));
  return out.join('');
}

interface Piece {
  text: string;
  gapMin: number;
  gapMax: number;
}

function splitParts(hex: string): Piece[] | string {
  const out: Piece[] = [];
  let depth = 0;
  let start = 0;
  let gapMin = 0;
  let gapMax = Infinity;
  for (let i = 0; i < hex.length; i++) {
    const c = hex[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '*' || c === '{') {
      if (depth > 0) return c === '*' ? 'alternative cannot contain unbounded wildcards' : 'alternative contains a ranged wildcard';
      out.push({ text: hex.slice(start, i), gapMin, gapMax });
      if (c === '*') {
        gapMin = 0;
        gapMax = Infinity;
        start = i + 1;
        continue;
      }
      const close = hex.indexOf('}', i);
      if (close < 0) return 'missing closing brace';
      const range = parseRange(hex.slice(i + 1, close));
      if (typeof range === 'string') return range;
      [gapMin, gapMax] = range;
      start = close + 1;
      i = close;
    }
  }
  out.push({ text: hex.slice(start), gapMin, gapMax });
  return out;
}

function parseRange(body: string): [number, number] | string {
  const m = /^(\d*)(-?)(\d*)$/.exec(body);
  if (!m || (m[1] === '' && m[3] === '')) return `invalid range {${body}}`;
  if (m[2] === '') {
    const n = Number(m[1]);
    return [n, n === 0 ? Infinity : n];
  }
  const lo = m[1] === '' ? 0 : Number(m[1]);
  const hi = m[3] === '' ? 0 : Number(m[3]);
  // ClamAV treats a maximum of 0 as "no maximum".
  return [lo, hi === 0 ? Infinity : hi];
}

function parsePart(textIn: string, nocase: boolean): PartAst | string {
  let text = textIn;
  let leftChar: CharAnchor | undefined;
  let rightChar: CharAnchor | undefined;
  for (let round = 0; round < 2; round++) {
    const open = text.indexOf('[');
    if (open < 0) break;
    const close = text.indexOf(']', open);
    if (close < 0) return 'missing closing square bracket';
    const m = /^(\d+)(?:-(\d+))?$/.exec(text.slice(open + 1, close));
    if (!m) return 'incorrect range inside square brackets';
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : Number(m[2]);
    if (min > max || max > CHAR_ANCHOR_MAX_DIST) return 'incorrect range inside square brackets';
    const before = text.slice(0, open);
    const after = text.slice(close + 1);
    if (before.length === 2 && round === 0 && !leftChar) {
      const b = parseHexByte(before);
      if (!b) return `invalid char anchor "${before}"`;
      leftChar = { v: b.v, m: b.m, nocase: nocase && b.m === 0xff && isAsciiLetter(b.v), min, max };
      text = after;
    } else if (after.length === 2) {
      const b = parseHexByte(after);
      if (!b) return `invalid char anchor "${after}"`;
      rightChar = { v: b.v, m: b.m, nocase: nocase && b.m === 0xff && isAsciiLetter(b.v), min, max };
      text = before;
      break;
    } else {
      return 'char anchor [x-y] must be next to a single byte at the start or end of a part';
    }
  }
  if (text.length === 0) return 'empty signature part';
  let left: EdgeAssertion | undefined;
  let right: EdgeAssertion | undefined;
  const lm = /^\(([BLW])\)/.exec(text);
  if (lm) {
    left = { c: classOf(lm[1]!), neg: false };
    text = text.slice(3);
  }
  const rm = /(!?)\(([BLW])\)$/.exec(text);
  if (rm && text.length > rm[0].length) {
    right = { c: classOf(rm[2]!), neg: rm[1] === '!' };
    text = text.slice(0, text.length - rm[0].length);
  }
  const p = new SeqParser(text, nocase);
  const elems = p.parseSeq(0, false);
  if (typeof elems === 'string') return elems;
  if (p.pos !== text.length) return `unexpected "${text[p.pos]}" in hex signature`;
  if (elems.length === 0) return 'empty signature part';
  const part: PartAst = { elems, gapMin: 0, gapMax: Infinity };
  if (left) part.left = left;
  if (right) part.right = right;
  if (leftChar) part.leftChar = leftChar;
  if (rightChar) part.rightChar = rightChar;
  return part;
}

function classOf(c: string): CharClass {
  return c === 'B' ? CLASS_B : c === 'L' ? CLASS_L : CLASS_W;
}

function hexVal(c: string): number {
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 102) return x - 87;
  if (x >= 65 && x <= 70) return x - 55;
  return -1;
}

/** `ab`, `a?`, `?b`, `??` → value and mask; undefined when not a hex pair. */
function parseHexByte(s: string): { v: number; m: number } | undefined {
  if (s.length !== 2) return undefined;
  const hi = s[0] === '?' ? -2 : hexVal(s[0]!);
  const lo = s[1] === '?' ? -2 : hexVal(s[1]!);
  if (hi === -1 || lo === -1) return undefined;
  return { v: ((hi < 0 ? 0 : hi) << 4) | (lo < 0 ? 0 : lo), m: (hi < 0 ? 0 : 0xf0) | (lo < 0 ? 0 : 0x0f) };
}

class SeqParser {
  pos = 0;
  constructor(
    private readonly s: string,
    private readonly nocase: boolean,
  ) {}

  /** Parses elements until end of text, or `|`/`)` when inside an alternate. */
  parseSeq(depth: number, inAlt: boolean): Elem[] | string {
    const out: Elem[] = [];
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (inAlt && (c === '|' || c === ')')) break;
      if (c === '(' || (c === '!' && s[this.pos + 1] === '(')) {
        const neg = c === '!';
        this.pos += neg ? 2 : 1;
        const e = this.parseGroup(depth + 1, neg);
        if (typeof e === 'string') return e;
        out.push(e);
        continue;
      }
      if (c === '{' && inAlt) {
        const close = s.indexOf('}', this.pos);
        const m = close < 0 ? null : /^(\d+)$/.exec(s.slice(this.pos + 1, close));
        if (!m || Number(m[1]) >= SMALL_FIXED_GAP) return 'alternative contains a ranged wildcard';
        out.push({ t: 'skip', n: Number(m[1]) });
        this.pos = close + 1;
        continue;
      }
      const b = parseHexByte(s.slice(this.pos, this.pos + 2));
      if (!b) return `invalid hex "${s.slice(this.pos, this.pos + 2)}"`;
      this.pos += 2;
      out.push(this.byteElem(b.v, b.m));
    }
    return out;
  }

  private byteElem(v: number, m: number): Elem {
    if (m === 0) return { t: 'skip', n: 1 };
    if (this.nocase && m === 0xff && isAsciiLetter(v)) {
      const bits = newSet();
      setAdd(bits, v | 0x20);
      setAdd(bits, v & ~0x20);
      return { t: 'set', bits };
    }
    return { t: 'byte', v, m };
  }

  private parseGroup(depth: number, neg: boolean): Elem | string {
    if (depth > MAX_ALT_NEST) return 'alternate nesting exceeds maximum';
    const s = this.s;
    const cls = /^([BLW])\)/.exec(s.slice(this.pos, this.pos + 2));
    if (cls) {
      this.pos += 2;
      return { t: 'cls', c: classOf(cls[1]!), neg };
    }
    const rawStart = this.pos;
    const alts: Elem[][] = [];
    for (;;) {
      const seq = this.parseSeq(depth, true);
      if (typeof seq === 'string') return seq;
      alts.push(seq);
      if (this.pos >= s.length) return 'missing closing parenthesis';
      if (s[this.pos] === ')') break;
      this.pos++; // '|'
    }
    const raw = s.slice(rawStart, this.pos);
    this.pos++;
    if (alts.some((a) => a.length === 0)) return 'empty alternative';
    const texts = raw.split('|');
    const literal = texts.every((t) => /^([0-9a-fA-F]{2})+$/.test(t));
    if (literal && texts.every((t) => t.length === 2)) {
      const bits = newSet();
      for (const t of texts) {
        const v = parseInt(t, 16);
        setAdd(bits, v);
        if (this.nocase && isAsciiLetter(v)) {
          setAdd(bits, v | 0x20);
          setAdd(bits, v & ~0x20);
        }
      }
      if (!neg) return { t: 'set', bits };
      const inv = newSet();
      for (let b = 0; b < 256; b++) if (!setHas(bits, b)) setAdd(inv, b);
      return { t: 'set', bits: inv };
    }
    if (literal && texts.every((t) => t.length === texts[0]!.length)) return { t: 'alt', alts, neg, generic: false };
    if (neg) return 'generic alternates cannot be negated';
    return { t: 'alt', alts, neg: false, generic: true };
  }
}
