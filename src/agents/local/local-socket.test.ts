import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { LocalSection } from '../../core/config/sections/local.js';
import { silentLogger } from '../../core/logger.js';
import { isMoatError } from '../../core/errors.js';
import { EICAR } from '../../engine/sigdb/builtin-database.js';
import { createTestScanner } from '../../../test/e2e/harness-agents/test-engine.js';
import { createTestPipeline } from '../../../test/e2e/harness-agents/test-pipeline.js';
import { FrameDecoder, encodeFrame, encodeMessage, type FrameType } from './local-codec.js';
import { startLocalAgent, type LocalAgent } from './local-server.js';
import { submitToDaemon } from './client.js';

describe('local socket codec', () => {
  it('decodes any frame sequence under any segmentation (property)', () => {
    const frameArb = fc.record({ type: fc.constantFrom<FrameType>('H', 'D', 'E', 'R', 'A'), payload: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map((f) => encodeFrame(f.type, Buffer.from(f.payload))));
        const decoder = new FrameDecoder();
        const got = [];
        let off = 0;
        let i = 0;
        while (off < wire.length) {
          const n = cuts[i++ % cuts.length]!;
          got.push(...decoder.push(wire.subarray(off, off + n)));
          off += n;
        }
        assert.equal(decoder.pending, 0);
        assert.deepEqual(got.map((f) => ({ type: f.type, payload: [...f.payload] })), frames.map((f) => ({ type: f.type, payload: [...f.payload] })));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects garbage: zero length, oversize length, unknown type (property: never hangs or throws anything else)', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 0])), (e) => isMoatError(e, 'PROTOCOL'));
    assert.throws(() => new FrameDecoder().push(Buffer.from([0x7f, 0, 0, 0, 0x44])), (e) => isMoatError(e, 'PROTOCOL'));
    assert.throws(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 1, 0x5a])), (e) => isMoatError(e, 'PROTOCOL'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          new FrameDecoder().push(Buffer.from(bytes));
        } catch (e) {
          assert.ok(isMoatError(e, 'PROTOCOL'));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('splits messages into bounded D frames and an E', () => {
    const frames = [...encodeMessage(Buffer.alloc(600 * 1024, 0x61))];
    assert.equal(frames.length, 4);
    assert.equal(new FrameDecoder().push(Buffer.concat(frames)).map((f) => f.type).join(''), 'DDDE');
  });
});

describe('local socket: submit → pipeline → outcome', () => {
  let dir: string;
  let agent: LocalAgent;
  const pipeline = createTestPipeline(createTestScanner());

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'moat-local-'));
    agent = await startLocalAgent({ config: LocalSection.parse({ memory_spool_bytes: 1024, process_timeout_ms: 1500, max_message_bytes: 2 * 1024 * 1024 }), stateDir: dir, pipeline, logger: silentLogger() });
  });
  after(async () => {
    await agent.close();
    await rm(dir, { recursive: true, force: true });
  });

  const submit = (message: Buffer, rcptTo = ['bob@example.org'], timeoutMs = 5000) =>
    submitToDaemon({ socketPath: agent.socketPath, agent: 'mda', envelope: { mailFrom: 'alice@example.org', rcptTo }, client: { address: '192.0.2.1' }, message, timeoutMs });

  it('clean mail comes back accepted with the rewritten message; envelope and client reach the pipeline', async () => {
    const msg = Buffer.from('Subject: hi\r\n\r\nhello\r\n');
    const r = await submit(msg);
    assert.equal(r.groups.length, 1);
    assert.equal(r.groups[0]!.action, 'accept');
    assert.equal(r.groups[0]!.message!.toString(), `X-Moat-Scanned: clean; mda\r\n${msg}`);
    const tx = pipeline.control.seen.at(-1)!;
    assert.deepEqual(tx.envelope.rcptTo, ['bob@example.org']);
    assert.equal(tx.client.address, '192.0.2.1');
    assert.equal(tx.agent, 'mda');
  });

  it('large mail is spooled to a file and comes back byte-exact; infected mail is grouped per recipient', async () => {
    const big = Buffer.concat([Buffer.from('Subject: big\n\n'), Buffer.alloc(700 * 1024, 0x62)]);
    const r = await submit(big);
    assert.equal(pipeline.control.seen.at(-1)!.message.kind, 'file');
    assert.ok(r.groups[0]!.message!.subarray(-big.length).equals(big));
    const v = await submit(Buffer.from(`Subject: v\n\n${EICAR}\n`), ['reject@example.org', 'discard@example.org']);
    const byAction = Object.fromEntries(v.groups.map((g) => [g.action, g]));
    assert.deepEqual(byAction.reject!.recipients, ['reject@example.org']);
    assert.equal(byAction.reject!.reply!.code, 550);
    assert.deepEqual(byAction.discard!.recipients, ['discard@example.org']);
  });

  it('never loses mail: pipeline failure, hang past the deadline, oversize and no daemon are temporary errors', async () => {
    pipeline.control.mode = 'fail';
    await assert.rejects(submit(Buffer.from('x\n')), (e) => isMoatError(e) && e.temporary);
    pipeline.control.mode = 'hang';
    await assert.rejects(submit(Buffer.from('x\n')), (e) => isMoatError(e) && e.temporary);
    pipeline.control.mode = 'normal';
    await assert.rejects(submit(Buffer.alloc(3 * 1024 * 1024)), (e) => isMoatError(e) && e.temporary);
    await assert.rejects(
      submitToDaemon({ socketPath: join(dir, 'nope.sock'), agent: 'pipe', envelope: { mailFrom: '', rcptTo: [] }, message: Buffer.from('x'), timeoutMs: 1000 }),
      (e) => isMoatError(e, 'DAEMON_UNREACHABLE') && e.temporary,
    );
  });

  it('client deadline shorter than the pipeline: TIMEOUT, temporary', async () => {
    pipeline.control.mode = 'hang';
    try {
      await assert.rejects(submit(Buffer.from('x\n'), ['a@b'], 300), (e) => isMoatError(e, 'TIMEOUT') && e.temporary);
    } finally {
      pipeline.control.mode = 'normal';
    }
  });
});
