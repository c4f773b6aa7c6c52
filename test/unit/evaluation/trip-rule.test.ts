import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { statisticalPass, statisticalTrip, TripWindow, type TripOptions } from '../../../src/evaluation/trip-rule.js';
import { LatencyWindow } from '../../../src/evaluation/latency-window.js';

// The guardrail defaults (minAgreement 0.9, maxErrorRate 0.2, minSamples 50, window 200) at 95 %.
const DEFAULTS: TripOptions = { minAgreement: 0.9, maxErrorRate: 0.2, minSamples: 50, confidence: 0.95 };
const WINDOW = 200;

/** Feeds outcomes one at a time; returns the 1-based index of the one that tripped, or null. */
function firstTrip(outcomes: boolean[], options: TripOptions, kind: 'agreement' | 'errors', window = new TripWindow(WINDOW, options.minSamples)): number | null {
  const empty = new TripWindow(1, 1).counts();
  for (let i = 0; i < outcomes.length; i++) {
    window.push(outcomes[i]!);
    const counts = window.counts();
    const reason = statisticalTrip(kind === 'agreement' ? { agreement: counts, errors: empty } : { agreement: empty, errors: counts }, options);
    if (reason) return i + 1;
  }
  return null;
}

/** `rate` of true, spread evenly (deterministic): k-th outcome is true when floor(k·rate) grows. */
const stream = (n: number, rate: number, offset = 0) => Array.from({ length: n }, (_, i) => Math.floor((i + offset + 1) * rate) > Math.floor((i + offset) * rate));

describe('statisticalTrip: agreement', () => {
  test('a real regression (97 % → 60 %) trips within 60 requests, although 200 good results fill the window', () => {
    const window = new TripWindow(WINDOW, DEFAULTS.minSamples);
    assert.equal(firstTrip(stream(200, 0.97), DEFAULTS, 'agreement', window), null, 'the good agent never trips');
    const at = firstTrip(stream(100, 0.6), DEFAULTS, 'agreement', window);
    assert.ok(at !== null && at <= 60, `tripped after ${at} requests`);
  });

  test('after a reset (empty window) 60 % trips as soon as minSamples are in', () => {
    assert.equal(firstTrip(stream(100, 0.6), DEFAULTS, 'agreement'), DEFAULTS.minSamples);
  });

  test('3 unlucky failures in 50 do not trip, even at minAgreement 0.95 (observed 0.94)', () => {
    const outcomes = Array.from({ length: 50 }, (_, i) => ![7, 23, 41].includes(i));
    assert.equal(firstTrip(outcomes, DEFAULTS, 'agreement'), null);
    assert.equal(firstTrip(outcomes, { ...DEFAULTS, minAgreement: 0.95 }, 'agreement'), null);
  });

  test('minSamples is a floor: 49 straight failures do not trip', () => {
    assert.equal(firstTrip(Array(49).fill(false), DEFAULTS, 'agreement'), null);
    assert.equal(firstTrip(Array(50).fill(false), DEFAULTS, 'agreement'), 50);
  });

  test('the reason names the bound, the threshold, n, the observed rate and the confidence', () => {
    const reason = statisticalTrip({ agreement: { window: { count: 30, n: 50 }, recent: { count: 30, n: 50 } }, errors: { window: { count: 0, n: 0 }, recent: { count: 0, n: 0 } } }, DEFAULTS);
    assert.equal(reason, 'agreement upper bound 0.724 < 0.9 over the last 50 comparisons (observed 0.600, confidence 0.95)');
  });

  test('a higher confidence needs stronger evidence', () => {
    const counts = { window: { count: 40, n: 50 }, recent: { count: 40, n: 50 } };
    const none = { window: { count: 0, n: 0 }, recent: { count: 0, n: 0 } };
    assert.match(statisticalTrip({ agreement: counts, errors: none }, DEFAULTS) ?? '', /upper bound 0\.888 < 0\.9/);
    assert.equal(statisticalTrip({ agreement: counts, errors: none }, { ...DEFAULTS, confidence: 0.99 }), null);
  });
});

describe('statisticalTrip: agent error rate', () => {
  test('3 errors in 50 do not trip at maxErrorRate 0.05 (observed 0.06, lower bound 0.021)', () => {
    const outcomes = Array.from({ length: 50 }, (_, i) => [7, 23, 41].includes(i));
    assert.equal(firstTrip(outcomes, { ...DEFAULTS, maxErrorRate: 0.05 }, 'errors'), null);
  });

  test('an agent failing 50 % of calls trips within 60 calls of a clean window', () => {
    const window = new TripWindow(WINDOW, DEFAULTS.minSamples);
    assert.equal(firstTrip(Array(200).fill(false), DEFAULTS, 'errors', window), null);
    const at = firstTrip(stream(100, 0.5), DEFAULTS, 'errors', window);
    assert.ok(at !== null && at <= 60, `tripped after ${at} calls`);
    assert.match(statisticalTrip({ agreement: new TripWindow(1, 1).counts(), errors: window.counts() }, DEFAULTS) ?? '', /^agent error rate lower bound 0\.\d{3} > 0\.2 over the last \d+ calls \(observed 0\.\d{3}, confidence 0\.95\)$/);
  });
});

test('TripWindow keeps the window and its most recent minSamples outcomes', () => {
  const w = new TripWindow(5, 2);
  for (const v of [true, true, true, false, false, true]) w.push(v);
  assert.deepEqual(w.counts(), { window: { count: 3, n: 5 }, recent: { count: 1, n: 2 } });
  w.clear();
  assert.deepEqual(w.counts(), { window: { count: 0, n: 0 }, recent: { count: 0, n: 0 } });
  assert.deepEqual(new TripWindow(3, 10).counts().recent, { count: 0, n: 0 }, 'recent never exceeds the window');
});

test('statisticalPass: the readiness reading of the window (for the end of a probation)', () => {
  const counts = (match: number, n: number, errors = 0, calls = n) => ({ agreement: { window: { count: match, n }, recent: { count: match, n } }, errors: { window: { count: errors, n: calls }, recent: { count: errors, n: calls } } });
  assert.equal(statisticalPass(counts(49, 49), DEFAULTS), false, 'below minSamples');
  assert.equal(statisticalPass(counts(50, 50), DEFAULTS), true, 'lower bound 0.929 >= 0.9');
  assert.equal(statisticalPass(counts(47, 50), DEFAULTS), false, '47/50: lower bound 0.838 < 0.9, although it does not trip either');
  assert.equal(statisticalTrip(counts(47, 50), DEFAULTS), null);
  assert.equal(statisticalPass(counts(200, 200, 30, 200), DEFAULTS), false, 'error upper bound 0.207 > 0.2');
});

test('LatencyWindow: nearest-rank quantiles over the last `capacity` durations', () => {
  const w = new LatencyWindow(100);
  assert.equal(w.quantile(0.99), null);
  for (let i = 1; i <= 150; i++) w.record(i);  // keeps 51..150
  w.record(Number.NaN);
  w.record(-1);
  assert.equal(w.size, 100);
  assert.equal(w.quantile(0.99), 149);
  assert.equal(w.quantile(0.5), 100);
});
