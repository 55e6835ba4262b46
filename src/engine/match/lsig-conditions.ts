/**
 * Target description block conditions of logical signatures (`Target`, `FileSize`,
 * `EntryPoint`, `NumberOfSections`, `Container`, `Intermediates`) and their check against
 * one object. `Engine` was applied by the loader; icon groups and `HandlerType` are reported
 * as unsupported by the compiler.
 */
import type { MatchContext } from '../contracts.js';
import type { LsigConditions, Range } from './matcher-layout.js';

/** ClamAV accepts at most 16 `Intermediates` layers. */
const MAX_INTERMEDIATES = 16;
const KNOWN_KEYS = new Set(['Engine', 'Target', 'FileSize', 'EntryPoint', 'NumberOfSections', 'Container', 'Intermediates']);
const UNSUPPORTED_KEYS = new Set(['IconGroup1', 'IconGroup2', 'HandlerType']);

export type ConditionsResult = { ok: true; target: number; cond: LsigConditions } | { ok: false; unsupported: boolean; error: string };

function parseRange(v: string): Range | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi ? { lo, hi } : undefined;
}

export function parseConditions(tdb: Record<string, string>): ConditionsResult {
  const cond: LsigConditions = {};
  let target = -1;
  const keys = Object.keys(tdb);
  // ClamAV: Engine must come first, and any attribute besides Target needs Engine ≥ 51 (0.96).
  if (keys.includes('Engine') && keys[0] !== 'Engine') return { ok: false, unsupported: false, error: 'Engine must be the first attribute' };
  if (keys.some((k) => k !== 'Target' && k !== 'Engine')) {
    const min = /^(\d+)/.exec(tdb.Engine ?? '');
    if (!min || Number(min[1]) < 51) return { ok: false, unsupported: false, error: 'attributes other than Target need Engine:51 or later' };
  }
  for (const [key, value] of Object.entries(tdb)) {
    if (UNSUPPORTED_KEYS.has(key)) return { ok: false, unsupported: true, error: `target description key ${key} is not supported` };
    if (!KNOWN_KEYS.has(key)) return { ok: false, unsupported: false, error: `unknown target description key ${key}` };
    switch (key) {
      case 'Target':
        if (!/^\d+$/.test(value) || Number(value) > 14) return { ok: false, unsupported: false, error: `invalid Target "${value}"` };
        target = Number(value);
        break;
      case 'FileSize':
      case 'EntryPoint':
      case 'NumberOfSections': {
        const r = parseRange(value);
        if (!r) return { ok: false, unsupported: false, error: `invalid ${key} range "${value}"` };
        if (key === 'FileSize') cond.fileSize = r;
        else if (key === 'EntryPoint') cond.entryPoint = r;
        else cond.sections = r;
        break;
      }
      case 'Container':
        if (!/^CL_TYPE_[A-Z0-9_]+$/.test(value)) return { ok: false, unsupported: false, error: `invalid Container "${value}"` };
        cond.container = value;
        break;
      case 'Intermediates': {
        const layers = value.split('>');
        if (layers.length > MAX_INTERMEDIATES || layers.some((l) => !/^CL_TYPE_[A-Z0-9_]+$/.test(l))) {
          return { ok: false, unsupported: false, error: `invalid Intermediates "${value}"` };
        }
        cond.intermediates = layers;
        break;
      }
      default:
        break;
    }
  }
  if (target < 0) return { ok: false, unsupported: false, error: 'target description block has no Target' };
  return { ok: true, target, cond };
}

function inRange(r: Range, v: number): boolean {
  return v >= r.lo && v <= r.hi;
}

/** True when the object satisfies every condition (size = the matched object's size). */
export function conditionsHold(cond: LsigConditions, ctx: MatchContext, size: number): boolean {
  if (cond.fileSize && !inRange(cond.fileSize, size)) return false;
  if (cond.entryPoint && (!ctx.exe || !inRange(cond.entryPoint, ctx.exe.entryPoint))) return false;
  if (cond.sections && (!ctx.exe || !inRange(cond.sections, ctx.exe.sections.length))) return false;
  if (cond.container) {
    const parent = ctx.containers[ctx.containers.length - 1];
    if (cond.container === 'CL_TYPE_ANY' ? parent !== undefined : parent !== cond.container) return false;
  }
  if (cond.intermediates) {
    const want = cond.intermediates;
    const have = ctx.containers;
    if (have.length < want.length) return false;
    const off = have.length - want.length;
    for (let i = 0; i < want.length; i++) {
      if (want[i] !== 'CL_TYPE_ANY' && want[i] !== have[off + i]) return false;
    }
  }
  return true;
}
