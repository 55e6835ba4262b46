import type { FinalAction } from '../../pipeline/types.js';

/**
 * The one place where an Outcome becomes what `moat mda` does (postfix-and-mta-contracts.md §5):
 * deliver through the real MDA, or exit with a sysexits code Postfix/Exim/Sendmail understand.
 */
export const EX_OK = 0;
export const EX_USAGE = 64;
export const EX_TEMPFAIL = 75;
export const EX_NOPERM = 77;

export interface GroupLike {
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  message?: Buffer;
}

export type MdaDecision = { kind: 'deliver'; message: Buffer } | { kind: 'exit'; code: number; text?: string };

/** Strictest first: one invocation delivers to one argv, so mixed groups take the safest action. */
const STRICTNESS: FinalAction[] = ['defer', 'reject', 'discard', 'accept'];

/** Postfix uses output that starts with an RFC 3463 code as the delivery status: put one first. */
function statusLine(group: GroupLike, fallbackCode: string, fallbackText: string): string {
  const enhanced = group.reply?.enhanced ?? fallbackCode;
  const text = (group.reply?.text ?? fallbackText).replace(/[\r\n]+/g, ' ');
  return `${enhanced} ${text}`;
}

export function decideMda(groups: readonly GroupLike[], original: Buffer, codes: { reject: number; discard: number } = { reject: EX_NOPERM, discard: EX_OK }): MdaDecision {
  if (groups.length === 0) return { kind: 'exit', code: EX_TEMPFAIL, text: '4.3.0 no decision from the Moat daemon' };
  const action = STRICTNESS.find((a) => groups.some((g) => g.action === a))!;
  const group = groups.find((g) => g.action === action)!;
  switch (action) {
    case 'defer':
      return { kind: 'exit', code: EX_TEMPFAIL, text: statusLine(group, '4.7.1', 'message deferred by policy, try again later') };
    case 'reject':
      return { kind: 'exit', code: codes.reject, text: statusLine(group, '5.7.1', 'message rejected by policy') };
    case 'discard':
      return { kind: 'exit', code: codes.discard, text: 'message discarded by policy' };
    default:
      return { kind: 'deliver', message: group.message ?? original };
  }
}

/** A delivery program's result as our exit code: killed by a signal means "try again later". */
export function exitCodeOfChild(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null || code === null) return EX_TEMPFAIL;
  return code;
}
