import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateLevel, readinessResponse, type PromotionConfig, type ReadinessData } from '../../../src/evaluation/readiness.js';
import { AgreementWindow, readinessWindowSize } from '../../../src/evaluation/agreement.js';

// The promotion block of the issue.
const PROMOTION: PromotionConfig = {
  conditional: { minAgreement: 0.95, confidence: 0.95, minSamples: 200, maxErrorRate: 0.05 },
  full: { minAgreement: 0.99, confidence: 0.95, minSamples: 1000, maxErrorRate: 0.01, maxP99Ratio: 1.5, minAdjudicatedAccuracy: 0.9 },
};

const data = (match: number, n: number, over: Partial<ReadinessData> = {}): ReadinessData => ({
  agreement: { raw: { match, n } },
  agent: { calls: n, errors: 0 },
  p99Ms: { agent: 120, legacy: 100 },
  adjudicated: { accuracy: null, verdicts: 0 },
  ...over,
});

describe('readiness for conditional (minAgreement 0.95, minSamples 200, maxErrorRate 0.05, 95 %)', () => {
  const table: [string, ReadinessData, boolean, string[]][] = [
    ['few samples, all agree', data(50, 50), false, [
      'only 50 comparisons, 200 needed (minSamples)',
      'agreement lower bound 0.929 < 0.95 (n=50, observed 1.000)',
      'agent error rate upper bound 0.071 > 0.05 (n=50 calls, observed 0.000)',
    ]],
    ['all agree over 200', data(200, 200), true, [
      '200 comparisons ≥ 200 needed (minSamples)',
      'agreement lower bound 0.981 ≥ 0.95 (n=200, observed 1.000)',
      'agent error rate upper bound 0.019 ≤ 0.05 (n=200 calls, observed 0.000)',
    ]],
    ['borderline, just short: 196/200 (lower bound 0.9497)', data(196, 200), false, ['agreement lower bound 0.9497 < 0.95 (n=200, observed 0.980)']],
    ['borderline, just enough: 197/200', data(197, 200), true, [
      '200 comparisons ≥ 200 needed (minSamples)',
      'agreement lower bound 0.957 ≥ 0.95 (n=200, observed 0.985)',
      'agent error rate upper bound 0.019 ≤ 0.05 (n=200 calls, observed 0.000)',
    ]],
    ['sudden drop: the window went from 495/500 to 420/500', data(420, 500), false, ['agreement lower bound 0.805 < 0.95 (n=500, observed 0.840)']],
    ['agrees, but the agent fails 6 % of calls', data(500, 500, { agent: { calls: 530, errors: 32 } }), false, ['agent error rate upper bound 0.084 > 0.05 (n=530 calls, observed 0.060)']],
    ['nothing yet', data(0, 0, { agent: { calls: 0, errors: 0 } }), false, [
      'only 0 comparisons, 200 needed (minSamples)', 'no comparisons yet: agreement unknown', 'no agent calls yet: agent error rate unknown',
    ]],
  ];
  for (const [what, input, ready, reasons] of table) {
    test(what, () => {
      const level = evaluateLevel(input, PROMOTION.conditional);
      assert.equal(level.ready, ready);
      assert.deepEqual(level.reasons, reasons);
    });
  }

  test('with calibration the adjusted agreement is judged, and said so', () => {
    const level = evaluateLevel(data(180, 200, { agreement: { raw: { match: 180, n: 200 }, adjusted: { match: 199, n: 200 } } }), PROMOTION.conditional);
    assert.equal(level.ready, true);
    assert.equal(level.reasons[1], 'adjusted agreement lower bound 0.972 ≥ 0.95 (n=200, observed 0.995)');
    assert.equal(level.agreement.n, 200);
    assert.equal(level.agreement.observed, 0.995);
  });
});

describe('readiness for full (adds maxP99Ratio 1.5 and minAdjudicatedAccuracy 0.9 over ≥ 10 verdicts)', () => {
  const good = (over: Partial<ReadinessData> = {}) => data(1000, 1000, { adjudicated: { accuracy: 0.95, verdicts: 20 }, ...over });
  test('all checks pass: every reason says why', () => {
    const level = evaluateLevel(good(), PROMOTION.full);
    assert.equal(level.ready, true);
    assert.deepEqual(level.reasons, [
      '1000 comparisons ≥ 1000 needed (minSamples)',
      'agreement lower bound 0.996 ≥ 0.99 (n=1000, observed 1.000)',
      'agent error rate upper bound 0.004 ≤ 0.01 (n=1000 calls, observed 0.000)',
      'agent p99 120 ms is 1.20 × legacy p99 100 ms, within 1.5 × (maxP99Ratio)',
      'adjudicated accuracy 0.950 ≥ 0.9 (20 verdicts)',
    ]);
  });
  test('a slow agent, unknown latency, few verdicts, low accuracy', () => {
    assert.deepEqual(evaluateLevel(good({ p99Ms: { agent: 310, legacy: 150 } }), PROMOTION.full).reasons,
      ['agent p99 310 ms is 2.07 × legacy p99 150 ms, above 1.5 × (maxP99Ratio)']);
    assert.deepEqual(evaluateLevel(good({ p99Ms: { agent: 310, legacy: null } }), PROMOTION.full).reasons,
      ['p99 ratio unknown: no agent or legacy latency yet (maxP99Ratio)']);
    assert.deepEqual(evaluateLevel(good({ adjudicated: { accuracy: 1, verdicts: 9 } }), PROMOTION.full).reasons,
      ['only 9 review verdicts, 10 needed for adjudicated accuracy (minAdjudicatedAccuracy)']);
    assert.deepEqual(evaluateLevel(good({ adjudicated: { accuracy: 0.85, verdicts: 40 } }), PROMOTION.full).reasons,
      ['adjudicated accuracy 0.850 < 0.9 (40 verdicts)']);
  });
  test('p99 and adjudicated accuracy are not checked when the level does not set them', () => {
    const level = evaluateLevel(good({ p99Ms: { agent: 5000, legacy: 100 }, adjudicated: { accuracy: 0.1, verdicts: 50 } }), PROMOTION.conditional);
    assert.equal(level.ready, true);
    assert.equal(level.p99Ratio, 50);
    assert.equal(level.adjudicatedAccuracy, 0.1);
  });
});

test('readinessResponse: the JSON of GET /api/routes/:name/readiness', () => {
  const body = readinessResponse('orders', 'shadow', data(392, 412, { agent: { calls: 420, errors: 2 } }), PROMOTION);
  assert.deepEqual(Object.keys(body), ['route', 'level', 'levels']);
  assert.equal(body.route, 'orders');
  assert.equal(body.level, 'shadow');
  assert.deepEqual(Object.keys(body.levels), ['conditional', 'full']);
  const c = body.levels.conditional;
  assert.deepEqual(Object.keys(c), ['ready', 'reasons', 'agreement', 'errorRate', 'p99Ratio', 'adjudicatedAccuracy']);
  assert.deepEqual(c.reasons, ['agreement lower bound 0.926 < 0.95 (n=412, observed 0.951)']);
  assert.deepEqual(Object.keys(c.agreement), ['observed', 'lower', 'upper', 'n']);
  assert.equal(c.agreement.n, 412);
  assert.ok(Math.abs(c.agreement.lower - 0.9262131011686688) < 1e-12);
  assert.ok(Math.abs(c.agreement.upper - 0.9683585970332701) < 1e-12);
  assert.equal(c.errorRate.n, 420);
  assert.equal(c.p99Ratio, 1.2);
  assert.equal(c.adjudicatedAccuracy, null);
  assert.equal(body.levels.full.ready, false);
  assert.equal(JSON.stringify(body), JSON.stringify(JSON.parse(JSON.stringify(body))), 'plain JSON, nothing lost');
});

describe('AgreementWindow', () => {
  test('raw counts matches; adjusted also counts noise-only mismatches', () => {
    const w = new AgreementWindow(4);
    w.record(true); w.record(false, true); w.record(false); w.record(true);
    assert.deepEqual(w.snapshot(), { raw: { match: 2, n: 4 }, adjusted: { match: 3, n: 4 } });
    w.record(false); // the first match leaves the window
    assert.deepEqual(w.ratios(), { raw: 0.25, adjusted: 0.5 });
    w.clear();
    assert.deepEqual(w.ratios(), { raw: null, adjusted: null });
  });
  test('readinessWindowSize holds every level\'s minSamples', () => {
    assert.equal(readinessWindowSize(500, PROMOTION), 1000);
    assert.equal(readinessWindowSize(5000, PROMOTION), 5000);
  });
});
