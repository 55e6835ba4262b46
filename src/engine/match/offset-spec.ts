/**
 * The offset field of `.ndb` signatures and `.ldb` subsignatures, and the window of start
 * positions it allows for one object (ClamAV `cli_caloff`, re-implemented).
 */
import type { ExecutableInfo } from '../contracts.js';

export const OFF_ANY = 0;
export const OFF_ABS = 1;
export const OFF_EOF = 2;
export const OFF_EP_PLUS = 3;
export const OFF_EP_MINUS = 4;
export const OFF_SX = 5;
export const OFF_SE = 6;
export const OFF_SL = 7;

export interface OffsetSpec {
  kind: number;
  n: number;
  shift: number;
  section: number;
}

/** Offsets beyond this are refused: they could never match a scannable object (2 GiB). */
const MAX_OFFSET = 0x7fffffff;

/** Parses `*`, `n`, `EOF-n`, `EP+n`, `EP-n`, `Sx+n`, `SEx`, `SL+n`, each optionally `,maxshift`. */
export function parseOffset(text: string): OffsetSpec | { error: string; unsupported?: boolean } {
  if (text === '*') return { kind: OFF_ANY, n: 0, shift: 0, section: 0 };
  if (text === 'VI' || text.startsWith('$')) return { error: `offset "${text}" (version info / macro group) is not supported`, unsupported: true };
  const comma = text.indexOf(',');
  const head = comma < 0 ? text : text.slice(0, comma);
  let shift = 0;
  if (comma >= 0) {
    const s = text.slice(comma + 1);
    if (!/^\d+$/.test(s)) return { error: `invalid maxshift in offset "${text}"` };
    shift = Number(s);
  }
  let m: RegExpExecArray | null;
  let spec: OffsetSpec | undefined;
  if ((m = /^(\d+)$/.exec(head))) spec = { kind: OFF_ABS, n: Number(m[1]), shift, section: 0 };
  else if ((m = /^EOF-(\d+)$/.exec(head))) spec = { kind: OFF_EOF, n: Number(m[1]), shift, section: 0 };
  else if ((m = /^EP([+-])(\d+)$/.exec(head))) spec = { kind: m[1] === '+' ? OFF_EP_PLUS : OFF_EP_MINUS, n: Number(m[2]), shift, section: 0 };
  else if ((m = /^S(\d+)\+(\d+)$/.exec(head))) spec = { kind: OFF_SX, n: Number(m[2]), shift, section: Number(m[1]) };
  else if ((m = /^SE(\d+)$/.exec(head))) spec = { kind: OFF_SE, n: 0, shift, section: Number(m[1]) };
  else if ((m = /^SL\+(\d+)$/.exec(head))) spec = { kind: OFF_SL, n: Number(m[1]), shift, section: 0 };
  if (!spec) return { error: `invalid offset "${text}"` };
  if (spec.n > MAX_OFFSET || spec.shift > MAX_OFFSET || spec.section > MAX_OFFSET) return { error: `offset "${text}" out of range` };
  return spec;
}

/** True for offsets that need an executable's entry point or sections. */
export function needsExecutable(kind: number): boolean {
  return kind >= OFF_EP_PLUS;
}

/**
 * The inclusive window [lo, hi] of allowed start positions, or undefined when the offset
 * cannot apply to this object (no executable info, section missing, before file start).
 * `out` is reused to avoid allocation in the hot path.
 */
export function offsetWindow(
  kind: number,
  n: number,
  shift: number,
  section: number,
  size: number,
  exe: ExecutableInfo | undefined,
  out: Float64Array,
): boolean {
  let base: number;
  switch (kind) {
    case OFF_ANY:
      out[0] = 0;
      out[1] = Infinity;
      return true;
    case OFF_ABS:
      base = n;
      break;
    case OFF_EOF:
      base = size - n;
      break;
    case OFF_EP_PLUS:
    case OFF_EP_MINUS:
      if (!exe) return false;
      base = kind === OFF_EP_PLUS ? exe.entryPoint + n : exe.entryPoint - n;
      break;
    case OFF_SX: {
      const s = exe?.sections[section];
      if (!s) return false;
      base = s.rawOffset + n;
      break;
    }
    case OFF_SE: {
      const s = exe?.sections[section];
      if (!s) return false;
      out[0] = s.rawOffset;
      out[1] = s.rawOffset + s.rawSize + shift;
      return true;
    }
    case OFF_SL: {
      const secs = exe?.sections;
      if (!secs || secs.length === 0) return false;
      base = secs[secs.length - 1]!.rawOffset + n;
      break;
    }
    default:
      return false;
  }
  if (base < 0) return false;
  out[0] = base;
  out[1] = base + shift;
  return true;
}
