import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isMoatError } from '../../core/errors.js';
import { decodeFeatures, encodeFeatures } from './feature-codec.js';
import { DEFAULT_FIT, fitModel, logit, type Example } from './logistic-model.js';
import { FEATURE_BITS, MAX_FEATURES, modelFeatures } from './model-features.js';

const sortedSlots = fc.uniqueArray(fc.integer({ min: 0, max: (1 << FEATURE_BITS) - 1 }), { maxLength: 400 }).map((a) => Uint32Array.from(a).sort());

test('feature codec: round trip of any sorted slot set, compact', () => {
  fc.assert(
    fc.property(sortedSlots, (slots) => {
      const bytes = encodeFeatures(slots);
      assert.deepEqual(decodeFeatures(bytes), slots);
      assert.ok(bytes.length <= slots.length * 3);
    }),
    { numRuns: 300 },
  );
  assert.throws(() => encodeFeatures(Uint32Array.from([5, 5])), (e: unknown) => isMoatError(e, 'SPAM_MODEL_INVALID'));
  assert.throws(() => encodeFeatures(Uint32Array.from([1 << FEATURE_BITS])), (e: unknown) => isMoatError(e, 'SPAM_MODEL_INVALID'));
});

test('feature codec: arbitrary bytes decode to valid slots or fail with SPAM_MODEL_INVALID, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      try {
        const slots = decodeFeatures(bytes);
        assert.ok(slots.length <= MAX_FEATURES);
        for (let i = 0; i < slots.length; i++) assert.ok(slots[i]! < 1 << FEATURE_BITS && (i === 0 || slots[i]! > slots[i - 1]!));
      } catch (err) {
        assert.ok(isMoatError(err, 'SPAM_MODEL_INVALID'), String(err));
      }
    }),
    { numRuns: 500 },
  );
  // Limits: a record claiming more features than a message can have, a truncated number, a huge gap.
  assert.throws(() => decodeFeatures(new Uint8Array(MAX_FEATURES + 1)), (e: unknown) => isMoatError(e, 'SPAM_MODEL_INVALID'));
  assert.throws(() => decodeFeatures(Uint8Array.from([0x80])), (e: unknown) => isMoatError(e, 'SPAM_MODEL_INVALID'));
  assert.throws(() => decodeFeatures(Uint8Array.from([0xff, 0xff, 0xff, 0x01])), (e: unknown) => isMoatError(e, 'SPAM_MODEL_INVALID'));
});

test('model features: tokens and byte 4-grams of the message start, sorted and distinct, bounded', () => {
  const a = modelFeatures(Buffer.from('Subject: cheap pills\r\n\r\nbuy now'), ['cheap', 'pills']);
  assert.ok(a.length > 2);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]! > a[i - 1]!);
  assert.deepEqual(modelFeatures(Buffer.from('abc'), []), new Uint32Array(0), 'shorter than one 4-gram');
  const big = modelFeatures(Buffer.alloc(100_000, 'x'), Array.from({ length: 5000 }, (_, i) => `t${i}`));
  assert.ok(big.length <= MAX_FEATURES);
  // Only the first 3000 bytes count: what follows cannot change the features.
  const head = Buffer.from(`Subject: s\r\n\r\n${'hello world '.repeat(300)}`);
  assert.deepEqual(modelFeatures(Buffer.concat([head, Buffer.from('VIAGRA VIAGRA')]), []), modelFeatures(head, []));
});

function toyExamples(): Example[] {
  // Spam carries slots 1..3 and ham 10..12, each with some shared noise slots.
  const out: Example[] = [];
  for (let i = 0; i < 300; i++) {
    const noise = [100 + (i % 7), 200 + (i % 5)];
    out.push({ spam: true, features: Uint32Array.from([1 + (i % 3), ...noise]).sort() });
    out.push({ spam: false, features: Uint32Array.from([10 + (i % 3), ...noise]).sort() });
  }
  return out;
}

test('fit: separates spam from ham, and the learning order does not change the model', async () => {
  const examples = toyExamples();
  const w = await fitModel(examples);
  assert.ok(logit(w, Uint32Array.from([2, 101])) > 1, 'spam slot → spam');
  assert.ok(logit(w, Uint32Array.from([11, 101])) < -1, 'ham slot → ham');
  assert.ok(Math.abs(logit(w, Uint32Array.from([101]))) < 0.5, 'shared noise stays near neutral');
  const reversed = await fitModel([...examples].reverse());
  assert.deepEqual(reversed, w, 'same messages in another order, same weights');
});

test('fit: yields to the event loop and stops when aborted', async () => {
  const examples = toyExamples();
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const abort = new AbortController();
  await fitModel(examples, { ...DEFAULT_FIT, yieldEvery: 10 });
  clearInterval(ticker);
  assert.ok(turns > 0, 'timers ran while fitting');
  abort.abort();
  await assert.rejects(fitModel(examples, { ...DEFAULT_FIT, yieldEvery: 10, signal: abort.signal }), /abort/i);
});
