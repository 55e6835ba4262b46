import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { arc, dkimVerify, dmarc, spf } from 'mailauth';

/** DNS lookups mailauth makes (`dns.promises.resolve` shape), injected so tests use a local zone. */
export type DnsResolve = (name: string, rrtype: string) => Promise<unknown>;

interface Status {
  result?: string;
  comment?: string | boolean;
}
interface DkimRow {
  id?: string;
  signingDomain?: string;
  info?: string;
  status?: Status & { aligned?: string | false; underSized?: number };
}
interface DmarcOutcome {
  info?: string;
  status?: Status;
  policy?: string;
  /** The DMARC record as published. */
  rr?: string;
}

/**
 * A DMARC record's tags, names and values trimmed and lower-cased: RFC 7489's grammar is
 * case-insensitive and allows spaces around `=` and `;` (mailauth 4 keeps `adkim=S`, ` s` and
 * `p=REJECT` as written, so they would not read as strict or reject).
 */
export function dmarcTags(record: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().toLowerCase());
  }
  return tags;
}

/** What the checks found, per method; `headerValue` is the Authentication-Results value (RFC 8601). */
export interface AuthenticationOutcome {
  spf?: { result?: string };
  dkim: Array<{ result?: string; comment?: string; signingDomain?: string }>;
  dmarc?: { result?: string; policy?: string };
  arc?: { result?: string };
  headerValue: string;
}

/** The SMTP session as far as it is known: without `ip`, SPF is not checked and DMARC can only pass. */
export interface AuthenticationClient {
  ip?: string;
  helo?: string;
  /** The envelope sender; '' is the null sender (SPF then checks the HELO name). */
  sender: string;
}

/** A domain as DMARC compares them: lower case, no final dot, IDN in its ASCII form. */
const comparable = (domain: string) => domainToASCII(domain.toLowerCase().trim().replace(/\.$/, ''));

/**
 * DMARC through mailauth, with strict alignment enforced and the policy read as RFC 7489 writes
 * it (any case, spaces allowed: dmarcTags): mailauth 4 (the last line for Node 20)
 * passes its `{ strict }` option as an always-true object and then falls back to relaxed
 * matching, so `adkim=s` / `aspf=s` records were aligned relaxed (a subdomain's signature passed
 * for the parent domain; found by test/e2e/dns/authentication.test.ts against Mail::DMARC;
 * mailauth 5 fixed it but needs Node 22). When the record asks for strict alignment, DMARC is
 * asked again with only the identifiers identical to the From domain, which its relaxed match
 * then gets right.
 */
async function dmarcWithStrictAlignment(headerFrom: string[], spfDomains: string[], dkimRows: DkimRow[], arcResult: unknown, resolver: DnsResolve): Promise<DmarcOutcome | undefined> {
  const dkimDomains = dkimRows.map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status?.aligned, underSized: r.status?.underSized }));
  // The second question reads the same DMARC record: answered from the first one's lookups.
  const answers = new Map<string, Promise<unknown>>();
  const remembering: DnsResolve = (name, rrtype) => {
    const key = `${rrtype} ${name}`;
    if (!answers.has(key)) answers.set(key, resolver(name, rrtype));
    return answers.get(key)!;
  };
  const ask = async (spfs: string[], dkims: typeof dkimDomains) =>
    (await dmarc({ headerFrom, spfDomains: spfs, dkimDomains: dkims, arcResult, resolver: remembering } as never)) as unknown as DmarcOutcome | false;
  const first = await ask(spfDomains, dkimDomains);
  if (!first) return undefined;
  const normalized = { ...first, ...(first.policy !== undefined ? { policy: first.policy.trim().toLowerCase() } : {}) };
  const tags = dmarcTags(first.rr ?? '');
  const strictDkim = tags.get('adkim') === 's';
  const strictSpf = tags.get('aspf') === 's';
  if (first.status?.result !== 'pass' || (!strictDkim && !strictSpf) || headerFrom.length !== 1) return normalized;
  const from = comparable(headerFrom[0]!.split('@').pop()!);
  const same = (domain: string | undefined) => domain !== undefined && comparable(domain) === from;
  const again = await ask(strictSpf ? spfDomains.filter(same) : spfDomains, strictDkim ? dkimDomains.filter((d) => same(d.domain)) : dkimDomains);
  return again ? { ...again, policy: normalized.policy } : undefined;
}

/**
 * SPF (for the client, when known), DKIM, ARC and DMARC through mailauth's checks, composed here
 * rather than by its `authenticate` for two reasons: SPF is left out when nobody knows the
 * client (a DMARC "fail" would then blame an SPF check nobody made, so only a pass is reported),
 * and DMARC's strict alignment is enforced (dmarcWithStrictAlignment). No BIMI: Moat shows no logos.
 */
export async function checkAuthentication(message: Buffer, client: AuthenticationClient, resolver: DnsResolve, mtaName: string): Promise<AuthenticationOutcome> {
  const dkimResult = (await dkimVerify(message, { resolver: resolver as never, sender: client.sender } as never)) as unknown as { results?: DkimRow[]; arc?: unknown; headerFrom?: string[] };
  const dkimRows = dkimResult.results ?? [];
  let spfResult: { status?: Status; domain?: string; info?: string } | undefined;
  if (client.ip !== undefined) {
    // HELO given as an address literal is written [IP] (RFC 5321 §4.1.3), as mailauth's authenticate does.
    const helo = client.helo || client.ip;
    spfResult = (await spf({ ip: client.ip, helo: isIP(helo) ? `[${helo}]` : helo, sender: client.sender, mta: mtaName, resolver: resolver as never } as never)) as unknown as typeof spfResult;
  }
  const arcResult = (await arc(dkimResult.arc as never, { resolver: resolver as never } as never)) as unknown as { info?: string; status?: Status };
  const spfDomains = spfResult?.status?.result === 'pass' && spfResult.domain ? [spfResult.domain] : [];
  const passing = dkimRows.filter((r) => r.status?.result === 'pass');
  let dmarcResult = dkimResult.headerFrom ? await dmarcWithStrictAlignment(dkimResult.headerFrom, spfDomains, passing, arcResult, resolver) : undefined;
  if (client.ip === undefined && dmarcResult?.status?.result !== 'pass') dmarcResult = undefined;
  const lines = [...dkimRows.map((r) => r.info), spfResult?.info, arcResult?.info, dmarcResult?.info].filter((l): l is string => !!l).map((l) => l.replace(/\r?\n\s+/g, ' ').trim());
  return {
    ...(spfResult ? { spf: { result: spfResult.status?.result } } : {}),
    dkim: dkimRows.map((r) => ({ result: r.status?.result, ...(typeof r.status?.comment === 'string' ? { comment: r.status.comment } : {}), signingDomain: r.signingDomain })),
    ...(dmarcResult ? { dmarc: { result: dmarcResult.status?.result, policy: dmarcResult.policy } } : {}),
    arc: { result: arcResult?.status?.result },
    headerValue: `${mtaName};${lines.length ? ` ${lines.join('; ')}` : ' none'}`,
  };
}
