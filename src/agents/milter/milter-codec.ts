import { MoatError } from '../../core/errors.js';

/**
 * Milter protocol v6 framing and payloads (milter-protocol.md §1–4):
 * packet = u32 BE len (command byte + data) · command byte · data.
 */

export const SMFIC = {
  ABORT: 'A',
  BODY: 'B',
  CONNECT: 'C',
  MACRO: 'D',
  BODYEOB: 'E',
  HELO: 'H',
  QUIT_NC: 'K',
  HEADER: 'L',
  MAIL: 'M',
  EOH: 'N',
  OPTNEG: 'O',
  QUIT: 'Q',
  RCPT: 'R',
  DATA: 'T',
  UNKNOWN: 'U',
} as const;

export const SMFIR = {
  ADDRCPT: '+',
  DELRCPT: '-',
  SHUTDOWN: '4',
  ACCEPT: 'a',
  REPLBODY: 'b',
  CONTINUE: 'c',
  DISCARD: 'd',
  CHGFROM: 'e',
  ADDHEADER: 'h',
  INSHEADER: 'i',
  CHGHEADER: 'm',
  PROGRESS: 'p',
  QUARANTINE: 'q',
  REJECT: 'r',
  TEMPFAIL: 't',
  REPLYCODE: 'y',
  OPTNEG: 'O',
} as const;

export const SMFIF = { ADDHDRS: 0x01, CHGBODY: 0x02, ADDRCPT: 0x04, DELRCPT: 0x08, CHGHDRS: 0x10, QUARANTINE: 0x20, CHGFROM: 0x40 } as const;
export const SMFIP = { NOUNKNOWN: 0x100, SKIP: 0x400, HDR_LEADSPC: 0x100000 } as const;

// Postfix and libmilter's MILTER_CHUNK_SIZE: body chunks and REPLBODY packets stay at or below it.
export const MILTER_CHUNK_SIZE = 65535;
// Largest packet we accept from the MTA: a body chunk or a long header (Postfix caps headers at 100 KiB; MDS_1M is 1 MiB).
export const MAX_PACKET = 1024 * 1024 + 1;

export interface Packet {
  command: string;
  data: Buffer;
}

export function encodePacket(command: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(data.length + 1, 0);
  head.write(command, 4, 'latin1');
  return Buffer.concat([head, data]);
}

/** Streaming decoder: partial reads and several packets per read; rejects len 0 and oversize lengths. */
export class MilterDecoder {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Packet[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Packet[] = [];
    for (;;) {
      if (this.buffer.length < 4) break;
      const len = this.buffer.readUInt32BE(0);
      if (len < 1 || len > MAX_PACKET) throw new MoatError('PROTOCOL', `milter packet length ${len} out of range`);
      if (this.buffer.length < 4 + len) break;
      out.push({ command: String.fromCharCode(this.buffer[4]!), data: Buffer.from(this.buffer.subarray(5, 4 + len)) });
      this.buffer = this.buffer.subarray(4 + len);
    }
    return out;
  }

  get pending(): number {
    return this.buffer.length;
  }
}

/** NUL-terminated strings to the end of the packet; every string must be terminated. */
export function parseStrings(data: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < data.length) {
    const nul = data.indexOf(0, start);
    if (nul === -1) throw new MoatError('PROTOCOL', 'unterminated string in milter packet');
    out.push(data.subarray(start, nul).toString('utf8'));
    start = nul + 1;
  }
  return out;
}

/** NUL-terminated strings: text as UTF-8, bytes as they are (a header value read from the message). */
export function encodeStrings(...values: Array<string | Buffer>): Buffer {
  return Buffer.concat(values.flatMap((v) => (typeof v === 'string' ? [Buffer.from(`${v}\0`, 'utf8')] : [v, Buffer.alloc(1)])));
}

export interface OptNeg {
  version: number;
  actions: number;
  protocol: number;
}

export function parseOptNeg(data: Buffer): OptNeg {
  if (data.length < 12) throw new MoatError('PROTOCOL', 'short OPTNEG');
  return { version: data.readUInt32BE(0), actions: data.readUInt32BE(4), protocol: data.readUInt32BE(8) };
}

export function encodeOptNeg(o: OptNeg): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(o.version >>> 0, 0);
  b.writeUInt32BE(o.actions >>> 0, 4);
  b.writeUInt32BE(o.protocol >>> 0, 8);
  return encodePacket(SMFIR.OPTNEG, b);
}

export interface ConnectInfo {
  hostname: string;
  family: string;
  port?: number;
  address?: string;
}

export function parseConnect(data: Buffer): ConnectInfo {
  const nul = data.indexOf(0);
  if (nul === -1) throw new MoatError('PROTOCOL', 'CONNECT without hostname terminator');
  const hostname = data.subarray(0, nul).toString('utf8');
  if (nul + 1 >= data.length) return { hostname, family: 'U' };
  const family = String.fromCharCode(data[nul + 1]!);
  if (family === 'U') return { hostname, family };
  if (data.length < nul + 4) throw new MoatError('PROTOCOL', 'CONNECT truncated');
  const port = data.readUInt16BE(nul + 2);
  const [address] = parseStrings(data.subarray(nul + 4));
  return { hostname, family, port, address };
}

/** MACRO packet: stage byte + name/value pairs; braces around long names removed. */
export function parseMacros(data: Buffer): { stage: string; macros: Map<string, string> } {
  if (data.length < 1) throw new MoatError('PROTOCOL', 'empty MACRO packet');
  const stage = String.fromCharCode(data[0]!);
  const strings = parseStrings(data.subarray(1));
  const macros = new Map<string, string>();
  for (let i = 0; i + 1 < strings.length; i += 2) macros.set(strings[i]!.replace(/^\{(.*)\}$/, '$1'), strings[i + 1]!);
  return { stage, macros };
}

export function parseHeader(data: Buffer): { name: string; value: string } {
  const [name, value] = parseStrings(data);
  if (name === undefined || value === undefined) throw new MoatError('PROTOCOL', 'HEADER needs name and value');
  return { name, value };
}

/** `ddd x.y.z text`: %-signs doubled (Sendmail convention), control characters removed, one line. */
export function replyCodePacket(code: number, enhanced: string | undefined, text: string): Buffer {
  const safe = text.replace(/[\r\n\0]+/g, ' ').replace(/%/g, '%%');
  return encodePacket(SMFIR.REPLYCODE, encodeStrings(`${code} ${enhanced ? `${enhanced} ` : ''}${safe}`));
}

export function headerPacket(command: typeof SMFIR.ADDHEADER | typeof SMFIR.INSHEADER | typeof SMFIR.CHGHEADER, name: string, value: string | Buffer, index?: number): Buffer {
  const strings = encodeStrings(name, value);
  if (command === SMFIR.ADDHEADER) return encodePacket(command, strings);
  const idx = Buffer.alloc(4);
  idx.writeUInt32BE(index ?? 0);
  return encodePacket(command, Buffer.concat([idx, strings]));
}

export function* replaceBodyPackets(body: Buffer): Generator<Buffer> {
  if (body.length === 0) yield encodePacket(SMFIR.REPLBODY);
  for (let off = 0; off < body.length; off += MILTER_CHUNK_SIZE) yield encodePacket(SMFIR.REPLBODY, body.subarray(off, off + MILTER_CHUNK_SIZE));
}
