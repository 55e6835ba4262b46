import type { Decision } from './decide.js';

/**
 * For agents that hand one copy of the message back to the MTA for all its recipients and cannot
 * drop one recipient (the MDA wrapper, `moat pipe`). They apply the strictest
 * decision to the whole message, so a discard for one recipient (its own quarantine or spam
 * threshold, `action_as_spam = "discard"`, …) would silently drop the copy the others were to
 * receive. When that would happen, the others' copy is held in quarantine instead, for them, so a
 * release delivers it; a reject or a defer already tells the sender or keeps the mail queued.
 * Returns the groups to use and the recipients whose copy is held instead of delivered.
 */
export function holdInsteadOfSilentDrop<G extends { decision: Decision; recipients: string[] }>(groups: readonly G[]): { groups: G[]; held: string[] } {
  const discard = groups.find((g) => g.decision.action === 'discard');
  const refusedOrDeferred = groups.some((g) => g.decision.action === 'reject' || g.decision.action === 'defer');
  if (!discard || refusedOrDeferred || !groups.some((g) => g.decision.action === 'accept')) return { groups: [...groups], held: [] };
  const held: string[] = [];
  const out = groups.map((g) => {
    if (g.decision.action !== 'accept') return g;
    held.push(...g.recipients);
    const decision: Decision = { ...g.decision, action: 'discard', reason: discard.decision.reason, quarantine: true, reply: undefined, subjectTag: undefined, cleanMode: undefined, footer: undefined };
    return { ...g, decision };
  });
  return { groups: out, held };
}
