import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkExportHeader, exportHeader, exportRecord, parseExportRecord } from './bayes-export.js';
import { encodeFeatures } from '../model/feature-codec.js';

const record = fc.record({
  key: fc.stringMatching(/^[0-9a-f]{32}$/),
  class: fc.constantFrom('spam' as const, 'ham' as const),
  tokens: fc.array(fc.string({ minLength: 1, maxLength: 30, unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '\u2028', '😀'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })) }), { maxLength: 50 }),
  slots: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: (1 << 20) - 1 }), { maxLength: 40 }), { nil: undefined }),
});

test('export records read back as written, whatever the tokens hold (property)', () => {
  fc.assert(
    fc.property(record, ({ slots, ...r }) => {
      const learned = slots ? { ...r, features: encodeFeatures(Uint32Array.from([...slots].sort((a, b) => a - b))) } : r;
      assert.deepEqual(parseExportRecord(exportRecord(learned)), learned);
    }),
    { numRuns: 500 },
  );
});

test('any line, JSON or not, gives a record or a reason, never an exception (fuzz)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)), record.map((r) => JSON.stringify({ ...r, features: 'gA==' }))), (line) => {
      const r = parseExportRecord(line);
      if ('error' in r) assert.equal(typeof r.error, 'string');
      else assert.ok(/^[0-9a-f]{32}$/.test(r.key) && (r.class === 'spam' || r.class === 'ham') && r.tokens.length <= 3000);
    }),
    { numRuns: 3000 },
  );
  assert.match((parseExportRecord('{"key":"00000000000000000000000000000000","class":"spam","tokens":["a"],"features":"gA=="}') as { error: string }).error, /"features": feature record ends inside a number/, 'damaged features are refused before they reach the model');
  assert.deepEqual(parseExportRecord('{"key":"x","class":"spam","tokens":[]}'), { error: '"key" is not 32 hex digits' });
  assert.match((parseExportRecord('{"key":"00000000000000000000000000000000","class":"spam","tokens":["lone\\ud800"]}') as { error: string }).error, /lone UTF-16 surrogate/);
});

test('the header says what the file is; anything else is refused with a reason', () => {
  assert.equal(checkExportHeader(exportHeader({ spam: 1, ham: 2 }, new Date(0))), undefined);
  assert.match(checkExportHeader('From alice@example.org Mon Dec  7 06:00:00 2026')!, /not JSON: not a moat learn --export file/);
  assert.match(checkExportHeader('{"format":"moat-bayes","version":2}')!, /export version 2; this Moat reads version 1/);
  assert.match(checkExportHeader('{"key":"x"}')!, /does not say "format": "moat-bayes"/);
});
