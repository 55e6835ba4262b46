import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHashLine } from './hash-line-parser.js';
import { parseIgnoreLine, parseLdbLine, parseNdbLine } from './body-line-parser.js';
import { openContainer, parseCvdHeader } from './cvd-container.js';
import { readTarMembers } from './tar-members.js';
import { isMoatError } from '../../core/errors.js';
import { buildContainer, generateKey } from '../../../test/support/cvd-builder.js';

const src = { file: 'fuzz', line: 1 };
const lineChars = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:;*?{}-,()|![]EOFPSLV$#xyz ~\u00e9'.split('')), maxLength: 120 });

test('line parsers never throw on arbitrary lines and always explain a refusal', () => {
  fc.assert(
    fc.property(lineChars, fc.boolean(), (line, flag) => {
      for (const r of [parseNdbLine(line, src), parseLdbLine(line, src)]) {
        if (!r.ok && 'error' in r) assert.ok(r.error.length > 0);
      }
      const h = parseHashLine(Buffer.from(line), flag);
      if (!h.ok && 'error' in h) assert.ok(h.error.length > 0);
      const ig = parseIgnoreLine(line, flag);
      assert.ok(typeof ig === 'string' || ig.name.length > 0);
    }),
    { numRuns: 5000 },
  );
});

test('header and tar readers never throw on random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
      parseCvdHeader(bytes);
      readTarMembers(bytes);
    }),
    { numRuns: 2000 },
  );
});

test('mutated signed containers are refused with SIGDB_VERIFY or still verify — never another error', () => {
  const legacy = generateKey(1024, 100001027n);
  const info = generateKey(2048, 100002049n);
  const good = buildContainer({ name: 'main', version: 1, legacyKey: legacy, infoKey: info, members: { 'main.ndb': 'A:0:*:414243\n' } });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (flips) => {
      const data = Buffer.from(good);
      for (const [at, x] of flips) data[at]! ^= x;
      try {
        openContainer('/db/main.cvd', data, { keys: { legacy, info } });
        // Only flips in ignored header padding can leave the container valid.
        assert.ok(flips.every(([at]) => at < 512));
      } catch (err) {
        assert.ok(isMoatError(err, 'SIGDB_VERIFY'), String(err));
      }
    }),
    { numRuns: 300 },
  );
});

test('regression: a legacy .ign line "::" has no name and is refused', () => {
  assert.equal(typeof parseIgnoreLine('::', true), 'string');
});
