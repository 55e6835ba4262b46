/**
 * A minimal authoritative DNS server on loopback for tests (A and TXT from an in-memory zone),
 * speaking the real wire protocol so Node's resolver and mailauth query it like any server.
 */
import { createSocket, type Socket } from 'node:dgram';

export type Zone = Record<string, { A?: string[]; TXT?: string[] }>;

function readName(buf: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  while (buf[pos]! > 0) {
    const len = buf[pos]!;
    labels.push(buf.subarray(pos + 1, pos + 1 + len).toString('latin1'));
    pos += len + 1;
  }
  return [labels.join('.').toLowerCase(), pos + 1];
}


/** `silent`: names the server never answers (a blocklist whose servers are gone, while the rest of DNS works). */
export async function startDnsServer(zone: Zone, options: { silent?: (name: string) => boolean } = {}): Promise<{ address: string; queries: string[]; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const id = msg.readUInt16BE(0);
    const [name, after] = readName(msg, 12);
    const qtype = msg.readUInt16BE(after);
    const question = msg.subarray(12, after + 4);
    queries.push(`${name}/${qtype}`);
    if (options.silent?.(name)) return;
    const entry = zone[name];
    const answers: Buffer[] = [];
    if (entry && qtype === 1) for (const ip of entry.A ?? []) answers.push(Buffer.concat([Buffer.from([0xc0, 12]), Buffer.from([0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(ip.split('.').map(Number))]));
    if (entry && qtype === 16) {
      for (const txt of entry.TXT ?? []) {
        const chunks: Buffer[] = [];
        for (let i = 0; i < txt.length; i += 255) {
          const c = Buffer.from(txt.slice(i, i + 255), 'latin1');
          chunks.push(Buffer.from([c.length]), c);
        }
        const rdata = Buffer.concat(chunks);
        const head = Buffer.from([0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60, 0, 0]);
        head.writeUInt16BE(rdata.length, 10);
        answers.push(head, rdata);
      }
    }
    const count = answers.length / (qtype === 16 ? 2 : 1);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    header.writeUInt16BE(entry ? 0x8580 : 0x8583, 2); // response, authoritative, NXDOMAIN when unknown
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(count, 6);
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${socket.address().port}`, queries, close: () => new Promise((r) => socket.close(() => r())) };
}

