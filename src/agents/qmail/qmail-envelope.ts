import { MoatError } from '../../core/errors.js';

/**
 * qmail-queue's envelope on fd 1 (postfix-and-mta-contracts.md §6):
 * `F<sender>\0` then one or more `T<rcpt>\0`, then an extra `\0`.
 */
export interface QmailEnvelope {
  sender: string;
  recipients: string[];
}

// qmail-queue refuses addresses this long (exit 11); we use the same bound for the envelope.
const MAX_ADDRESS = 1000;

/** Parses the whole envelope; throws PROTOCOL (→ exit 91) when it is malformed or truncated. */
export function parseQmailEnvelope(data: Buffer): QmailEnvelope {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    const nul = data.indexOf(0, start);
    if (nul === -1) throw new MoatError('PROTOCOL', 'envelope truncated (no final NUL)');
    if (nul === start) {
      if (nul !== data.length - 1) throw new MoatError('PROTOCOL', 'bytes after the end of the envelope');
      break;
    }
    fields.push(data.subarray(start, nul).toString('latin1'));
    start = nul + 1;
  }
  const [first, ...rest] = fields;
  if (!first?.startsWith('F')) throw new MoatError('PROTOCOL', 'envelope does not start with F');
  if (rest.length === 0) throw new MoatError('PROTOCOL', 'envelope has no recipient');
  const recipients = rest.map((f) => {
    if (!f.startsWith('T')) throw new MoatError('PROTOCOL', `unexpected envelope field ${JSON.stringify(f[0])}`);
    return f.slice(1);
  });
  const sender = first.slice(1);
  if ([sender, ...recipients].some((a) => a.length > MAX_ADDRESS)) throw new MoatError('PROTOCOL', 'address too long');
  return { sender, recipients };
}

export function encodeQmailEnvelope(env: QmailEnvelope): Buffer {
  return Buffer.from(`F${env.sender}\0${env.recipients.map((r) => `T${r}\0`).join('')}\0`, 'latin1');
}
