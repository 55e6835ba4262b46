import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rateWithInterval, wilsonInterval } from '../../bench/antispam/wilson.js';

test('the Wilson interval of the benchmark\'s figures, against values worked by hand', () => {
  const [lo, hi] = wilsonInterval(2, 2064);
  assert.ok(Math.abs(lo - 0.000266) < 0.00001 && Math.abs(hi - 0.003527) < 0.00001, `${lo} ${hi}`);
  assert.equal(rateWithInterval(2, 2064), '0.10% (2; 95% CI 0.03–0.35%)');
  assert.equal(rateWithInterval(0, 10), '0.00% (0; 95% CI 0.00–27.75%)');
  assert.equal(rateWithInterval(1, 0), '-');
});

test('property: the interval lies in [0, 1] and holds the measured rate', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
      const k = Math.round(share * n);
      const [lo, hi] = wilsonInterval(k, n);
      assert.ok(lo >= 0 && hi <= 1 && lo <= k / n + 1e-12 && k / n <= hi + 1e-12, `${k}/${n}: ${lo}–${hi}`);
    }),
  );
});
