/**
 * Header fields that would pass for Moat's own verdict when a message arrives already carrying
 * them: every `X-Spam-*` field (SpamAssassin removes them before it adds its own and keeps only
 * `X-Spam-Prev-*`), and an Authentication-Results field naming the authserv-id Moat writes its
 * results under (RFC 8601 §5: a border MTA MUST delete those, as a sender could forge
 * "dkim=pass" under it). Downstream Sieve, procmail and clients read such fields; only Moat's
 * may be there. Used where Moat adds its spam headers.
 */
export function claimsMoatVerdict(authservIds: readonly string[]): (name: string, value: string) => boolean {
  const ids = new Set(authservIds.map((id) => id.toLowerCase()));
  return (name, value) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-spam-')) return !lower.startsWith('x-spam-prev-');
    if (lower !== 'authentication-results') return false;
    const id = authservId(value);
    return id !== undefined && ids.has(id.toLowerCase());
  };
}

/** The authserv-id an Authentication-Results value starts with (RFC 8601 §2.2), comments skipped. */
export function authservId(value: string): string | undefined {
  return /^\s*(?:\([^()]*\)\s*)*([^\s;()]+)/.exec(value.slice(0, 1000))?.[1];
}
