import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SmtpSection } from '../../core/config/sections/smtp.js';
import { MoatError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { Outcome, Pipeline, RecipientOutcome, Transaction } from '../../pipeline/types.js';
import { smtpNextHop } from './next-hop.js';
import { startSmtpAgent, type SmtpAgent } from './smtp-agent.js';

interface Received {
  from: string;
  to: string[];
  data: string;
  xforward: Record<string, string>;
}

/** A real SMTP next hop whose reply to end-of-DATA the test chooses. */
async function startNextHop(behaviour: { reply?: { code: number; text: string }; hang?: boolean } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    useXForward: true,
    logger: false,
    hideENHANCEDSTATUSCODES: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (behaviour.hang) return;
        const xforward: Record<string, string> = {};
        for (const [k, v] of session.xForward) xforward[k] = String(v);
        if (behaviour.reply) return callback(Object.assign(new Error(behaviour.reply.text), { responseCode: behaviour.reply.code }));
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString('latin1'), xforward });
        callback(null, `2.0.0 Ok: queued as NEXT${received.length}`);
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Policy by recipient local part: `reject*` rejected, `defer*` deferred, `drop*` discarded, others accepted with a header. */
function scriptedPipeline(opts: { fail?: boolean; seen?: Transaction[] } = {}): Pipeline {
  return {
    async process(tx: Transaction): Promise<Outcome> {
      opts.seen?.push(tx);
      if (opts.fail) throw new MoatError('ENGINE_UNAVAILABLE', 'engine down');
      const groups = new Map<string, RecipientOutcome>();
      for (const rcpt of tx.envelope.rcptTo) {
        const local = rcpt.split('@')[0]!;
        const action = local.startsWith('reject') ? 'reject' : local.startsWith('defer') ? 'defer' : local.startsWith('drop') ? 'discard' : 'accept';
        const g = groups.get(action) ?? { recipients: [], action, addHeaders: [], bodyReplaced: false };
        if (action === 'reject') g.reply = { code: 550, enhanced: '5.7.1', text: 'infected with Test-Sig' };
        if (action === 'accept') {
          const data = tx.message.kind === 'buffer' ? tx.message.data : Buffer.alloc(0);
          g.message = { kind: 'buffer', data: Buffer.concat([Buffer.from('X-Moat-Test: yes\r\n'), data]) };
        }
        g.recipients.push(rcpt);
        groups.set(action, g);
      }
      return { transactionId: tx.id, groups: [...groups.values()], summary: 'scripted' };
    },
  };
}

async function startAgent(nextHopPort: number, pipeline: Pipeline, overrides: Record<string, unknown> = {}): Promise<SmtpAgent> {
  const config = SmtpSection.parse({ next_hop_timeout_ms: 1_500, ...overrides });
  return startSmtpAgent({ config, pipeline, nextHop: smtpNextHop(`127.0.0.1:${nextHopPort}`, { heloName: 'moat.test', timeoutMs: config.next_hop_timeout_ms }), logger: silentLogger() }, { portOverride: 0 });
}

/** A raw SMTP session: `send` writes one chunk and resolves at the next final reply line. */
async function openSession(port: number) {
  const socket = connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffer = '';
  let waiter: ((line: string) => void) | undefined;
  socket.on('data', (c: Buffer) => {
    buffer += c.toString('latin1');
    let i;
    while ((i = buffer.indexOf('\r\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      lines.push(line);
      if (/^\d{3} /.test(line)) waiter?.(line);
    }
  });
  const next = () => new Promise<string>((r) => (waiter = r));
  await next();
  return {
    lines,
    send(step: string): Promise<string> {
      const p = next();
      socket.write(step);
      return p;
    },
    end: () => socket.end(),
  };
}

/** Talks raw SMTP: sends each chunk after the previous reply and returns every reply line. */
async function rawSession(port: number, steps: string[]): Promise<string[]> {
  const session = await openSession(port);
  for (const step of steps) await session.send(step);
  session.end();
  return session.lines;
}

const MSG = 'From: a@example.org\r\nTo: b@example.com\r\nSubject: t\r\n\r\nbody line\r\n.leading dot\r\n';

test('clean mail is re-injected with its envelope, XFORWARD and the next hop reply relayed', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline());
  try {
    const replies = await rawSession(agent.address.port, ['EHLO postfix.test\r\n', 'XFORWARD NAME=client.example ADDR=192.0.2.7 PROTO=ESMTP HELO=client.example\r\n', 'XFORWARD IDENT=4QxyzABC SOURCE=REMOTE\r\n', 'MAIL FROM:<a@example.org> BODY=8BITMIME\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG.replace('\r\n.leading', '\r\n..leading')}.\r\n`, 'QUIT\r\n']);
    assert.ok(replies.some((l) => l === '250 2.0.0 Ok: queued as NEXT1'), replies.join('\n'));
    assert.equal(hop.received.length, 1);
    const m = hop.received[0]!;
    assert.equal(m.from, 'a@example.org');
    assert.deepEqual(m.to, ['b@example.com']);
    assert.equal(m.data, `X-Moat-Test: yes\r\n${MSG}`);
    assert.equal(m.xforward.ADDR, '192.0.2.7');
    assert.equal(m.xforward.IDENT, '4QxyzABC');
  } finally {
    await agent.close(1_000);
    await hop.close();
  }
});

test('next hop refusals are relayed with their class; unreachable and hanging next hops give 4xx', async () => {
  for (const [reply, expect] of [
    [{ code: 554, text: '5.7.0 no thanks' }, /^554 5\.7\.0 no thanks/],
    [{ code: 452, text: '4.3.1 insufficient storage' }, /^452 4\.3\.1 insufficient storage/],
  ] as const) {
    const hop = await startNextHop({ reply });
    const agent = await startAgent(hop.port, scriptedPipeline());
    const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`]);
    assert.match(lines.at(-1)!, expect);
    await agent.close(1_000);
    await hop.close();
  }
  const hang = await startNextHop({ hang: true });
  const agent = await startAgent(hang.port, scriptedPipeline());
  const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`]);
  assert.match(lines.at(-1)!, /^451 4\.4\.7 /);
  await agent.close(500);
  await hang.close();
  const closed: Server = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const deadPort = (closed.address() as { port: number }).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const agent2 = await startAgent(deadPort, scriptedPipeline());
  const lines2 = await rawSession(agent2.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`]);
  assert.match(lines2.at(-1)!, /^451 4\.4\.1 /);
  await agent2.close(500);
});

test('a pipeline failure is a temporary failure, never an accept', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline({ fail: true }));
  try {
    const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`]);
    assert.match(lines.at(-1)!, /^451 4\.3\.0 .*ENGINE_UNAVAILABLE/);
    assert.equal(hop.received.length, 0);
  } finally {
    await agent.close(500);
    await hop.close();
  }
});

test('per-recipient outcomes: defer wins; accepted groups go on; partial rejects are bounced to the sender', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline());
  try {
    const send = (rcpts: string[]) =>
      rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', ...rcpts.map((r) => `RCPT TO:<${r}>\r\n`), 'DATA\r\n', `${MSG}.\r\n`]);
    assert.match((await send(['ok@example.com', 'defer@example.com'])).at(-1)!, /^451 4\.7\.1/);
    assert.equal(hop.received.length, 0, 'nothing passed on when any group is deferred');
    assert.match((await send(['reject@example.com'])).at(-1)!, /^550 5\.7\.1 infected with Test-Sig/);
    assert.match((await send(['drop@example.com'])).at(-1)!, /^250 2\.7\.0 /);
    assert.equal(hop.received.length, 0);
    assert.match((await send(['ok@example.com', 'reject@example.com', 'drop@example.com'])).at(-1)!, /^250 2\.0\.0 Ok: queued as NEXT1/);
    assert.equal(hop.received.length, 2);
    assert.deepEqual(hop.received[0]!.to, ['ok@example.com']);
    const bounce = hop.received[1]!;
    assert.equal(bounce.from, '');
    assert.deepEqual(bounce.to, ['a@example.org']);
    assert.match(bounce.data, /Final-Recipient: rfc822; reject@example\.com/);
    assert.doesNotMatch(bounce.data, /drop@example\.com/);
  } finally {
    await agent.close(500);
    await hop.close();
  }
});

test('SMTP smuggling: <LF>.<CR><LF> and <CR><LF>.<LF> never end DATA, and the next hop sees one message', async () => {
  for (const fake of ['\n.\r\n', '\r\n.\n', '\n.\n', '\r.\r\n']) {
    const hop = await startNextHop();
    const seen: Transaction[] = [];
    const agent = await startAgent(hop.port, scriptedPipeline({ seen }));
    const smuggled = `From: a@example.org\r\nSubject: outer\r\n\r\nhello${fake}MAIL FROM:<evil@example.net>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nspoofed\r\n`;
    const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${smuggled}.\r\n`, 'QUIT\r\n']);
    assert.equal(seen.length, 1, `one transaction for ${JSON.stringify(fake)}`);
    assert.equal(hop.received.length, 1, `next hop got one message for ${JSON.stringify(fake)}: ${lines.join(' | ')}`);
    assert.deepEqual(hop.received[0]!.to, ['b@example.com']);
    assert.match(hop.received[0]!.data, /MAIL FROM:<evil@example\.net>/, 'the smuggled commands stay message content');
    assert.doesNotMatch(hop.received[0]!.data, /(^|[^\r])\n/, 'only CRLF line ends reach the next hop');
    await agent.close(500);
    await hop.close();
  }
});

test('bare_newline = "reject" refuses messages with bare LF', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline(), { bare_newline: 'reject' });
  try {
    const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', 'Subject: x\r\n\r\nbare\nlf\r\n.\r\n']);
    assert.match(lines.at(-1)!, /^550 5\.5\.2 /);
    assert.equal(hop.received.length, 0);
  } finally {
    await agent.close(500);
    await hop.close();
  }
});

test('SIZE is advertised and enforced', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline(), { max_message_bytes: 1000 });
  try {
    const lines = await rawSession(agent.address.port, ['EHLO x\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `Subject: x\r\n\r\n${'y'.repeat(2000)}\r\n.\r\n`]);
    assert.ok(lines.includes('250-SIZE 1000'), lines.join('\n'));
    assert.ok(lines.includes('250-8BITMIME') && lines.includes('250-PIPELINING') && lines.some((l) => /SMTPUTF8/.test(l)));
    assert.match(lines.at(-1)!, /^552 5\.3\.4 /);
    assert.equal(hop.received.length, 0);
  } finally {
    await agent.close(500);
    await hop.close();
  }
});

test('STARTTLS with the configured certificate', async () => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const d = mkdtempSync(join(tmpdir(), 'moat-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem'), '-days', '1', '-subj', '/CN=moat.test'], { stdio: 'ignore' });
  const hop = await startNextHop();
  const config = SmtpSection.parse({});
  const agent = await startSmtpAgent(
    { config, pipeline: scriptedPipeline(), nextHop: smtpNextHop(`127.0.0.1:${hop.port}`, { heloName: 'moat.test', timeoutMs: 2_000 }), logger: silentLogger(), tls: { cert: readFileSync(join(d, 'cert.pem')), key: readFileSync(join(d, 'key.pem')) } },
    { portOverride: 0 },
  );
  try {
    // Asynchronously: the agent runs in this process's event loop.
    const { promisify } = await import('node:util');
    const { execFile } = await import('node:child_process');
    const { stdout: out } = await promisify(execFile)('swaks', ['--server', `127.0.0.1:${agent.address.port}`, '--tls', '--from', 'a@example.org', '--to', 'b@example.com', '--body', 'over tls'], { encoding: 'utf8', timeout: 20_000 });
    assert.match(out, /<- {2}220 .*TLS/i);
    assert.match(out, /<~ {2}250 2\.0\.0 Ok: queued as NEXT1/);
    assert.equal(hop.received.length, 1);
  } finally {
    await agent.close(500);
    await hop.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test('outbound mode: a mail client\'s messages are relayed or refused inside its session, XFORWARD describing the client', async () => {
  const hop = await startNextHop();
  const seen: Transaction[] = [];
  const config = SmtpSection.parse({ mode: 'outbound', next_hop_timeout_ms: 1_500 });
  const agent = await startSmtpAgent({ config, pipeline: scriptedPipeline({ seen }), nextHop: smtpNextHop(`127.0.0.1:${hop.port}`, { heloName: 'moat.test', timeoutMs: 1_500, cacheConnections: 4 }), logger: silentLogger() }, { portOverride: 0 });
  try {
    // One client session, three messages (mail clients send several per connection).
    const replies = await rawSession(agent.address.port, [
      'EHLO laptop.example\r\n',
      'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`,
      'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<reject@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`,
      'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<c@example.com>\r\n', 'DATA\r\n', `${MSG}.\r\n`,
      'QUIT\r\n',
    ]);
    const finals = replies.filter((l) => /^(250 2\.0\.0|550 )/.test(l));
    assert.deepEqual(finals, ['250 2.0.0 Ok: queued as NEXT1', '550 5.7.1 infected with Test-Sig', '250 2.0.0 Ok: queued as NEXT2'], replies.join('\n'));
    assert.deepEqual(hop.received.map((m) => m.to), [['b@example.com'], ['c@example.com']]);
    assert.deepEqual(seen.map((t) => t.agent), ['smtp-proxy', 'smtp-proxy', 'smtp-proxy']);
    // The client did not send XFORWARD: Moat describes it to the next hop itself.
    assert.equal(hop.received[0]!.xforward.ADDR, '127.0.0.1');
    assert.equal(hop.received[0]!.xforward.HELO, 'laptop.example');
    assert.equal(hop.received[0]!.xforward.PROTO, 'ESMTP');
  } finally {
    await agent.close(1_000);
    await hop.close();
  }
});

test('stopping: a transaction already past MAIL FROM still delivers its DATA; a new one gets 421', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline());
  const started = await openSession(agent.address.port);
  const idle = await openSession(agent.address.port);
  try {
    for (const step of ['EHLO postfix.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n']) assert.match(await started.send(step), /^250 /);
    assert.match(await idle.send('EHLO postfix.test\r\n'), /^250 /);
    const closed = agent.close(5_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.match(await idle.send('MAIL FROM:<late@example.org>\r\n'), /^421 4\.3\.2 /, 'no new transaction while stopping');
    assert.match(await started.send('DATA\r\n'), /^354 /);
    assert.equal(await started.send(`${MSG.replace('\r\n.leading', '\r\n..leading')}.\r\n`), '250 2.0.0 Ok: queued as NEXT1');
    started.end();
    await closed;
    assert.equal(hop.received.length, 1, 'delivered, not cut off by the stop');
  } finally {
    started.end();
    idle.end();
    await agent.close(1_000).catch(() => undefined);
    await hop.close();
  }
});

test('stopping: a client that opened a transaction and went idle holds the stop 2 s at most, not the whole grace', async () => {
  const hop = await startNextHop();
  const agent = await startAgent(hop.port, scriptedPipeline());
  const idle = await openSession(agent.address.port);
  try {
    for (const step of ['EHLO postfix.test\r\n', 'MAIL FROM:<a@example.org>\r\n', 'RCPT TO:<b@example.com>\r\n']) assert.match(await idle.send(step), /^250 /);
    const started = Date.now();
    await agent.close(10_000);
    const took = Date.now() - started;
    assert.ok(took >= 1_900 && took < 5_000, `stop took ${took} ms`);
  } finally {
    idle.end();
    await hop.close();
  }
});
