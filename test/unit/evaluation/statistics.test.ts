import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, normalQuantile, twoProportionTest, wilsonInterval, zForConfidence } from '../../../src/evaluation/statistics.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} differs from ${expected} by more than ${tolerance}`);

// Reference values computed with mpmath at 40 digits (sqrt(2)·erfinv(2p − 1), ncdf), for the
// double nearest each p (0.999999 is not exact in binary; its quantile moves by 6e-12).
describe('normalQuantile (AS 241)', () => {
  const table: [number, number][] = [
    [0.5, 0],
    [0.975, 1.9599639845400538556],
    [0.025, -1.9599639845400542118],
    [0.995, 2.5758293035489004539],
    [0.99, 2.3263478740408407676],
    [0.9, 1.2815515655446005935],
    [0.7, 0.52440051270804065631],
    [0.02425, -1.9729610513118848376],   // just outside the central region (|q| > 0.425)
    [0.97575, 1.9729610513118849594],
    [0.0001, -3.7190164854556805523],
    [0.999999, 4.7534243088170877657],
    [1e-10, -6.3613409024040561991],      // the far tail (r > 5)
  ];
  for (const [p, z] of table) {
    test(`Φ⁻¹(${p}) = ${z}`, () => close(normalQuantile(p), z, 1e-13 * Math.max(1, Math.abs(z)), `Φ⁻¹(${p})`));
  }
  test('edges: 0 → -∞, 1 → ∞, outside [0, 1] → NaN', () => {
    assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY);
    assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(normalQuantile(-0.1)) && Number.isNaN(normalQuantile(1.1)) && Number.isNaN(normalQuantile(Number.NaN)));
  });
  test('is the inverse of normalCdf across the range', () => {
    for (const p of [1e-300, 1e-12, 0.001, 0.1, 0.3, 0.5, 0.8, 0.95, 0.999]) close(normalCdf(normalQuantile(p)), p, 1e-14 * Math.max(p, 1e-2), `Φ(Φ⁻¹(${p}))`);
  });
});

describe('normalCdf', () => {
  const table: [number, number][] = [
    [0, 0.5], [1.96, 0.97500210485177956586], [-1, 0.15865525393145705141], [2.5, 0.99379033467422386483],
    [-3.5, 2.3262907903552503635e-4], [-8, 6.2209605742717841235e-16],
  ];
  for (const [x, p] of table) test(`Φ(${x}) = ${p}`, () => close(normalCdf(x), p, Math.max(1e-15, 1e-12 * p), `Φ(${x})`));
});

describe('zForConfidence', () => {
  test('1.95996… at 0.95, 2.5758… at 0.99, 1.6449… at 0.90', () => {
    close(zForConfidence(0.95), 1.95996398454005423552, 1e-14, 'z(0.95)');
    close(zForConfidence(0.99), 2.5758293035489007609, 1e-14, 'z(0.99)');
    close(zForConfidence(0.9), 1.6448536269514722, 1e-14, 'z(0.90)');
  });
  test('confidence outside (0, 1) is a RangeError', () => {
    assert.throws(() => zForConfidence(1), RangeError);
    assert.throws(() => zForConfidence(0), RangeError);
  });
});

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I,
  // method 3 (score interval without continuity correction), 95 %, given to 4 decimals.
  const newcombe: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  for (const [x, n, lower, upper] of newcombe) {
    test(`${x}/${n} at 95 % → [${lower}, ${upper}] (Newcombe 1998)`, () => {
      const ci = wilsonInterval(x, n, 0.95);
      close(ci.lower, lower, 5e-5, 'lower');
      close(ci.upper, upper, 5e-5, 'upper');
      assert.equal(ci.n, n);
      assert.equal(ci.observed, x / n);
    });
  }
  test('full precision against the closed form at 99 %: 47/50', () => {
    const ci = wilsonInterval(47, 50, 0.99);
    // mpmath, z = 2.5758293035489007609785767486
    close(ci.lower, 0.79220099929770310, 1e-13, 'lower');
    close(ci.upper, 0.98470515999078426, 1e-13, 'upper');
  });
  test('x = 0 has lower bound exactly 0, x = n upper bound exactly 1', () => {
    assert.equal(wilsonInterval(0, 20, 0.95).lower, 0);
    assert.equal(wilsonInterval(20, 20, 0.95).upper, 1);
    assert.ok(wilsonInterval(20, 20, 0.95).lower < 1);
  });
  test('n = 0 knows nothing: [0, 1], observed null', () => {
    assert.deepEqual(wilsonInterval(0, 0, 0.95), { observed: null, lower: 0, upper: 1, n: 0 });
  });
  test('rejects impossible counts', () => {
    assert.throws(() => wilsonInterval(3, 2, 0.95), RangeError);
    assert.throws(() => wilsonInterval(-1, 2, 0.95), RangeError);
    assert.throws(() => wilsonInterval(1.5, 2, 0.95), RangeError);
  });
});

describe('twoProportionTest (one-sided, pooled)', () => {
  // [x1, n1, x2, n2, z, p] from mpmath at 30 digits.
  const table: [number, number, number, number, number, number][] = [
    [97, 100, 96, 100, 0.38475770298644044756, 0.35020846960179635356],
    [30, 100, 10, 100, 3.5355339059327376220, 2.0347600872247946978e-4],
    [5, 1000, 0, 1000, 2.2388683141982250147, 0.012582242850159267881],
    [45, 200, 30, 200, 1.9215378456610456018, 0.027331967945837572170],
    [12, 40, 3, 40, 2.5780135465419583698, 0.0049685051146165562816],
  ];
  for (const [x1, n1, x2, n2, z, p] of table) {
    test(`${x1}/${n1} > ${x2}/${n2}: z = ${z.toFixed(4)}, p = ${p.toPrecision(4)}`, () => {
      const r = twoProportionTest(x1, n1, x2, n2, 0.01);
      close(r.z, z, 1e-12, 'z');
      close(r.pValue, p, 1e-13, 'p');
      assert.equal(r.significant, p < 0.01);
    });
  }
  test('one-sided: a lower first rate is never significant', () => {
    const r = twoProportionTest(10, 100, 30, 100, 0.01);
    assert.ok(r.z < 0 && r.pValue > 0.99 && !r.significant);
  });
  test('no variance or an empty side: no evidence', () => {
    assert.deepEqual(twoProportionTest(0, 100, 0, 100, 0.01), { z: 0, pValue: 0.5, significant: false });
    assert.deepEqual(twoProportionTest(100, 100, 100, 100, 0.01), { z: 0, pValue: 0.5, significant: false });
    assert.deepEqual(twoProportionTest(5, 10, 0, 0, 0.01), { z: 0, pValue: 0.5, significant: false });
  });
});
