import test from 'node:test';
import assert from 'node:assert/strict';
import { parseMail } from './parse-mail.js';
import { HIDDEN_PAYLOAD, hostileMessages } from '../../test/fixtures/mail/hostile-messages.js';

for (const h of hostileMessages()) {
  test(`hostile message "${h.name}": the trick is flagged and the payload is decoded in some reading`, () => {
    const readings = [parseMail(h.raw), parseMail(h.raw, { reading: 'last' })];
    assert.ok(readings[0]!.ambiguities.some((a) => a.kind === h.kind), `expected ${h.kind}, got ${readings[0]!.ambiguities.map((a) => a.kind).join(',')}`);
    const decoded = readings.flatMap((r) => r.leaves.map((l) => Buffer.from(l.decoded ?? new Uint8Array()).toString('latin1')));
    assert.ok(decoded.includes(HIDDEN_PAYLOAD), `payload not decoded in either reading: ${JSON.stringify(decoded)}`);
  });
}
