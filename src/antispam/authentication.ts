import { checkAuthentication, type DnsResolve } from './mail-authentication.js';
import type { SymbolSource } from './spam-scorer.js';
import type { SpamSymbol } from './types.js';

export type { DnsResolve } from './mail-authentication.js';

const WEIGHTS: Record<string, Record<string, [string, number, string]>> = {
  spf: { pass: ['R_SPF_ALLOW', -0.2, 'SPF allows the sending host'], fail: ['R_SPF_FAIL', 1.5, 'SPF forbids the sending host'], softfail: ['R_SPF_SOFTFAIL', 0.5, 'SPF soft-fails the sending host'] },
  dkim: { pass: ['R_DKIM_ALLOW', -0.2, 'valid DKIM signature'], fail: ['R_DKIM_REJECT', 1.0, 'DKIM signature does not verify'] },
  dmarc: { pass: ['DMARC_POLICY_ALLOW', -0.5, 'DMARC aligned pass'], fail: ['DMARC_POLICY_FAIL', 2.0, 'DMARC fails for the From domain'] },
  arc: { pass: ['ARC_ALLOW', -0.1, 'valid ARC chain'], fail: ['ARC_REJECT', 0.5, 'broken ARC chain'] },
};

function symbol(kind: string, result: string | undefined, extra?: string): SpamSymbol | undefined {
  const w = result ? WEIGHTS[kind]?.[result] : undefined;
  return w ? { name: w[0], score: w[1], description: w[2], ...(extra ? { options: [extra] } : {}) } : undefined;
}

/**
 * Header lines (a folded header counts each line) beyond which mailauth is not asked: its header
 * parser is quadratic in them (40,000 folded lines: 17 s on the event loop, 10,000: 70 ms;
 * bench/antispam/hostile-input.ts), and real
 * mail carries a few hundred at most. Such a message gets AUTH_SKIPPED (score 0) and no
 * authentication result.
 */
export const MAX_AUTH_HEADER_LINES = 2000;

/** Lines of the header block (up to the first empty line), counted up to `limit + 1`. */
export function headerLineCount(message: Uint8Array, limit: number): number {
  let lines = 0;
  for (let i = 0; i < message.length && lines <= limit; i++) {
    if (message[i] !== 0x0a) continue;
    lines++;
    const next = message[i + 1];
    if (next === 0x0a || (next === 0x0d && message[i + 2] === 0x0a)) break;
  }
  return lines;
}

/** A DKIM signature whose body hash does not match was altered in transit: mailauth says "neutral" (as Gmail writes it), Mail::DKIM and rspamd "fail"; Moat scores it as a failure. */
const dkimFailed = (d: { result?: string; comment?: string }) => d.result === 'fail' || (d.result === 'neutral' && /body hash did not verify/.test(d.comment ?? ''));

/**
 * SPF, DKIM, DMARC and ARC (mail-authentication.ts); adds the Authentication-Results header.
 * Failures to look up add nothing. SPF is checked for the connecting client; the scorer reads it
 * from the Received chain when the agent does not know it (received-client.ts). When nobody knows
 * it, SPF is not checked (AUTH_CLIENT_UNKNOWN, score 0) rather than checked for an address that
 * never sent the message.
 */
export function authenticationSource(resolver: DnsResolve, mtaName: string): SymbolSource {
  return async (_view, input) => {
    const lines = headerLineCount(input.message, MAX_AUTH_HEADER_LINES);
    if (lines > MAX_AUTH_HEADER_LINES) {
      return { symbols: [{ name: 'AUTH_SKIPPED', score: 0, description: `More than ${MAX_AUTH_HEADER_LINES} header lines: SPF, DKIM, DMARC and ARC not checked` }] };
    }
    // The scorer has made the client an address or left it out (withClient, received-client.ts).
    const ip = input.clientAddress;
    const res = await checkAuthentication(Buffer.from(input.message), { ...(ip !== undefined ? { ip } : {}), ...(input.helo ? { helo: input.helo } : {}), sender: input.mailFrom }, resolver, mtaName);
    const symbols: SpamSymbol[] = [];
    const push = (s: SpamSymbol | undefined) => s && symbols.push(s);
    if (ip === undefined) symbols.push({ name: 'AUTH_CLIENT_UNKNOWN', score: 0, description: 'The connecting client is unknown (none from the MTA, none in the Received chain): SPF not checked, DMARC only when DKIM passes' });
    push(symbol('spf', res.spf?.result));
    const dkim = res.dkim;
    push(symbol('dkim', dkim.some((d) => d.result === 'pass') ? 'pass' : dkim.some(dkimFailed) ? 'fail' : undefined, dkim.map((d) => d.signingDomain).filter(Boolean).join(',')));
    const dmarcSymbol = symbol('dmarc', res.dmarc?.result, res.dmarc?.policy);
    if (dmarcSymbol && res.dmarc?.result === 'fail' && res.dmarc.policy === 'reject') dmarcSymbol.score = 3.5; // policy lower-cased (dmarcTags)
    push(dmarcSymbol);
    push(symbol('arc', res.arc?.result));
    return { symbols, headers: [{ name: 'Authentication-Results', value: res.headerValue }] };
  };
}
