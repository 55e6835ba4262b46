/**
 * The one error catalog. Every error Moat raises on purpose carries a stable code
 * from this table; agents map codes to their protocol (SMTP 4xx/5xx, exit codes,
 * clamd replies) in one place each. `temporary` says whether retrying later may
 * succeed — the never-lose-mail rule turns every temporary error into a deferral.
 *
 * Add new codes in the section of the module that raises them. Never renumber or
 * rename a code: administrators grep logs for them.
 */
export const ERROR_CATALOG = {
  // ── core / config ────────────────────────────────────────────────────────
  CONFIG_NOT_FOUND: { temporary: false, summary: 'configuration file not found' },
  CONFIG_PARSE: { temporary: false, summary: 'configuration file is not valid TOML' },
  CONFIG_INVALID: { temporary: false, summary: 'configuration value is invalid' },
  USAGE: { temporary: false, summary: 'invalid command-line usage' },
  INTERNAL: { temporary: true, summary: 'internal error' },
  ABORTED: { temporary: true, summary: 'operation aborted' },
  TIMEOUT: { temporary: true, summary: 'operation timed out' },
  IO: { temporary: true, summary: 'input/output error' },
  DISK_FULL: { temporary: true, summary: 'no space left in the state directory' },

  // ── engine: signature databases ─────────────────────────────────────────
  SIGDB_NOT_FOUND: { temporary: false, summary: 'signature database path not found' },
  SIGDB_MALFORMED: { temporary: false, summary: 'malformed signature line' },
  SIGDB_VERIFY: { temporary: false, summary: 'signature container failed verification' },
  SIGDB_UNSUPPORTED: { temporary: false, summary: 'signature kind not supported' },

  // ── engine: scanning ─────────────────────────────────────────────────────
  SCAN_FAILED: { temporary: true, summary: 'the scan could not be completed' },
  SCAN_TIMEOUT: { temporary: true, summary: 'the scan exceeded its time limit' },
  ENGINE_UNAVAILABLE: { temporary: true, summary: 'the scanning engine is not available' },
  WORKER_CRASHED: { temporary: true, summary: 'a scanning worker crashed' },

  // ── mail / unpack ────────────────────────────────────────────────────────
  MIME_LIMIT: { temporary: false, summary: 'a MIME parser limit was reached' },
  UNPACK_LIMIT: { temporary: false, summary: 'an unpacker limit was reached' },
  MAIL_HEADER_INVALID: { temporary: false, summary: 'a header to add has an invalid name' },

  // ── pipeline / policy / quarantine / storage ─────────────────────────────
  SPOOL_FAILED: { temporary: true, summary: 'the message could not be spooled' },
  MESSAGE_TOO_BIG: { temporary: false, summary: 'message exceeds the size limit' },
  NEXT_HOP_REFUSED: { temporary: false, summary: 'the next hop refused the message permanently' },
  NEXT_HOP_TEMPFAIL: { temporary: true, summary: 'the next hop refused the message temporarily' },
  NEXT_HOP_UNREACHABLE: { temporary: true, summary: 'the next hop could not be reached' },
  QUARANTINE_NOT_FOUND: { temporary: false, summary: 'no such quarantined message' },
  QUARANTINE_FAILED: { temporary: true, summary: 'the quarantine copy could not be stored' },
  STORAGE: { temporary: true, summary: 'storage error' },

  // ── agents ───────────────────────────────────────────────────────────────
  PROTOCOL: { temporary: false, summary: 'protocol violation by the peer' },
  DAEMON_UNREACHABLE: { temporary: true, summary: 'the Moat daemon could not be reached' },

  // ── anti-spam ────────────────────────────────────────────────────────────
  ANTISPAM_FAILED: { temporary: true, summary: 'anti-spam analysis failed' },
  SPAM_MODEL_INVALID: { temporary: false, summary: 'a stored spam-model record is malformed' },
  BAYES_STORE_UNAVAILABLE: { temporary: true, summary: 'the Bayes store (Redis) is not connected' },
} as const satisfies Record<string, { temporary: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class MoatError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message ?? ERROR_CATALOG[code].summary, options);
    this.name = 'MoatError';
    this.code = code;
    this.details = details;
  }

  get temporary(): boolean {
    return ERROR_CATALOG[this.code].temporary;
  }
}

export function isMoatError(err: unknown, code?: ErrorCode): err is MoatError {
  return err instanceof MoatError && (code === undefined || err.code === code);
}

/** Normalises anything thrown into a MoatError; unknown errors become INTERNAL (temporary). */
export function toMoatError(err: unknown): MoatError {
  if (err instanceof MoatError) return err;
  if (err instanceof Error) {
    const sys = err as NodeJS.ErrnoException;
    if (sys.code === 'ENOSPC' || sys.code === 'EDQUOT') return new MoatError('DISK_FULL', err.message, {}, { cause: err });
    if (err.name === 'AbortError') return new MoatError('ABORTED', err.message, {}, { cause: err });
    if (typeof sys.code === 'string' && sys.code.startsWith('E')) return new MoatError('IO', err.message, { errno: sys.code }, { cause: err });
    return new MoatError('INTERNAL', err.message, {}, { cause: err });
  }
  return new MoatError('INTERNAL', String(err));
}
