import { toMoatError, type ErrorCode } from '../../core/errors.js';

/** An SMTP reply as it goes on the wire: code, optional enhanced status code, text. */
export interface SmtpReply {
  code: number;
  enhanced?: string;
  text: string;
}

/** Enhanced status codes for the errors an agent may have to report (RFC 3463). */
const ENHANCED_BY_CODE: Partial<Record<ErrorCode, string>> = {
  MESSAGE_TOO_BIG: '5.3.4',
  DISK_FULL: '4.3.1',
  QUARANTINE_FAILED: '4.3.1',
  SPOOL_FAILED: '4.3.1',
  TIMEOUT: '4.4.7',
  SCAN_TIMEOUT: '4.4.7',
  NEXT_HOP_UNREACHABLE: '4.4.1',
  PROTOCOL: '5.5.2',
};

/**
 * The one place where MoatError codes become SMTP replies (used by every SMTP-speaking agent).
 * Temporary errors are always 451 (never-lose-mail: the client keeps the message); permanent
 * ones 554 / 552. The text names the code so administrators can grep logs for it.
 */
export function replyForError(err: unknown): SmtpReply {
  const e = toMoatError(err);
  if (e.code === 'MESSAGE_TOO_BIG') return { code: 552, enhanced: '5.3.4', text: `Message too big (${e.code})` };
  if (e.temporary) return { code: 451, enhanced: ENHANCED_BY_CODE[e.code] ?? '4.3.0', text: `Temporary failure, try again later (${e.code})` };
  return { code: 554, enhanced: ENHANCED_BY_CODE[e.code] ?? '5.3.0', text: `Message refused (${e.code})` };
}

/** Wire text of a reply after the code: `5.7.1 text` (enhanced code first when known). */
export function replyText(reply: SmtpReply): string {
  const text = reply.text.replace(/[\r\n]+/g, ' ').trim();
  if (!reply.enhanced || text.startsWith(reply.enhanced)) return text;
  return `${reply.enhanced} ${text}`;
}

/** `550 5.7.1 text` as one line. */
export function formatReply(reply: SmtpReply): string {
  return `${reply.code} ${replyText(reply)}`;
}
