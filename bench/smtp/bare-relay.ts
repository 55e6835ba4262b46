/**
 * The floor under Moat's SMTP agent: a relay built from the same two parts — smtp-server (with
 * Moat's prompt greeting and indexOf end-of-data search) receiving, Moat's next-hop client with
 * cached sessions forwarding — and nothing else: no scan, no policy, no added header, no log, no
 * bare-newline check. What it reaches against smtp-sink is the most any content filter built
 * on these libraries can reach on this machine; run.ts prints it beside Moat so the distance
 * between the two is the cost of scanning and policy, and the distance to the ceiling is the
 * cost of receiving and re-sending a message in Node.js at all.
 *
 *   node bin/moat-dev.js bench/smtp/bare-relay.ts LISTEN_PORT NEXT_HOP_PORT [--sink]
 *
 * With --sink it forwards nothing and answers 250 as soon as the message is in: smtp-server alone,
 * the receiving half of any relay, to compare with Postfix's smtp-sink.
 */
import type { SMTPServerDataStream } from 'smtp-server';
import { replyText } from '../../src/agents/common/smtp-reply.js';
import { smtpNextHop } from '../../src/agents/smtp/next-hop.js';
import { PromptSmtpServer } from '../../src/agents/smtp/prompt-smtp-server.js';

const [listenPort, nextHopPort] = process.argv.slice(2, 4).map(Number);
const sinkOnly = process.argv[4] === '--sink';
if (!listenPort || !nextHopPort) {
  process.stderr.write('usage: bare-relay.ts LISTEN_PORT NEXT_HOP_PORT [--sink]\n');
  process.exit(2);
}

const nextHop = smtpNextHop(`127.0.0.1:${nextHopPort}`, { heloName: 'bare-relay.test', timeoutMs: 60_000, cacheConnections: 64 });

async function collect(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const server = new PromptSmtpServer({
  name: 'bare-relay.test',
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  disableReverseLookup: true,
  hideENHANCEDSTATUSCODES: true,
  maxClients: 1000,
  logger: false,
  onData(stream, session, callback) {
    collect(stream)
      .then((data) => (sinkOnly ? { code: 250, text: 'accepted' } : nextHop.deliver({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address), data })))
      .then(
        (reply) => (reply.code < 400 ? callback(null, replyText(reply)) : callback(Object.assign(new Error(replyText(reply)), { responseCode: reply.code }))),
        (err: Error) => callback(Object.assign(new Error(`4.4.0 ${err.message}`), { responseCode: 451 })),
      );
  },
});
server.server.on('connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
server.listen(listenPort, '127.0.0.1');
process.on('SIGTERM', () => {
  nextHop.close?.();
  server.close(() => process.exit(0));
});
