import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { buildConfig } from '../../../src/config/load.js';
import { createMetrics } from '../../../src/metrics/definitions.js';
import { RouteEvaluation, serveLevel } from '../../../src/evaluation/route-evaluation.js';

const configWith = (route: Record<string, unknown>, extra: Record<string, unknown> = {}) => buildConfig({
  legacy: { url: 'http://127.0.0.1:1' }, agent: { url: 'http://127.0.0.1:2' },
  candidates: [{ name: 'a', url: 'http://127.0.0.1:3' }],
  routes: [{ name: 'r', match: { path: '/r' }, ...route }], ...extra,
}, { baseDir: process.cwd(), source: 'test' });

const metrics = () => createMetrics(new Registry(), { defaultMetrics: false });

test('serveLevel: the serve rollout as a readiness level', () => {
  assert.deepEqual([0, 1, 50, 99, 100].map(serveLevel), ['shadow', 'conditional', 'conditional', 'conditional', 'full']);
});

test('without calibration readiness judges raw agreement, fields are an empty list, and adjusted equals raw', () => {
  const config = configWith({});
  const ev = new RouteEvaluation('r', config.routes[0]!, config, metrics());
  ev.agreement.record(true);
  ev.agreement.record(false);
  assert.equal(ev.readinessData({ accuracy: null, verdicts: 0 }).agreement.adjusted, null);
  assert.deepEqual(ev.fields(), { route: 'r', fields: [], calibration: 'off' });
  assert.deepEqual(ev.agreement.ratios(), { raw: 0.5, adjusted: 0.5 });
  assert.equal(ev.candidateAgreement(), null);
});

test('configure: windows keep their newest entries; calibration is rebuilt only when its rules change', () => {
  const on = configWith({ calibration: { window: 50 }, compare: { ignore: [] } }, { samples: { window: 2000 } });
  const ev = new RouteEvaluation('r', on.routes[0]!, on, metrics());
  assert.equal(ev.agreement.capacity, 2000, 'max(samples.window, promotion minSamples)');
  for (let i = 0; i < 300; i++) ev.agreement.record(i >= 100);
  ev.calibration!.record('raw', ['/id']);
  const first = ev.calibration;

  const ignoring = configWith({ calibration: { window: 50, percent: 1 }, compare: { ignore: ['/id'] } }, { samples: { window: 2000 } });
  ev.configure(ignoring.routes[0]!, ignoring);
  assert.equal(ev.calibration, first, 'percent and ignore rules change in place');
  assert.equal(ev.calibration!.samples('raw'), 1);

  const smaller = configWith({ calibration: { window: 20 } }, { samples: { window: 100 } });
  ev.configure(smaller.routes[0]!, smaller);
  assert.notEqual(ev.calibration, first, 'another window: fresh counts');
  assert.equal(ev.calibration!.samples('raw'), 0);
  assert.equal(ev.agreement.capacity, 1000, 'promotion.full.minSamples (1000) is larger than samples.window');
  assert.deepEqual(ev.agreement.snapshot().raw, { match: 200, n: 300 }, 'the comparisons are kept');

  const off = configWith({}, { samples: { window: 100 } });
  ev.configure(off.routes[0]!, off);
  assert.equal(ev.calibration, null);
});

test('candidates: per-candidate agreement over samples.window, kept by name across a reconfigure', () => {
  const config = configWith({ candidates: ['a', 'agent'] }, { samples: { window: 4 } });
  const m = metrics();
  const ev = new RouteEvaluation('r', config.routes[0]!, config, m);
  for (const result of ['match', 'match', 'mismatch', 'agent_error']) ev.recordCandidate('a', result, 5);
  ev.recordCandidate('agent', 'match', undefined);
  assert.deepEqual(ev.candidateAgreement(), [{ name: 'a', agreement: 2 / 3, n: 3 }, { name: 'agent', agreement: 1, n: 1 }]);
  const reordered = configWith({ candidates: ['agent'] }, { samples: { window: 4 } });
  ev.configure(reordered.routes[0]!, reordered);
  assert.deepEqual(ev.candidateAgreement(), [{ name: 'agent', agreement: 1, n: 1 }]);
});
