import { isMoatError, toMoatError } from '../../core/errors.js';
import type { ObjectState, ScanNode, ScanReport } from '../../core/verdict.js';

/**
 * The one place where scan results and errors become clamd reply bodies (without id prefix
 * and terminator). `<label>` is the path, `stream` or `fd[<n>]`.
 */

/** cl_strerror() texts for object states that stopped the scan from seeing everything. */
const STATE_TEXT: Record<ObjectState, string> = {
  clean: 'OK',
  infected: 'OK',
  suspicious: 'OK',
  too_big: 'Exceeded max scan size',
  depth_exceeded: 'Exceeded max recursion depth',
  scan_error: "Can't parse data",
  encrypted: "Can't unpack some data",
  corrupted: "Can't parse data",
  unsupported: "Can't unpack some data",
};

export interface ClamdResult {
  lines: string[];
  infected: boolean;
  error: boolean;
}

function firstErrorState(root: ScanNode, errorStates: ReadonlySet<ObjectState>): ObjectState | undefined {
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (errorStates.has(node.state)) return node.state;
    stack.push(...node.children);
  }
  return undefined;
}

/** Maps one scan report: FOUND lines (all of them with allMatch), else ERROR for an error state, else OK. */
export function replyForReport(label: string, report: ScanReport, allMatch: boolean, errorStates: ReadonlySet<ObjectState>): ClamdResult {
  const names = report.detections.length ? report.detections : report.verdict === 'infected' ? ['Heuristics.Suspicious'] : [];
  if (names.length) {
    const shown = allMatch ? names : names.slice(0, 1);
    return { lines: shown.map((n) => `${label}: ${n} FOUND`), infected: true, error: false };
  }
  const state = firstErrorState(report.root, errorStates);
  if (state) return { lines: [`${label}: ${STATE_TEXT[state]} ERROR`], infected: false, error: true };
  return { lines: [`${label}: OK`], infected: false, error: false };
}

/** Maps a scanner failure; never `OK` (callers then tempfail or fall back). */
export function replyForError(label: string, err: unknown): ClamdResult {
  const e = toMoatError(err);
  let text = 'Process aborted';
  if (isMoatError(e, 'SCAN_TIMEOUT') || isMoatError(e, 'TIMEOUT')) text = 'Exceeded time limit';
  else if (isMoatError(e, 'DISK_FULL') || isMoatError(e, 'IO')) text = "Can't create temporary file";
  return { lines: [`${label}: ${text} ERROR`], infected: false, error: true };
}
