import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agreementSummary, guardrailSummary } from '../../../../src/admin/ui/agreement.js';

type RouteView = Parameters<typeof agreementSummary>[0];
const window = { total: 120, match: 40, mismatch: 80, agentError: 0, legacyError: 0, agreement: 1 / 3, agentErrorRate: 0 };
const guardrail = { minAgreement: 0.9, maxErrorRate: 0.2, minSamples: 30, window: 200, coolDownMs: 0, agreement: 0.889, errorRate: 0.05, comparisons: 45, calls: 60 };
const route = (over: Partial<RouteView> = {}): RouteView => ({ name: 'r', mode: 'full', window, guardrail, counts: { match: 900, mismatch: 100, agent_error: 5 }, ...over });

test('one agreement: the recent window, said with its size, and the lifetime beside it', () => {
  const a = agreementSummary(route());
  assert.equal(a.value, 1 / 3);
  assert.equal(a.lifetime, 0.9);
  assert.equal(a.detail, 'last 120 results (120 compared) · lifetime 90% of 1\u2009000');
  assert.match(a.title, /samples\.window/);
});

test('agreement: nothing compared yet is null, not 0', () => {
  const a = agreementSummary(route({ window: { ...window, total: 3, match: 0, mismatch: 0, agentError: 3 }, counts: {} }));
  assert.deepEqual([a.value, a.lifetime, a.detail], [null, null, 'last 3 results (0 compared) · lifetime — of 0']);
  assert.match(agreementSummary(route({ window: { ...window, total: 1, match: 1, mismatch: 0 } })).detail, /^last 1 result \(1 compared\)/);
});

test('guardrail: its own window and limits; fails, passes, warming up', () => {
  const fails = guardrailSummary(route());
  assert.equal(fails.state, 'fails');
  assert.equal(fails.detail, 'agreement 88.9% (≥ 90%) · errors 5% (≤ 20%)');
  assert.match(fails.title, /last 200 comparisons and agent calls \(now 45 comparisons, 60 calls\)/);
  assert.equal(guardrailSummary(route({ guardrail: { ...guardrail, agreement: 0.95 } })).state, 'passes');
  assert.equal(guardrailSummary(route({ guardrail: { ...guardrail, agreement: 0.95, errorRate: 0.5 } })).state, 'fails', 'errors alone fail it');
  const warming = guardrailSummary(route({ guardrail: { ...guardrail, comparisons: 10, calls: 12, agreement: 0.1 } }));
  assert.deepEqual([warming.state, warming.label], ['warming', 'warming up 12/30'], 'too few samples: no verdict, whatever the ratio');
  assert.equal(guardrailSummary(route({ guardrail: undefined })).state, 'none');
});

test('guardrail: the server\'s statistical verdict wins over the observed ratio', () => {
  // Observed 88.9 % < 90 %, but on 45 comparisons the upper bound is far above 90 %: not a trip.
  const notTripped = guardrailSummary(route({ guardrail: { ...guardrail, trip: null, passes: false, agreementLower: 0.76, confidence: 0.95 } }));
  assert.equal(notTripped.state, 'passes');
  assert.match(notTripped.title, /Wilson upper bound of agreement \(at 95% confidence\)/);
  const tripped = guardrailSummary(route({ guardrail: { ...guardrail, agreement: 0.5, trip: 'agreement upper bound 0.640 < 0.9 over the last 30 comparisons', passes: false } }));
  assert.equal(tripped.state, 'fails');
  assert.match(tripped.title, /\(now: agreement upper bound 0\.640 < 0\.9 over the last 30 comparisons\)\.$/);
});
