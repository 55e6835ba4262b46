/**
 * Logical-signature expressions (`.ldb` field 3): subsig indices combined with `&`, `|`,
 * parentheses and match-count modifiers `=X`, `>X`, `<X` (optionally `,Y` distinct subsigs
 * for a parenthesised block). Operators bind right-to-left without precedence, exactly like
 * ClamAV's `cli_ac_chklsig` (`0&1|2` is `0&(1|2)`), and counts combine the same way.
 */
import type { ExprNode, Mod } from './matcher-layout.js';

/** ClamAV allows at most 64 subsignatures per logical signature. */
const MAX_SUBSIGS = 64;
/** Deepest parenthesis nesting accepted: real signatures use a handful; bounds recursion. */
const MAX_DEPTH = 64;

export function parseLogicalExpression(text: string, subsigCount: number): ExprNode | string {
  const p = { s: text.replace(/\s+/g, ''), i: 0 };
  const node = parseExpr(p, 0, subsigCount);
  if (typeof node === 'string') return node;
  if (p.i !== p.s.length) return `unexpected "${p.s[p.i]}" at ${p.i} in logical expression`;
  return node;
}

interface P {
  s: string;
  i: number;
}

function parseExpr(p: P, depth: number, n: number): ExprNode | string {
  if (depth > MAX_DEPTH) return 'logical expression nested too deeply';
  const l = parseOperand(p, depth, n);
  if (typeof l === 'string') return l;
  const c = p.s[p.i];
  if (c !== '&' && c !== '|') return l;
  p.i++;
  const r = parseExpr(p, depth + 1, n);
  if (typeof r === 'string') return r;
  return { k: 'op', op: c, l, r };
}

function parseOperand(p: P, depth: number, n: number): ExprNode | string {
  if (p.s[p.i] === '(') {
    p.i++;
    const inner = parseExpr(p, depth + 1, n);
    if (typeof inner === 'string') return inner;
    if (p.s[p.i] !== ')') return 'missing closing parenthesis in logical expression';
    p.i++;
    const mod = parseMod(p);
    if (typeof mod === 'string') return mod;
    if (mod) {
      if (inner.mod) return 'two count modifiers on one operand';
      inner.mod = mod;
    }
    return inner;
  }
  const m = /^\d+/.exec(p.s.slice(p.i));
  if (!m) return `expected a subsignature index at ${p.i} in logical expression`;
  p.i += m[0].length;
  const id = Number(m[0]);
  if (id >= n || id >= MAX_SUBSIGS) return `logical expression refers to subsignature ${id}, only ${n} given`;
  const mod = parseMod(p);
  if (typeof mod === 'string') return mod;
  return mod ? { k: 'leaf', id, mod } : { k: 'leaf', id };
}

function parseMod(p: P): Mod | undefined | string {
  const c = p.s[p.i];
  if (c !== '=' && c !== '>' && c !== '<') return undefined;
  const m = /^(\d+)(?:,(\d+))?/.exec(p.s.slice(p.i + 1));
  if (!m) return `missing number after "${c}" in logical expression`;
  p.i += 1 + m[0].length;
  return { op: c, x: Number(m[1]), y: m[2] === undefined ? 0 : Number(m[2]) };
}

interface Acc {
  cnt: number;
  ids: bigint;
}

function modPasses(mod: Mod, val: number): boolean {
  if (mod.op === '=') return val === mod.x;
  if (mod.op === '<') return val < mod.x;
  return val > mod.x;
}

function popcount(x: bigint): number {
  let n = 0;
  for (let v = x; v > 0n; v >>= 1n) if (v & 1n) n++;
  return n;
}

function evalNode(node: ExprNode, counts: ArrayLike<number>, acc: Acc): boolean {
  if (node.k === 'leaf') {
    const val = counts[node.id] ?? 0;
    if (node.mod ? !modPasses(node.mod, val) : val === 0) return false;
    acc.cnt += val;
    acc.ids |= 1n << BigInt(node.id);
    return true;
  }
  const la: Acc = { cnt: 0, ids: 0n };
  const ra: Acc = { cnt: 0, ids: 0n };
  const lv = evalNode(node.l, counts, la);
  const rv = evalNode(node.r, counts, ra);
  const ret = node.op === '&' ? lv && rv : lv || rv;
  if (!node.mod) {
    if (ret) {
      acc.cnt += la.cnt + ra.cnt;
      acc.ids |= la.ids | ra.ids;
    }
    return ret;
  }
  const tcnt = ret ? la.cnt + ra.cnt : 0;
  const tids = ret ? la.ids | ra.ids : 0n;
  if (!modPasses(node.mod, tcnt)) return false;
  if (node.mod.y && popcount(tids) < node.mod.y) return false;
  acc.cnt += tcnt;
  return true;
}

/** Evaluates the expression over per-subsignature match counts. */
export function evaluateLogicalExpression(node: ExprNode, counts: ArrayLike<number>): boolean {
  return evalNode(node, counts, { cnt: 0, ids: 0n });
}
