import type { FinalAction } from '../../pipeline/types.js';
import { headerBlock, quoteCgp } from './cgp-codec.js';

/**
 * The one place where an Outcome becomes a CGP response (cgp-helper.md §8). CGP cannot
 * change a body: a cleaned message is resubmitted through Submitted/ and the original
 * discarded (`resubmit`), or — without a Submitted/ folder — deferred.
 */
export interface CgpGroupLike {
  recipients: string[];
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  addHeaders: Array<{ name: string; value: string }>;
  bodyReplaced: boolean;
  message?: Buffer;
}

export type CgpDecision = { kind: 'respond'; body: string } | { kind: 'resubmit'; message: Buffer; recipients: string[] };

const STRICTNESS: FinalAction[] = ['defer', 'reject', 'discard', 'accept'];

export function decideCgp(groups: readonly CgpGroupLike[], canResubmit: boolean): CgpDecision {
  if (groups.length === 0) return { kind: 'respond', body: `REJECTED ${quoteCgp('Temporary scanning failure')}` };
  const accepted = groups.filter((g) => g.action === 'accept');
  const action = STRICTNESS.find((a) => groups.some((g) => g.action === a))!;
  const group = groups.find((g) => g.action === action)!;
  if (action === 'defer') return { kind: 'respond', body: `REJECTED ${quoteCgp(group.reply?.text ?? 'Temporary scanning failure')}` };
  if (action === 'reject') return { kind: 'respond', body: `ERROR ${quoteCgp(group.reply ? `${group.reply.enhanced ?? group.reply.code} ${group.reply.text}` : 'Message rejected')}` };
  if (action === 'discard') {
    // Discarded for some recipients only: resubmit the accepted copy to the others when possible.
    if (accepted.length && canResubmit && accepted[0]!.message) return { kind: 'resubmit', message: accepted[0]!.message, recipients: accepted.flatMap((g) => g.recipients) };
    if (accepted.length) return { kind: 'respond', body: `REJECTED ${quoteCgp('Recipients need different handling, try again later')}` };
    return { kind: 'respond', body: 'DISCARD' };
  }
  if (group.bodyReplaced && group.message) {
    if (canResubmit) return { kind: 'resubmit', message: group.message, recipients: group.recipients };
    return { kind: 'respond', body: `REJECTED ${quoteCgp('Cleaned message cannot be passed back without a Submitted folder')}` };
  }
  if (group.addHeaders.length === 0) return { kind: 'respond', body: 'OK' };
  return { kind: 'respond', body: `ADDHEADER ${quoteCgp(headerBlock(group.addHeaders))} OK` };
}
