/**
 * Scanning one object: the raw pass (generic root + the root of the object's target) and,
 * for ASCII text and HTML, a second pass over the normalised text (generic root + the
 * ASCII/HTML root), as clamscan does. Logical signatures are evaluated at the end of each
 * pass. `write()` may be called with chunks of any size; `end()` returns the result.
 */
import { MoatError } from '../../core/errors.js';
import type { MatchContext, MatchResult, MatchSession } from '../contracts.js';
import type { FileType } from '../filetype/file-types.js';
import { evaluateLogicalExpression } from './logical-expression.js';
import { conditionsHold } from './lsig-conditions.js';
import type { MatcherTables } from './matcher-tables.js';
import { ScanPass } from './scan-pass.js';
import { TextNormaliser } from './text-normaliser.js';
import { MAX_HTML_NORMALIZE, normaliseHtml } from './html-normaliser.js';

/** ClamAV's MaxScriptNormalize default: larger text is not normalised (20 MiB). */
export const MAX_SCRIPT_NORMALIZE = 20 * 1024 * 1024;

/** The matcher root of the raw pass for a content type (ClamAV cli_mtargets). */
export function rawTargetOf(type: FileType): number {
  switch (type) {
    case 'CL_TYPE_MSEXE':
      return 1;
    case 'CL_TYPE_MSOLE2':
      return 2;
    case 'CL_TYPE_HTML':
      return 3;
    case 'CL_TYPE_MAIL':
      return 4;
    case 'CL_TYPE_GRAPHICS':
    case 'CL_TYPE_GIF':
    case 'CL_TYPE_PNG':
    case 'CL_TYPE_JPEG':
      return 5;
    case 'CL_TYPE_ELF':
      return 6;
    case 'CL_TYPE_MACHO':
    case 'CL_TYPE_MACHO_UNIBIN':
      return 9;
    case 'CL_TYPE_PDF':
      return 10;
    case 'CL_TYPE_SWF':
      return 11;
    case 'CL_TYPE_JAVA':
      return 12;
    default:
      return 0; // ASCII text is matched raw against the generic root only, like clamscan
  }
}

/** Target of the normalised-text pass, or -1 when the type gets none. */
export function normalisedTargetOf(type: FileType): number {
  // clamscan normalises every text kind (cli_scanscript) and matches the ASCII root on it.
  if (type === 'CL_TYPE_TEXT_ASCII' || type === 'CL_TYPE_TEXT_UTF8' || type === 'CL_TYPE_TEXT_UTF16LE' || type === 'CL_TYPE_TEXT_UTF16BE') return 7;
  return -1;
}

export class ScanSession implements MatchSession {
  /** Undefined for HTML within the normalisation limit: clamscan matches only its normalised forms. */
  private readonly raw: ScanPass | undefined;
  private readonly html: Uint8Array[] | undefined;
  private readonly norm: TextNormaliser | undefined;
  private readonly normTarget: number;
  private written = 0;
  private ended = false;

  constructor(
    private readonly t: MatcherTables,
    private readonly ctx: MatchContext,
    private readonly size: number,
  ) {
    if (!Number.isFinite(size) || size < 0) throw new MoatError('SCAN_FAILED', 'scan session needs the object size');
    if (ctx.type === 'CL_TYPE_HTML' && size <= MAX_HTML_NORMALIZE) this.html = [];
    else this.raw = new ScanPass(t, rawTargetOf(ctx.type), size, ctx.exe, ctx.allMatch, ctx.signal);
    this.normTarget = normalisedTargetOf(ctx.type);
    if (this.normTarget >= 0 && size <= MAX_SCRIPT_NORMALIZE) this.norm = new TextNormaliser(MAX_SCRIPT_NORMALIZE, t.normaliserKernel(), size);
  }

  write(chunk: Uint8Array): void {
    if (this.ended) throw new MoatError('SCAN_FAILED', 'write after end');
    this.written += chunk.length;
    if (this.html) this.html.push(Uint8Array.from(chunk));
    this.raw?.write(chunk);
    this.norm?.push(chunk);
  }

  end(): MatchResult {
    if (this.ended) throw new MoatError('SCAN_FAILED', 'scan session already ended');
    this.ended = true;
    const names: string[] = [];
    const add = (n: string): void => {
      if (!names.includes(n)) names.push(n);
    };
    let limitExceeded = false;
    const stop = (): boolean => !this.ctx.allMatch && names.length > 0;
    const runPass = (data: Uint8Array, target: number): void => {
      if (stop()) return;
      const pass = new ScanPass(this.t, target, data.length, undefined, this.ctx.allMatch, this.ctx.signal);
      pass.write(data);
      pass.end();
      for (const n of pass.found) add(this.t.name(n));
      this.evaluateLsigs(pass, target, add);
      limitExceeded ||= pass.limitExceeded;
    };
    if (this.raw) {
      this.raw.end();
      for (const n of this.raw.found) add(this.t.name(n));
      this.evaluateLsigs(this.raw, rawTargetOf(this.ctx.type), add);
      limitExceeded = this.raw.limitExceeded;
    }
    if (this.html) {
      const forms = normaliseHtml(Buffer.concat(this.html));
      runPass(forms.nocomment, 3);
      if (forms.notags) runPass(forms.notags, 3);
    }
    if (this.norm && !this.norm.overflow) runPass(this.norm.result(), this.normTarget);
    this.norm?.release();
    const result: MatchResult = { names: this.ctx.allMatch ? names : names.slice(0, 1) };
    if (limitExceeded) result.limitExceeded = true;
    return result;
  }

  private evaluateLsigs(pass: ScanPass, passTarget: number, add: (n: string) => void): void {
    const lsigs = this.t.meta.lsigs;
    if (lsigs.length === 0) return;
    const zeros = new Int32Array(64);
    const check = (i: number, counts: ArrayLike<number>): void => {
      const l = lsigs[i]!;
      if (l.target !== 0 && l.target !== passTarget) return;
      if (!conditionsHold(l.cond, this.ctx, this.size)) return;
      if (evaluateLogicalExpression(l.expr, counts)) add(l.name);
    };
    const ids = [...pass.lsigStates.keys()].sort((a, b) => a - b);
    for (const i of ids) check(i, pass.lsigStates.get(i)!.counts);
    for (const i of this.t.zeroTrueLsigs) if (!pass.lsigStates.has(i)) check(i, zeros);
  }
}
