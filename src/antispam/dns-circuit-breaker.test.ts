import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withCircuitBreaker } from './dns-circuit-breaker.js';
import { silentLogger } from '../core/logger.js';

test('after three timeouts lookups fail fast for a minute, then probe again', async () => {
  let clock = 0;
  let calls = 0;
  let fail = true;
  const lookup = withCircuitBreaker(async () => {
    calls++;
    if (fail) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
    return ['ok'];
  }, silentLogger(), () => clock);
  for (let i = 0; i < 3; i++) await assert.rejects(lookup());
  assert.equal(calls, 3);
  await assert.rejects(lookup(), /suspended/);
  assert.equal(calls, 3, 'no lookup while open');
  clock = 61_000;
  fail = false;
  assert.deepEqual(await lookup(), ['ok']);
  assert.equal(calls, 4);
});

test('NXDOMAIN is an answer, not an outage', async () => {
  let calls = 0;
  const lookup = withCircuitBreaker(async () => {
    calls++;
    throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
  }, silentLogger());
  for (let i = 0; i < 5; i++) await assert.rejects(lookup(), /nx/);
  assert.equal(calls, 5);
});

test('suspended() tells whether lookups fail at once, without making one or counting', async () => {
  let clock = 0;
  let calls = 0;
  const lookup = withCircuitBreaker(async () => {
    calls++;
    throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
  }, silentLogger(), () => clock);
  for (let i = 0; i < 2; i++) await assert.rejects(lookup());
  assert.equal(lookup.suspended(), false, 'two timeouts: still closed');
  await assert.rejects(lookup());
  assert.equal(lookup.suspended(), true);
  assert.equal(calls, 3);
  clock = 61_000;
  assert.equal(lookup.suspended(), false, 'a minute later it lets a probe through');
});
