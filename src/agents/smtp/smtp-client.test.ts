import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { NextHopClient, sendMessage, type ConnectionCacheOptions } from './smtp-client.js';

interface Delivered {
  connection: number;
  from: string;
  to: string[];
  data: string;
  xforward: string[];
}

/**
 * A next hop written against RFC 5321 directly (not smtp-server), so the test sees the wire:
 * how many connections, which commands arrived in one segment, whether DATA was completed.
 */
async function scriptedNextHop(behaviour: { pipelining?: boolean; refuseRcpt?: RegExp; dropAfterMessage?: boolean } = {}) {
  const delivered: Delivered[] = [];
  const commandBatches: string[][] = [];
  const quits: number[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const id = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    let body = '';
    let env: { from: string; to: string[]; xforward: string[]; valid: number } = { from: '', to: [], xforward: [], valid: 0 };
    socket.write('220 hop.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const batch: string[] = [];
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            delivered.push({ connection: id, from: env.from, to: env.to, data: body, xforward: env.xforward });
            env = { from: '', to: [], xforward: [], valid: 0 };
            body = '';
            socket.write(`250 2.0.0 queued as Q${delivered.length}\r\n`);
            if (behaviour.dropAfterMessage) socket.destroy();
          } else body += `${line.startsWith('.') ? line.slice(1) : line}\r\n`;
          continue;
        }
        batch.push(line);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write(`250-hop.test\r\n250-XFORWARD NAME ADDR PROTO HELO IDENT\r\n250-8BITMIME\r\n${behaviour.pipelining === false ? '' : '250-PIPELINING\r\n'}250 SIZE 10000000\r\n`);
        else if (verb === 'XFORWARD') {
          env.xforward.push(line.slice(9));
          socket.write('250 2.0.0 Ok\r\n');
        } else if (verb === 'MAIL') {
          env.from = /<(.*)>/.exec(line)![1]!;
          socket.write('250 2.1.0 Ok\r\n');
        } else if (verb === 'RCPT') {
          const rcpt = /<(.*)>/.exec(line)![1]!;
          if (behaviour.refuseRcpt?.test(rcpt)) socket.write('550 5.1.1 no such user\r\n');
          else {
            env.to.push(rcpt);
            env.valid++;
            socket.write('250 2.1.5 Ok\r\n');
          }
        } else if (verb === 'DATA') {
          if (env.valid === 0) socket.write('554 5.5.1 no valid recipients\r\n');
          else {
            inData = true;
            socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
          }
        } else if (verb === 'RSET') {
          env = { from: '', to: [], xforward: [], valid: 0 };
          socket.write('250 2.0.0 Ok\r\n');
        } else if (verb === 'QUIT') {
          quits.push(id);
          socket.end('221 2.0.0 Bye\r\n');
        } else socket.write('502 5.5.2 unknown command\r\n');
      }
      if (batch.length) commandBatches.push(batch);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    delivered,
    commandBatches,
    quits,
    connections: () => connections,
    dropAll: () => sockets.forEach((s) => s.destroy()),
    close: () => {
      sockets.forEach((s) => s.destroy());
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const message = (i: number, rcptTo = ['bob@example.com']) => ({ mailFrom: 'alice@example.org', rcptTo, xforward: { NAME: 'client.example', ADDR: '192.0.2.7', IDENT: `Q${i}` }, data: Buffer.from(`Subject: m${i}\r\n\r\n.leading dot\r\nbody ${i}\r\n`) });
const options = (port: number) => ({ host: '127.0.0.1', port, heloName: 'moat.test', timeoutMs: 2_000 });
type ScriptedNextHop = Awaited<ReturnType<typeof scriptedNextHop>>;
const CACHE: ConnectionCacheOptions = { maxIdle: 4, idleMs: 5_000, maxAgeMs: 60_000 };

/** A scripted next hop and a client with its own cache settings, both closed whatever `body` does. */
async function withNextHop(behaviour: Parameters<typeof scriptedNextHop>[0], cache: Partial<ConnectionCacheOptions>, body: (hop: ScriptedNextHop, client: NextHopClient) => Promise<void>): Promise<void> {
  const hop = await scriptedNextHop(behaviour);
  const client = new NextHopClient(options(hop.port), { ...CACHE, ...cache });
  try {
    await body(hop, client);
  } finally {
    client.close();
    await hop.close();
  }
}

test('a steady stream of messages reuses one next-hop session, with the envelope pipelined', async () => {
  await withNextHop({}, {}, async (hop, client) => {
    for (let i = 1; i <= 5; i++) {
      const reply = await client.send(message(i));
      assert.equal(reply.code, 250);
      assert.match(reply.text, new RegExp(`queued as Q${i}`));
    }
    assert.equal(hop.connections(), 1);
    assert.equal(hop.delivered.length, 5);
    // XFORWARD is sent again in every transaction (the next hop resets it at end of DATA).
    assert.deepEqual(hop.delivered.map((d) => d.xforward.join(' ')), [1, 2, 3, 4, 5].map((i) => `NAME=client.example ADDR=192.0.2.7 IDENT=Q${i}`));
    assert.equal(hop.delivered[2]!.data, 'Subject: m3\r\n\r\n.leading dot\r\nbody 3\r\n');
    // XFORWARD, MAIL, RCPT and DATA of a transaction arrived in one segment (RFC 2920 group, DATA last).
    assert.ok(hop.commandBatches.some((b) => b.length === 4 && b[0]!.startsWith('XFORWARD') && b[3] === 'DATA'), JSON.stringify(hop.commandBatches));
  });
});

test('a session older than the reuse limit is not reused: the next message opens a new one', async () => {
  await withNextHop({}, { maxAgeMs: 150 }, async (hop, client) => {
    assert.equal((await client.send(message(1))).code, 250);
    assert.equal((await client.send(message(2))).code, 250);
    assert.equal(hop.connections(), 1, 'young session reused');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await client.send(message(3))).code, 250);
    assert.equal(hop.connections(), 2, 'aged session replaced');
    assert.equal(hop.delivered.length, 3);
    assert.ok(hop.quits.includes(1), 'the aged session was closed with QUIT');
  });
});

test('a cached session the next hop dropped is replaced, and the message is delivered exactly once', async () => {
  await withNextHop({ dropAfterMessage: true }, {}, async (hop, client) => {
    for (let i = 1; i <= 3; i++) assert.equal((await client.send(message(i))).code, 250);
    assert.deepEqual(hop.delivered.map((d) => d.data.split('\r\n')[0]), ['Subject: m1', 'Subject: m2', 'Subject: m3']);
    assert.equal(hop.connections(), 3);
    // A session dropped while idle in the cache, discovered only when used.
    await withNextHop({}, {}, async (hop2, client2) => {
      assert.equal((await client2.send(message(1))).code, 250);
      hop2.dropAll();
      assert.equal((await client2.send(message(2))).code, 250);
      assert.equal(hop2.delivered.length, 2);
      assert.equal(hop2.connections(), 2);
    });
  });
});

test('one refused recipient in a pipelined envelope: the refusal comes back and nothing is delivered', async () => {
  await withNextHop({ refuseRcpt: /^nobody@/ }, {}, async (hop, client) => {
    const reply = await client.send(message(1, ['bob@example.com', 'nobody@example.com']));
    assert.equal(reply.code, 550);
    assert.equal(reply.enhanced, '5.1.1');
    // DATA got 354 for bob, but the connection was dropped before the final dot: no delivery.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(hop.delivered.length, 0);
    // All recipients refused: DATA is refused too, the session is RSET and reused.
    assert.equal((await client.send(message(2, ['nobody@example.com']))).code, 550);
    assert.equal((await client.send(message(3))).code, 250);
    assert.equal(hop.delivered.length, 1);
    assert.deepEqual(hop.delivered[0]!.to, ['bob@example.com']);
    assert.equal(hop.connections(), 2);
  });
});

test('without PIPELINING the client waits for each reply; idle sessions are QUIT after the idle time', async () => {
  await withNextHop({ pipelining: false }, { maxIdle: 1, idleMs: 100 }, async (hop, client) => {
    assert.equal((await client.send(message(1))).code, 250);
    assert.ok(hop.commandBatches.every((b) => b.length === 1), JSON.stringify(hop.commandBatches));
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(hop.quits, [1]);
    assert.equal((await sendMessage(options(hop.port), message(2))).code, 250);
    assert.equal(hop.delivered.length, 2);
  });
});
