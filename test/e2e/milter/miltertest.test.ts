import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MilterSection } from '../../../src/core/config/sections/milter.js';
import { silentLogger } from '../../../src/core/logger.js';
import { startMilterAgent, type MilterAgent } from '../../../src/agents/milter/milter-server.js';
import { createTestScanner } from '../harness-agents/test-engine.js';
import { createTestPipeline } from '../harness-agents/test-pipeline.js';

const SCRIPT = fileURLToPath(new URL('./scenario.lua', import.meta.url));

function miltertest(port: number, scenario: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('/usr/bin/miltertest', ['-D', `port=${port}`, '-D', `scenario=${scenario}`, '-s', SCRIPT], { timeout: 60_000 });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('milter agent driven by the real miltertest', { skip: !existsSync('/usr/bin/miltertest') && 'miltertest not installed' }, () => {
  let agent: MilterAgent;
  const pipeline = createTestPipeline(createTestScanner());

  before(async () => {
    agent = await startMilterAgent({ config: MilterSection.parse({ enabled: true, progress_interval_ms: 200 }), stateDir: '/tmp', pipeline, logger: silentLogger() }, { tcpPortOverride: 0 });
  });
  after(() => agent.close());

  it('clean mail: header inserted at the top, accept; envelope, client and queue id reach the pipeline', async () => {
    const r = await miltertest(agent.tcp!.port, 'clean');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /SCENARIO-OK clean/);
    const tx = pipeline.control.seen.at(-1)!;
    assert.equal(tx.envelope.mailFrom, 'alice@example.org');
    assert.deepEqual(tx.envelope.rcptTo, ['bob@example.org']);
    assert.equal(tx.client.address, '192.0.2.7');
    assert.equal(tx.client.helo, 'client.example');
    assert.equal(tx.client.queueId, 'QUEUE123');
    const text = tx.message.kind === 'buffer' ? tx.message.data.toString() : '';
    assert.match(text, /^From: alice@example\.org\r\nSubject: milter test\r\n\r\nHello\.\r\n$/);
  });

  it('infected mail: 550 5.7.1 with the detection name', async () => {
    const r = await miltertest(agent.tcp!.port, 'virus');
    assert.equal(r.code, 0, r.out);
  });

  it('never loses mail: a failing pipeline → 451 4.7.1; a hanging one is cut at the deadline with progress kept alive', async () => {
    pipeline.control.mode = 'fail';
    try {
      const r = await miltertest(agent.tcp!.port, 'fail');
      assert.equal(r.code, 0, r.out);
    } finally {
      pipeline.control.mode = 'normal';
    }
    const slow = await startMilterAgent(
      { config: MilterSection.parse({ enabled: true, progress_interval_ms: 200, process_timeout_ms: 1500 }), stateDir: '/tmp', pipeline: createTestPipeline(createTestScanner(), { mode: 'hang' }), logger: silentLogger() },
      { tcpPortOverride: 0 },
    );
    try {
      const r = await miltertest(slow.tcp!.port, 'fail');
      assert.equal(r.code, 0, r.out);
    } finally {
      await slow.close();
    }
  });
});
