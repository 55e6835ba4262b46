import type { FinalAction } from '../../pipeline/types.js';
import { SMFIF, SMFIR, encodePacket, encodeStrings, headerPacket, replaceBodyPackets, replyCodePacket } from './milter-codec.js';

/**
 * The one place where an Outcome becomes milter replies at end of message: edits first
 * (only those the MTA allowed), then exactly one final decision.
 */
export interface MilterGroup {
  recipients: string[];
  action: FinalAction;
  reply?: { code: number; enhanced?: string; text: string };
  addHeaders: Array<{ name: string; value: string }>;
  /** Fields of the MTA's copy to delete (the nth of its name), before anything is added. */
  removeHeaders?: Array<{ name: string; index: number }>;
  subject?: string;
  bodyReplaced: boolean;
  /** Rewritten whole message (headers + body) when the body changed. */
  message?: Buffer;
  quarantineId?: string;
}

export interface MilterOutcomeOptions {
  /** Actions the MTA granted in OPTNEG. */
  actions: number;
  headerPosition: 'top' | 'bottom';
  holdQuarantined: boolean;
  /** RCPT strings exactly as the MTA sent them (for DELRCPT), keyed by bare address. */
  rcptArgs: Map<string, string>;
  /** SMFIP_HDR_LEADSPC negotiated: header values carry their own leading space. */
  leadSpace: boolean;
}

/** Body of a message: the bytes after the first empty line. */
export function bodyOf(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  if (crlf !== -1 && (lf === -1 || crlf <= lf)) return message.subarray(crlf + 4);
  if (lf !== -1) return message.subarray(lf + 2);
  return Buffer.alloc(0);
}

/** Milter body lines end in CRLF (Sendmail converts, Postfix appends per record): normalise bare LF. */
function toCrlf(body: Buffer): Buffer {
  return Buffer.from(body.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** An INSHEADER index past any header count: the field goes at the end (libmilter: an index beyond the headers appends). */
const APPEND_INDEX = 0x7fffffff;

function editsFor(group: MilterGroup, o: MilterOutcomeOptions): Buffer[] {
  const out: Buffer[] = [];
  const value = (v: string) => (o.leadSpace ? ` ${v}` : v).replace(/\r?\n/g, '\r\n');
  // Deletions (CHGHEADER with an empty value) come first, each name from its last occurrence
  // up, so neither Moat's own fields nor one deletion shift the index of the next.
  if (group.removeHeaders?.length && o.actions & SMFIF.CHGHDRS) {
    for (const h of [...group.removeHeaders].sort((a, b) => b.index - a.index)) out.push(headerPacket(SMFIR.CHGHEADER, h.name, '', h.index));
  }
  // At the bottom with deletions made, Moat's fields are inserted past the last one (INSHEADER
  // beyond the count appends) rather than added: Sendmail's ADDHEADER fills the slot of a deleted
  // field of the same name, which scattered Moat's fields among the sender's.
  const append = (h: { name: string; value: string }) => (group.removeHeaders?.length ? headerPacket(SMFIR.INSHEADER, h.name, value(h.value), APPEND_INDEX) : headerPacket(SMFIR.ADDHEADER, h.name, value(h.value)));
  if (o.actions & SMFIF.ADDHDRS) {
    group.addHeaders.forEach((h, i) => {
      out.push(o.headerPosition === 'top' ? headerPacket(SMFIR.INSHEADER, h.name, value(h.value), i) : append(h));
    });
  }
  // The tagged Subject holds the message's own bytes, one character each (raw UTF-8 or Latin-1
  // from the sender, behind Moat's ASCII tag): they go back as those bytes, not re-encoded.
  if (group.subject !== undefined && o.actions & SMFIF.CHGHDRS) out.push(headerPacket(SMFIR.CHGHEADER, 'Subject', Buffer.from(value(group.subject), 'latin1'), 1));
  if (group.bodyReplaced && group.message && o.actions & SMFIF.CHGBODY) out.push(...replaceBodyPackets(toCrlf(bodyOf(group.message))));
  return out;
}

/** Strictest action wins for the whole message except that accepted recipients survive rejected/discarded ones (DELRCPT). */
export function milterReplies(groups: readonly MilterGroup[], o: MilterOutcomeOptions): Buffer[] {
  if (groups.length === 0) return [replyCodePacket(451, '4.3.0', 'No decision from the content filter, try again later')];
  const defer = groups.find((g) => g.action === 'defer');
  if (defer) return [replyCodePacket(defer.reply?.code && defer.reply.code >= 400 && defer.reply.code < 500 ? defer.reply.code : 451, defer.reply?.enhanced ?? '4.7.1', defer.reply?.text ?? 'Message deferred, try again later')];
  const accepted = groups.filter((g) => g.action === 'accept');
  const refused = groups.filter((g) => g.action !== 'accept');
  if (accepted.length === 0) {
    const reject = groups.find((g) => g.action === 'reject');
    const held = groups.find((g) => g.quarantineId);
    if (!reject && held && o.holdQuarantined && o.actions & SMFIF.QUARANTINE) {
      return [encodePacket(SMFIR.QUARANTINE, encodeStrings(`Moat quarantine ${held.quarantineId}`.slice(0, 100))), encodePacket(SMFIR.ACCEPT)];
    }
    if (reject) {
      const code = reject.reply?.code && reject.reply.code >= 500 && reject.reply.code < 600 ? reject.reply.code : 550;
      return [replyCodePacket(code, reject.reply?.enhanced ?? '5.7.1', reject.reply?.text ?? 'Message rejected')];
    }
    return [encodePacket(SMFIR.DISCARD)];
  }
  const out: Buffer[] = [];
  if (refused.length) {
    // Mixed verdicts after DATA: only removing the refused recipients keeps the accepted ones; without DELRCPT, retry later.
    if (!(o.actions & SMFIF.DELRCPT)) return [replyCodePacket(451, '4.7.1', 'Recipients need different handling, try again later')];
    for (const g of refused) for (const r of g.recipients) out.push(encodePacket(SMFIR.DELRCPT, encodeStrings(o.rcptArgs.get(r) ?? `<${r}>`)));
  }
  out.push(...editsFor(accepted[0]!, o));
  out.push(encodePacket(SMFIR.ACCEPT));
  return out;
}
