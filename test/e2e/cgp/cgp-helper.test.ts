import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, mkdir, writeFile, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { isMoatError } from '../../../src/core/errors.js';
import { LocalSection } from '../../../src/core/config/sections/local.js';
import { silentLogger } from '../../../src/core/logger.js';
import { EICAR } from '../../../src/engine/sigdb/builtin-database.js';
import { startLocalAgent, type LocalAgent } from '../../../src/agents/local/local-server.js';
import { parseCgpRequest, quoteCgp } from '../../../src/agents/cgp/cgp-codec.js';
import { parseCgpQueueFile } from '../../../src/agents/cgp/cgp-queue-file.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';
import { MOAT_BIN } from '../harness-agents/run-moat.js';

describe('cgp codec and queue file', () => {
  it('quoted strings never contain raw control characters and round-trip escapes (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const q = quoteCgp(s);
        assert.ok(!/[\x00-\x1f\x7f]/.test(q));
        const unq = q.slice(1, -1).replace(/\\(["\\te])/g, (_m, c: string) => ({ '"': '"', '\\': '\\', t: '\t', e: '\n' })[c]!);
        assert.equal(unq, s.replace(/[\r\x00-\x08\x0a-\x1f\x7f]/g, (c) => (c === '\n' ? '\n' : '')));
      }),
      { numRuns: 300 },
    );
    assert.deepEqual(parseCgpRequest('00003 FILE Queue/100.msg\r'), { seq: '00003', command: 'FILE', args: 'Queue/100.msg' });
  });

  it('random queue files only ever raise PROTOCOL (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const q = parseCgpQueueFile(Buffer.from(bytes));
          assert.ok(Array.isArray(q.recipients));
        } catch (e) {
          assert.ok(isMoatError(e, 'PROTOCOL'), String(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses the envelope of a queue file and keeps the message byte-exact', () => {
    const q = parseCgpQueueFile(
      Buffer.from('S <user1@test.test> SMTP [10.4.0.159]\nA testlab1.test [10.21.2.87]\nO L\nP I 26-04-2019 15:57:14 0000 ____ ____ <user1@test.test>\nR W 26-04-2019 15:57:14 0000 ____ _FY_ <user3@test.test>\nR W 26-04-2019 15:57:14 0000 ____ _FY_ <user4@test.test>\n\nSubject: x\n\nbody\n'),
    );
    assert.equal(q.sender, 'user1@test.test');
    assert.deepEqual(q.recipients, ['user3@test.test', 'user4@test.test']);
    assert.equal(q.clientAddress, '10.4.0.159');
    assert.equal(q.helo, 'testlab1.test');
    assert.equal(q.message.toString(), 'Subject: x\n\nbody\n');
  });
});

describe('moat cgp driven like CommuniGate Pro (stdin/stdout helper protocol)', () => {
  let dir: string;
  let agent: LocalAgent;
  let helper: ChildProcessWithoutNullStreams;
  const responses = new Map<string, string>();
  const order: string[] = [];
  const waiters = new Map<string, () => void>();
  const pipeline = createTestPipeline(createTestScanner());

  const queueFile = async (name: string, rcpts: string[], body: string) => {
    const env = `S <alice@example.org> SMTP [192.0.2.9]\nA client.example [192.0.2.9]\nP I 01-01-2026 10:00:00 0000 ____ ____ <alice@example.org>\n${rcpts.map((r) => `R W 01-01-2026 10:00:00 0000 ____ _FY_ <${r}>\n`).join('')}\n`;
    await writeFile(join(dir, 'Queue', name), `${env}From: alice@example.org\nSubject: t\n\n${body}\n`);
  };
  const request = (line: string) => helper.stdin.write(`${line}\n`);
  const reply = (seq: string) =>
    responses.has(seq) ? Promise.resolve(responses.get(seq)!) : new Promise<string>((resolve) => waiters.set(seq, () => resolve(responses.get(seq)!)));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-cgp-'));
    await mkdir(join(dir, 'Queue'));
    await mkdir(join(dir, 'Submitted'));
    agent = await startLocalAgent({ config: LocalSection.parse({}), stateDir: dir, pipeline, logger: silentLogger() });
    helper = spawn(process.execPath, [MOAT_BIN, 'cgp', '--base-dir', dir, '--socket', agent.socketPath], { env: { ...process.env, MOAT_LOG_LEVEL: 'silent' } });
    createInterface({ input: helper.stdout }).on('line', (line) => {
      if (line.startsWith('*')) return;
      const [seq, ...rest] = line.split(' ');
      responses.set(seq!, rest.join(' '));
      order.push(seq!);
      waiters.get(seq!)?.();
    });
  });
  after(async () => {
    helper.kill();
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('INTF negotiation', async () => {
    request('00001 INTF 4');
    assert.equal(await reply('00001'), 'INTF 3');
  });

  it('clean → ADDHEADER … OK; infected → ERROR (bounce text) or DISCARD per recipient policy', async () => {
    await queueFile('1.msg', ['bob@example.org'], 'hello');
    await queueFile('2.msg', ['bob@example.org'], EICAR);
    await queueFile('3.msg', ['discard@example.org'], EICAR);
    request('00002 FILE Queue/1.msg');
    request('00003 FILE Queue/2.msg');
    request('00004 FILE Queue/3.msg');
    assert.equal(await reply('00002'), 'ADDHEADER "X-Moat-Scanned: clean; cgp" OK');
    assert.equal(await reply('00003'), 'ERROR "5.7.1 Message rejected: infected with Eicar-Test-Signature"');
    assert.equal(await reply('00004'), 'DISCARD');
    const tx = pipeline.control.seen.find((t) => t.client.queueId === 'Queue/1.msg')!;
    assert.deepEqual(tx.envelope.rcptTo, ['bob@example.org']);
    assert.equal(tx.client.address, '192.0.2.9');
  });

  it('answers out of order by sequence number', async () => {
    await queueFile('slow.msg', ['bob@example.org'], 'MOAT-TEST-DELAY-MS:1500');
    await queueFile('fast.msg', ['bob@example.org'], 'quick');
    request('00010 FILE Queue/slow.msg');
    request('00011 FILE Queue/fast.msg');
    await reply('00010');
    await reply('00011');
    assert.ok(order.indexOf('00011') < order.indexOf('00010'), `order ${order.join(',')}`);
  });

  it('never loses mail: pipeline failure, missing file, path escape → REJECTED (CGP keeps the message queued)', async () => {
    pipeline.control.mode = 'fail';
    await queueFile('f.msg', ['bob@example.org'], 'x');
    request('00020 FILE Queue/f.msg');
    assert.equal(await reply('00020'), 'REJECTED "Temporary scanning failure"');
    pipeline.control.mode = 'normal';
    request('00021 FILE Queue/missing.msg');
    assert.equal(await reply('00021'), 'REJECTED "Temporary scanning failure"');
    request('00022 FILE ../../etc/passwd');
    assert.match(await reply('00022'), /^REJECTED /);
  });

  it('mixed recipients: discarded for one, the accepted copy is resubmitted through Submitted/', async () => {
    pipeline.control.infectedAction = 'accept';
    try {
      await queueFile('m.msg', ['bob@example.org', 'discard@example.org'], EICAR);
      request('00030 FILE Queue/m.msg');
      assert.equal(await reply('00030'), 'DISCARD');
      const subs = (await readdir(join(dir, 'Submitted'))).filter((n) => n.endsWith('.sub'));
      assert.equal(subs.length, 1);
      const sub = await readFile(join(dir, 'Submitted', subs[0]!), 'utf8');
      assert.match(sub, /^Return-Path: <alice@example\.org>\nEnvelope-To: <bob@example\.org>\nX-Moat-Scanned: infected; cgp\n/);
    } finally {
      pipeline.control.infectedAction = 'reject';
    }
  });

  it('QUIT → OK after pending requests', async () => {
    request('00099 QUIT');
    assert.equal(await reply('00099'), 'OK');
  });
});
