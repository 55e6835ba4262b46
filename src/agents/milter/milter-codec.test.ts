import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMoatError } from '../../core/errors.js';
import { MilterDecoder, encodePacket, encodeStrings, parseConnect, parseMacros, parseStrings, replyCodePacket, replaceBodyPackets, MILTER_CHUNK_SIZE } from './milter-codec.js';
import { milterReplies, bodyOf } from './milter-outcome.js';

describe('milter codec', () => {
  it('frames any packet sequence under any segmentation (property)', () => {
    const packet = fc.record({ command: fc.constantFrom('O', 'D', 'C', 'H', 'M', 'R', 'T', 'L', 'N', 'B', 'E', 'A', 'Q'), data: fc.uint8Array({ maxLength: 200 }) });
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), (packets, cuts) => {
        const wire = Buffer.concat(packets.map((p) => encodePacket(p.command, Buffer.from(p.data))));
        const d = new MilterDecoder();
        const got = [];
        for (let off = 0, i = 0; off < wire.length; i++) {
          const n = cuts[i % cuts.length]!;
          got.push(...d.push(wire.subarray(off, off + n)));
          off += n;
        }
        assert.equal(d.pending, 0);
        assert.deepEqual(got.map((p) => [p.command, [...p.data]]), packets.map((p) => [p.command, [...p.data]]));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects zero and oversize lengths; random bytes only ever raise PROTOCOL (property)', () => {
    assert.throws(() => new MilterDecoder().push(Buffer.from([0, 0, 0, 0])), (e) => isMoatError(e, 'PROTOCOL'));
    assert.throws(() => new MilterDecoder().push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x42])), (e) => isMoatError(e, 'PROTOCOL'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        for (const parse of [parseStrings, parseConnect, parseMacros]) {
          try {
            parse(Buffer.from(bytes));
          } catch (e) {
            assert.ok(isMoatError(e, 'PROTOCOL'), String(e));
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parses CONNECT for inet, unix and unknown families, and braced macros', () => {
    const inet = Buffer.concat([Buffer.from('mx.example\x004'), Buffer.from([0x30, 0x39]), Buffer.from('192.0.2.1\0')]);
    assert.deepEqual(parseConnect(inet), { hostname: 'mx.example', family: '4', port: 12345, address: '192.0.2.1' });
    assert.deepEqual(parseConnect(Buffer.from('host\0U')), { hostname: 'host', family: 'U' });
    const m = parseMacros(Buffer.concat([Buffer.from('C'), encodeStrings('{daemon_name}', 'postfix', 'j', 'mx.example')]));
    assert.equal(m.stage, 'C');
    assert.equal(m.macros.get('daemon_name'), 'postfix');
    assert.equal(m.macros.get('j'), 'mx.example');
  });

  it('REPLYCODE doubles % and strips line breaks; REPLBODY stays within the chunk size', () => {
    assert.equal(replyCodePacket(550, '5.7.1', '100% bad\r\nnews').subarray(5).toString(), '550 5.7.1 100%% bad news\0');
    const chunks = [...replaceBodyPackets(Buffer.alloc(MILTER_CHUNK_SIZE * 2 + 10, 0x61))];
    assert.deepEqual(chunks.map((c) => c.readUInt32BE(0) - 1), [MILTER_CHUNK_SIZE, MILTER_CHUNK_SIZE, 10]);
    assert.equal(bodyOf(Buffer.from('A: b\r\n\r\nbody\r\n')).toString(), 'body\r\n');
  });

  it('outcome mapping: defer wins, all rejected → 5xx, mixed → DELRCPT + accept, no DELRCPT → tempfail', () => {
    const base = { addHeaders: [], bodyReplaced: false };
    const opts = { actions: 0x3f, headerPosition: 'top' as const, holdQuarantined: false, rcptArgs: new Map([['b@x', '<b@x>']]), leadSpace: false };
    const cmd = (p: Buffer[]) => p.map((b) => String.fromCharCode(b[4]!)).join('');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'accept' }, { ...base, recipients: ['b@x'], action: 'defer' }], opts)), 'y');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'reject', reply: { code: 550, enhanced: '5.7.1', text: 'virus' } }], opts)), 'y');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'discard' }], opts)), 'd');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'accept', addHeaders: [{ name: 'X-A', value: '1' }] }, { ...base, recipients: ['b@x'], action: 'discard' }], opts)), '-ia');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'accept' }, { ...base, recipients: ['b@x'], action: 'reject' }], { ...opts, actions: 0x01 })), 'y');
    assert.equal(cmd(milterReplies([{ ...base, recipients: ['a@x'], action: 'discard', quarantineId: 'q1' }], { ...opts, holdQuarantined: true })), 'qa');
    assert.equal(cmd(milterReplies([], opts)), 'y');
  });
});
