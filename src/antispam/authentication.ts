import { authenticate } from 'mailauth';
import type { SymbolSource } from './spam-scorer.js';
import type { SpamSymbol } from './types.js';

/** DNS lookups mailauth makes (`dns.promises.resolve` shape), injected so tests use a local zone. */
export type DnsResolve = (name: string, rrtype: string) => Promise<unknown>;

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

/** SPF, DKIM, DMARC and ARC through mailauth; adds its Authentication-Results header. Failures to look up add nothing. */
export function authenticationSource(resolver: DnsResolve, mtaName: string): SymbolSource {
  return async (_view, input) => {
    const lines = headerLineCount(input.message, MAX_AUTH_HEADER_LINES);
    if (lines > MAX_AUTH_HEADER_LINES) {
      return { symbols: [{ name: 'AUTH_SKIPPED', score: 0, description: `More than ${MAX_AUTH_HEADER_LINES} header lines: SPF, DKIM, DMARC and ARC not checked` }] };
    }
    const r = await authenticate(Buffer.from(input.message), {
      ip: input.clientAddress ?? '127.0.0.1',
      helo: input.helo ?? 'unknown',
      sender: input.mailFrom,
      mta: mtaName,
      resolver: resolver as never,
    });
    const res = r as unknown as {
      spf?: { status?: { result?: string } };
      dkim?: { results?: Array<{ status?: { result?: string }; signingDomain?: string }> };
      dmarc?: { status?: { result?: string }; policy?: string };
      arc?: { status?: { result?: string } };
      headers?: string;
    };
    const symbols: SpamSymbol[] = [];
    const push = (s: SpamSymbol | undefined) => s && symbols.push(s);
    push(symbol('spf', res.spf?.status?.result));
    const dkim = res.dkim?.results ?? [];
    push(symbol('dkim', dkim.some((d) => d.status?.result === 'pass') ? 'pass' : dkim.some((d) => d.status?.result === 'fail') ? 'fail' : undefined, dkim.map((d) => d.signingDomain).filter(Boolean).join(',')));
    const dmarc = symbol('dmarc', res.dmarc?.status?.result, res.dmarc?.policy);
    if (dmarc && res.dmarc?.status?.result === 'fail' && res.dmarc.policy === 'reject') dmarc.score = 3.5;
    push(dmarc);
    push(symbol('arc', res.arc?.status?.result));
    const headers = (res.headers ?? '')
      .split(/\r?\n(?=\S)/)
      .map((h) => h.trim())
      .filter((h) => /^Authentication-Results:/i.test(h))
      .map((h) => ({ name: 'Authentication-Results', value: h.slice(h.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim() }));
    return { symbols, headers };
  };
}
