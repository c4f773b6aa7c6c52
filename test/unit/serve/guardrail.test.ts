import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Guardrail } from '../../../src/serve/guardrail.js';

const opts = { minAgreement: 0.8, maxErrorRate: 0.3, minSamples: 5, window: 10, coolDownMs: 0, confidence: 0.95 };
/** The schema's defaults. */
const defaults = { minAgreement: 0.9, maxErrorRate: 0.2, minSamples: 50, window: 200, coolDownMs: 0, confidence: 0.95 };

/** true for every request but each `every`-th: a deterministic stream at a known rate. */
const stream = (n: number, failEvery: number) => Array.from({ length: n }, (_, i) => (i + 1) % failEvery !== 0);

test('no trip below minSamples, whatever the agreement', () => {
  const g = new Guardrail(opts);
  for (let i = 0; i < 4; i++) g.recordComparison(false);
  assert.equal(g.check(), null);
  assert.equal(g.passes(), false, 'too few samples to pass either');
});

test('trips when even the Wilson upper bound of agreement is below minAgreement', () => {
  const g = new Guardrail(opts);
  for (let i = 0; i < 5; i++) g.recordComparison(false); // 0/5: upper bound 0.434
  assert.match(g.check() ?? '', /^agreement upper bound 0\.434 < 0\.8 over the last 5 comparisons \(observed 0\.000, confidence 0\.95\)$/);
  assert.equal(g.isDemoted(), false, 'checking never demotes by itself');
  g.demote(g.check()!);
  assert.equal(g.isDemoted(), true);
  assert.match(g.status().reason ?? '', /agreement upper bound 0\.434/);
});

test('an observed rate below minAgreement on few samples does not trip: 3/5 may well be an 80 % agent', () => {
  // Under the old rule (observed < minAgreement) this tripped.
  const g = new Guardrail(opts);
  for (const m of [true, true, true, false, false]) g.recordComparison(m); // 0.6 observed, upper bound 0.88
  assert.equal(g.check(), null);
});

test('3 unlucky failures in 50 never trip, even at minAgreement 0.95', () => {
  for (const minAgreement of [0.9, 0.95]) {
    for (const where of ['start', 'end', 'spread']) {
      const g = new Guardrail({ ...defaults, minAgreement });
      const failures = where === 'start' ? [0, 1, 2] : where === 'end' ? [47, 48, 49] : [10, 25, 40];
      for (let i = 0; i < 50; i++) {
        g.recordComparison(!failures.includes(i));
        assert.equal(g.check(), null, `minAgreement ${minAgreement}, failures at the ${where}, after ${i + 1}`);
      }
    }
  }
});

test('a regression from 97 % to 60 % trips within 60 requests, though a full window of good results came before', () => {
  const g = new Guardrail(defaults);
  for (const m of stream(200, 33)) g.recordComparison(m); // 97 % over the whole window
  assert.equal(g.check(), null);
  let tripped = 0;
  for (let i = 1; i <= 200 && tripped === 0; i++) {
    g.recordComparison(i % 5 === 1 || i % 5 === 3 || i % 5 === 0); // 3 of 5: 60 %
    if (g.check() !== null) tripped = i;
  }
  assert.ok(tripped > 0 && tripped <= 60, `tripped after ${tripped} requests`);
  assert.match(g.check()!, /agreement upper bound 0\.\d+ < 0\.9 over the last 50 comparisons/, 'the recent window saw it');
});

test('trips on the agent error rate when its Wilson lower bound is above maxErrorRate', () => {
  const g = new Guardrail(opts);
  for (const failed of [true, true, true, true, true]) g.recordCall(failed); // 5/5: lower bound 0.566
  assert.match(g.check() ?? '', /^agent error rate lower bound 0\.566 > 0\.3 over the last 5 calls/);
  const h = new Guardrail(opts);
  for (const failed of [false, false, true, false, true]) h.recordCall(failed); // 0.4 observed, lower bound 0.118
  assert.equal(h.check(), null);
});

test('passes (what ends a probation) needs the Wilson lower bound at minAgreement: not tripping is not enough', () => {
  const g = new Guardrail(defaults);
  for (const m of stream(50, 17)) g.recordComparison(m); // 47/50 = 0.94: lower bound 0.838
  assert.equal(g.check(), null, 'not clearly bad');
  assert.equal(g.passes(), false, 'not shown good either');
  for (let i = 0; i < 150; i++) g.recordComparison(true); // 197/200: lower bound 0.957
  assert.equal(g.passes(), true);
  for (let i = 0; i < 50; i++) g.recordCall(i % 2 === 0); // 50 % errors: upper bound far above 0.2
  assert.equal(g.passes(), false, 'and the error rate must be shown low');
});

test('window slides: old failures age out, and a full good window passes', () => {
  const g = new Guardrail({ ...opts, minAgreement: 0.5 });
  for (let i = 0; i < 4; i++) g.recordComparison(false);
  for (let i = 0; i < 10; i++) g.recordComparison(true); // the 4 failures leave the 10-wide window
  assert.equal(g.status().agreement, 1);
  assert.equal(g.passes(), true);
});

test('reconfigure keeps the newest outcomes in the new window sizes', () => {
  const g = new Guardrail(opts);
  for (let i = 0; i < 10; i++) g.recordComparison(i >= 5);
  g.reconfigure({ ...opts, window: 5, minSamples: 5 });
  assert.equal(g.status().comparisons, 5);
  assert.equal(g.status().agreement, 1);
});

test('a demotion holds until reset, or until the cool-down passes (fresh window)', () => {
  let now = 1000;
  const g = new Guardrail({ ...opts, coolDownMs: 500 }, () => now);
  for (let i = 0; i < 5; i++) g.recordComparison(false);
  g.demote('bad');
  assert.equal(g.isDemoted(), true);
  now += 499;
  assert.equal(g.isDemoted(), true);
  now += 1;
  assert.equal(g.isDemoted(), false);
  assert.equal(g.status().comparisons, 0, 'fresh window after the cool-down');
  const h = new Guardrail(opts);
  for (let i = 0; i < 5; i++) h.recordComparison(false);
  h.demote('bad');
  h.reset();
  assert.equal(h.isDemoted(), false);
  assert.equal(h.status().comparisons, 0);
});
