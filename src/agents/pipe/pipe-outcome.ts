import type { FinalAction } from '../../pipeline/types.js';

/**
 * `moat pipe` exit codes (docs/pipe.md): 0 accepted (message on stdout), 75 deferred or any
 * failure, 77 rejected (reason on stderr), 99 discarded (nothing on stdout).
 */
export const PIPE_EXIT = { accepted: 0, deferred: 75, rejected: 77, discarded: 99 } as const;

export interface PipeGroupLike {
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  message?: Buffer;
}

export type PipeDecision = { kind: 'output'; message: Buffer } | { kind: 'exit'; code: number; text: string };

const STRICTNESS: FinalAction[] = ['defer', 'reject', 'discard', 'accept'];

export function decidePipe(groups: readonly PipeGroupLike[], original: Buffer): PipeDecision {
  if (groups.length === 0) return { kind: 'exit', code: PIPE_EXIT.deferred, text: '4.3.0 no decision from the Moat daemon' };
  const action = STRICTNESS.find((a) => groups.some((g) => g.action === a))!;
  const group = groups.find((g) => g.action === action)!;
  const text = group.reply ? `${group.reply.enhanced ?? group.reply.code} ${group.reply.text.replace(/[\r\n]+/g, ' ')}` : '';
  if (action === 'defer') return { kind: 'exit', code: PIPE_EXIT.deferred, text: text || '4.7.1 deferred by policy' };
  if (action === 'reject') return { kind: 'exit', code: PIPE_EXIT.rejected, text: text || '5.7.1 rejected by policy' };
  if (action === 'discard') return { kind: 'exit', code: PIPE_EXIT.discarded, text: 'discarded by policy' };
  return { kind: 'output', message: group.message ?? original };
}
