import { isIP } from 'node:net';
import { canonicalIp, isPublic } from './ip-address.js';
import { DEFAULT_LIMITS } from '../core/limits.js';
import { readHeaderBlock } from '../mail/header-fields.js';

/** The host that handed a message to the site, as one of the site's own MTAs recorded it. */
export interface ReceivedClient {
  address: string;
  /** The name it gave in HELO/EHLO, when the Received line says it. */
  helo?: string;
  /** Which Received header (0 = top) it was read from. */
  hop: number;
}

/** Characters of a Received header read: the `from` clause comes first, and a longer header is no real MTA's. */
const MAX_HEADER_CHARS = 2000;
/** A HELO name longer than a DNS name can be is no name (RFC 1035). */
const MAX_NAME_CHARS = 255;
/** Loopback hops (the site's own host) looked past at most. */
const MAX_HOPS = 10;

/** The `from` clause: after `from`, before ` by ` (or ` with `/`;` when there is no `by`). */
function fromClause(header: string): string | undefined {
  const text = header.slice(0, MAX_HEADER_CHARS).replace(/\s+/g, ' ').trim();
  const m = /^from (.*?)(?: by | with | id |;|$)/i.exec(text);
  return m?.[1];
}

/**
 * The client address and HELO name in one Received header's `from` clause, as Postfix and Sendmail
 * (`from HELO (RDNS [IP])`), Exim (`from RDNS ([IP] helo=HELO)`, `from [IP] (helo=HELO)`) and qmail
 * (`from RDNS (HELO name) (IP)`) write it. IPv6 may carry Sendmail's `IPv6:` prefix.
 */
export function parseReceivedFrom(header: string): { address?: string; helo?: string } {
  const clause = fromClause(header);
  if (clause === undefined) return {};
  const helo =
    /\bhelo=(\[[^\s\]]*\]|[^\s()[\]]+)/i.exec(clause)?.[1] ?? // Exim
    /\(HELO ([^\s()]+)\)/i.exec(clause)?.[1] ?? // qmail
    /^([^\s()]+)/.exec(clause)?.[1]; // Postfix, Sendmail: the first word is the HELO name (an address literal too)
  return {
    ...withAddress(clause),
    ...(helo && helo.length <= MAX_NAME_CHARS && helo.toLowerCase() !== 'unknown' ? { helo } : {}),
  };
}

/**
 * The recorded address, in this order: a bracketed one inside the comment (Postfix, Sendmail:
 * `(RDNS [IP])`; Exim: `([IP] helo=…)`), a bare `(IP)` (qmail, Exchange), then a bracketed one
 * outside it (Exim without reverse DNS: `from [IP] (helo=…)`). Never the HELO argument
 * (`helo=[IP]`, or the first word when the client said `EHLO [IP]`, as Postfix and Exchange write
 * it: that is what the client claimed, not where it connected from).
 */
function withAddress(clause: string): { address?: string } {
  let inside: string | undefined;
  let outside: string | undefined;
  let depth = 0;
  for (const token of clause.matchAll(/[()]|\[(?:IPv6:)?([0-9a-f:.]+)\]/gi)) {
    if (token[0] === '(') depth++;
    else if (token[0] === ')') depth = Math.max(0, depth - 1);
    else if (isIP(token[1]!) !== 0 && !/helo=$/i.test(clause.slice(Math.max(0, token.index - 5), token.index))) {
      if (depth > 0) inside ??= token[1];
      else outside ??= token[1];
    }
  }
  // qmail writes `(IP)`, with ident `(user@IP)`; Exchange `(IP)` after whatever the client said in EHLO.
  const bare = /\((?:[^()\s@]+@)?(?:IPv6:)?([0-9a-f:.]+)\)/i.exec(clause)?.[1];
  const address = inside ?? (bare !== undefined && isIP(bare) !== 0 ? bare : undefined) ?? outside;
  return address ? { address: canonicalIp(address) } : {};
}

/**
 * For a message whose connecting client the agent does not know (`moat classify`, an MDA the MTA
 * gave no CLIENT_ADDRESS): the client as the site's last trusted MTA recorded it, in the `from`
 * clause of Received header `trusted − 1` (0 = top; `[antispam] trusted_received` counts the
 * site's own headers), like SpamAssassin's last untrusted relay. Headers below it were written by
 * whoever sent the message and are never read for this. One exception: a hop whose client was
 * loopback (a content filter re-injecting, local LMTP) was made on the site's own host, so the
 * header below it is the site's too and is read instead. Unknown (undefined) when that header
 * records a private address (NAT, a container network, an internal relay: count it in
 * trusted_received or give the MTA's client), none, an authenticated submission, or when
 * `trusted = 0` (no header is the site's own).
 */
export function clientFromReceived(received: readonly string[], trusted: number): ReceivedClient | undefined {
  if (trusted < 1) return undefined;
  const last = Math.min(received.length, trusted - 1 + MAX_HOPS);
  for (let hop = trusted - 1; hop < last; hop++) {
    const header = received[hop]!;
    // An authenticated submission (RFC 3848 ESMTPA/ESMTPSA, Postfix's "Authenticated sender"):
    // the client is a user, not a mail server SPF could speak of.
    if (/\bwith (?:E?SMTPS?A|LMTPS?A)\b|\(Authenticated sender:/i.test(header.slice(0, MAX_HEADER_CHARS))) return undefined;
    const { address, helo } = parseReceivedFrom(header);
    if (address !== undefined && isLoopback(address)) continue;
    if (!address || !isPublic(address)) return undefined;
    return { address, hop, ...(helo ? { helo } : {}) };
  }
  return undefined;
}

const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1';

/**
 * The input the network checks see: as given when the agent knows the connecting client (the
 * daemon, an MDA given CLIENT_ADDRESS), else with the client read from the Received chain
 * (clientFromReceived) and its HELO name unless one was given.
 */
export function withClient<T extends { clientAddress?: string; helo?: string }>(input: T, view: { headers(name: string): string[] }, trusted: number): T {
  if (input.clientAddress !== undefined && isIP(input.clientAddress) !== 0) return input;
  // No address, or something that is none ('' from an empty CLIENT_ADDRESS, a socket path): unknown.
  const { clientAddress: _none, ...rest } = input;
  const found = clientFromReceived(view.headers('received'), trusted);
  if (!found) return rest as T;
  return { ...rest, clientAddress: found.address, ...(!input.helo && found.helo ? { helo: found.helo } : {}) } as T;
}

/**
 * The envelope sender a delivery agent recorded in the first Return-Path field (`<>` gives the
 * null sender, ''); undefined without one in the header block.
 */
export function returnPath(message: Uint8Array): string | undefined {
  const field = readHeaderBlock(message, 0, message.length, DEFAULT_LIMITS.maxHeaderBytes).fields.find((f) => f.name.toLowerCase() === 'return-path');
  const m = field && /^\s*<([^<>]*)>/.exec(field.value);
  return m ? m[1]!.trim() : undefined;
}
