import { MoatError } from '../../core/errors.js';

/**
 * A CGP queue file (cgp-helper.md §5): envelope lines, one empty line, then the RFC 822
 * message. Known lines: `S` submitter/protocol/[client IP], `A` HELO info, `P` return path,
 * `R` one recipient each; others are kept opaque.
 */
export interface CgpQueueFile {
  sender: string;
  recipients: string[];
  clientAddress?: string;
  helo?: string;
  message: Buffer;
}

// Envelope lines are short; 1 MiB of them means a file that is not a queue file.
const MAX_ENVELOPE_BYTES = 1024 * 1024;

export function parseCgpQueueFile(data: Buffer): CgpQueueFile {
  let pos = 0;
  const lines: string[] = [];
  for (;;) {
    const nl = data.indexOf(0x0a, pos);
    if (nl === -1 || nl > MAX_ENVELOPE_BYTES) throw new MoatError('PROTOCOL', 'queue file has no end of envelope');
    const line = data.subarray(pos, nl).toString('utf8').replace(/\r$/, '');
    pos = nl + 1;
    if (line === '') break;
    lines.push(line);
  }
  let sender = '';
  const recipients: string[] = [];
  let clientAddress: string | undefined;
  let helo: string | undefined;
  for (const line of lines) {
    const angle = /<([^>]*)>/.exec(line)?.[1];
    if (line.startsWith('P ')) sender = angle ?? '';
    else if (line.startsWith('R ') && angle !== undefined) recipients.push(angle);
    else if (line.startsWith('S ')) clientAddress = /\[([0-9a-fA-F.:]+)\]/.exec(line)?.[1];
    else if (line.startsWith('A ')) helo = line.slice(2).split(/\s+/)[0];
  }
  return { sender, recipients, clientAddress, helo, message: data.subarray(pos) };
}
