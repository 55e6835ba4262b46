import type { FinalAction } from '../../pipeline/types.js';

/**
 * qmail-queue exit codes (postfix-and-mta-contracts.md §6): 0 queued; 31 permanent refusal;
 * 71 temporary refusal; 81 internal bug (temporary); 91 envelope format error (temporary);
 * 54 cannot read message/envelope; 82 custom text on fd 6 (`D…` permanent, `Z…` temporary).
 */
export const QMAIL_EXIT = { queued: 0, permanent: 31, temporary: 71, readError: 54, internal: 81, envelopeFormat: 91, custom: 82 } as const;

export interface QmailGroupLike {
  recipients: string[];
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  message?: Buffer;
}

export type QmailDecision =
  | { kind: 'queue'; message: Buffer; /** Queue for these recipients only (the others' copy was discarded by policy); absent = the envelope's. */ recipients?: string[] }
  | { kind: 'exit'; code: number; /** Line for fd 6 when custom errors are enabled. */ customError?: string; text: string };

const STRICTNESS: FinalAction[] = ['defer', 'reject', 'discard', 'accept'];

function clean(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ').slice(0, 500);
}

export function decideQmail(groups: readonly QmailGroupLike[], original: Buffer, customErrors: boolean): QmailDecision {
  const action = groups.length === 0 ? 'defer' : STRICTNESS.find((a) => groups.some((g) => g.action === a))!;
  const group = groups.find((g) => g.action === action);
  const text = clean(group?.reply ? `${group.reply.code} ${group.reply.enhanced ? `${group.reply.enhanced} ` : ''}${group.reply.text}` : '');
  if (action === 'defer') {
    const t = text || '451 4.7.1 message deferred, try again later';
    return customErrors ? { kind: 'exit', code: QMAIL_EXIT.custom, customError: `Z${t}`, text: t } : { kind: 'exit', code: QMAIL_EXIT.temporary, text: t };
  }
  if (action === 'reject') {
    const t = text || '554 5.7.1 message rejected';
    return customErrors ? { kind: 'exit', code: QMAIL_EXIT.custom, customError: `D${t}`, text: t } : { kind: 'exit', code: QMAIL_EXIT.permanent, text: t };
  }
  if (action === 'discard') {
    // Discarded for some recipients only: the envelope is ours to write, so the accepted copy is
    // queued for the others (the first accepted group's copy, as the milter does).
    const accepted = groups.filter((g) => g.action === 'accept');
    if (accepted.length) return { kind: 'queue', message: accepted[0]!.message ?? original, recipients: accepted.flatMap((g) => g.recipients) };
    return { kind: 'exit', code: QMAIL_EXIT.queued, text: 'discarded by policy' };
  }
  return { kind: 'queue', message: group!.message ?? original };
}

/** The real qmail-queue's status passes through; killed by a signal is a temporary failure. */
export function qmailExitOfChild(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null || code === null) return QMAIL_EXIT.temporary;
  return code;
}
