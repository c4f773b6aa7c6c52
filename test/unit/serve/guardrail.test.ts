import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Guardrail } from '../../../src/serve/guardrail.js';

const opts = { minAgreement: 0.8, maxErrorRate: 0.3, minSamples: 5, window: 10, coolDownMs: 0 };

test('no trip below minSamples, whatever the agreement', () => {
  const g = new Guardrail(opts);
  for (let i = 0; i < 4; i++) g.recordComparison(false);
  assert.equal(g.check(), null);
  assert.equal(g.passes(), false, 'too few samples to pass either');
});

test('fails when agreement over the window falls below minAgreement', () => {
  const g = new Guardrail(opts);
  for (let i = 0; i < 3; i++) g.recordComparison(true);
  g.recordComparison(false);
  g.recordComparison(false); // 3/5 = 0.6 < 0.8
  assert.match(g.check() ?? '', /agreement 0\.600 < 0\.8 over 5 comparisons/);
  assert.equal(g.isDemoted(), false, 'checking never demotes by itself');
  g.demote(g.check()!);
  assert.equal(g.isDemoted(), true);
  assert.match(g.status().reason ?? '', /agreement 0\.600/);
});

test('window slides: old failures age out, and a full good window passes', () => {
  const g = new Guardrail({ ...opts, minAgreement: 0.5 });
  for (let i = 0; i < 4; i++) g.recordComparison(false);
  for (let i = 0; i < 10; i++) g.recordComparison(true); // the 4 failures leave the 10-wide window
  assert.equal(g.status().agreement, 1);
  assert.equal(g.passes(), true);
});

test('fails on agent error rate', () => {
  const g = new Guardrail(opts);
  for (const failed of [false, false, true, false, true]) g.recordCall(failed); // 2/5 = 0.4 > 0.3
  assert.match(g.check() ?? '', /error rate 0\.400 > 0\.3/);
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
