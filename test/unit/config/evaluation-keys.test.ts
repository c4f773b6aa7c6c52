// Issue 12's config keys: calibration, promotion, guardrail.confidence, record, suites,
// redact.patterns, candidates and serve.quorum, with their defaults and cross-checks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { buildConfig } from '../../../src/config/load.js';
import { ShadowgateError } from '../../../src/errors.js';

const BASE = { legacy: { url: 'http://legacy:3000' }, agent: { url: 'http://agent:4000' } };
const build = (extra: Record<string, unknown>, route: Record<string, unknown> = {}) =>
  buildConfig({ ...BASE, ...extra, routes: [{ name: 'q', match: { path: '/api/q' }, ...route }] }, { baseDir: '/srv/sg', source: 'test' });

function problems(fn: () => unknown): string[] {
  try { fn(); } catch (err) {
    assert.ok(err instanceof ShadowgateError && err.code === 'SG_CONFIG_INVALID', String(err));
    return err.details as string[];
  }
  assert.fail('expected the config to be rejected');
}

describe('defaults', () => {
  test('calibration and record are off when absent; promotion, suites and guardrail.confidence have the issue\'s defaults', () => {
    const config = build({});
    const route = config.routes[0]!;
    assert.equal(route.calibration, undefined);
    assert.equal(route.record, undefined);
    assert.equal(route.candidates, undefined);
    assert.equal(route.serve.quorum, undefined);
    assert.equal(route.guardrail.confidence, 0.95);
    assert.deepEqual(route.promotion, {
      conditional: { minAgreement: 0.95, confidence: 0.95, minSamples: 200, maxErrorRate: 0.05 },
      full: { minAgreement: 0.99, confidence: 0.95, minSamples: 1000, maxErrorRate: 0.01 },
    });
    assert.deepEqual(config.suites, { dir: resolve('/srv/sg', 'suites'), maxFileBytes: 67_108_864, maxFiles: 10 });
    assert.deepEqual(config.redact.patterns, []);
    assert.deepEqual(config.candidates, []);
  });

  test('an empty calibration or record block takes every default', () => {
    const route = build({}, { calibration: {}, record: {} }).routes[0]!;
    assert.deepEqual(route.calibration, { percent: 5, maxInFlight: 4, window: 1000, minSamples: 30, alpha: 0.01 });
    assert.deepEqual(route.record, { percent: 1, maxBodyBytes: 65_536 });
  });

  test('the issue\'s examples parse as written', () => {
    const config = build({
      redact: { patterns: ['email', 'card', { name: 'order', regex: 'ORD-\\d+' }] },
      candidates: [{ name: 'gpt-a', url: 'http://gpt-a:8000', timeoutMs: 8000 }, { name: 'claude-b', url: 'http://claude-b:8000' }],
      suites: { dir: '/var/lib/suites' },
    }, {
      candidates: ['gpt-a', 'claude-b'],
      serve: { quorum: { candidates: ['gpt-a', 'claude-b', 'agent'], minAgree: 2 } },
      promotion: { full: { minAgreement: 0.99, confidence: 0.95, minSamples: 1000, maxErrorRate: 0.01, maxP99Ratio: 1.5, minAdjudicatedAccuracy: 0.9 } },
      calibration: { percent: 5, maxInFlight: 4 },
      record: { percent: 1, maxBodyBytes: 65536 },
    });
    assert.deepEqual(config.candidates[1], { name: 'claude-b', url: 'http://claude-b:8000', timeoutMs: 10_000 });
    assert.equal(config.suites.dir, '/var/lib/suites');
    assert.deepEqual(config.routes[0]!.serve.quorum, { candidates: ['gpt-a', 'claude-b', 'agent'], minAgree: 2 });
    assert.equal(config.routes[0]!.promotion.full.maxP99Ratio, 1.5);
    assert.equal(config.routes[0]!.promotion.conditional.minSamples, 200);
  });
});

describe('problems named by key', () => {
  test('unknown candidates in a route and in a quorum', () => {
    const list = problems(() => build({ candidates: [{ name: 'gpt-a', url: 'http://g:1' }] }, {
      candidates: ['gpt-a', 'gpt-x'],
      serve: { quorum: { candidates: ['agent', 'claude-b'], minAgree: 2 } },
    }));
    assert.deepEqual(list, [
      'routes[0].candidates[1]: unknown candidate "gpt-x" (known: agent, gpt-a)',
      'routes[0].serve.quorum.candidates[1]: unknown candidate "claude-b" (known: agent, gpt-a)',
    ]);
  });

  test('duplicate and reserved candidate names, minAgree above the list, a twice-listed candidate', () => {
    const list = problems(() => build({ candidates: [{ name: 'agent', url: 'http://g:1' }, { name: 'b', url: 'http://b:1' }, { name: 'b', url: 'http://b:2' }] }, {
      serve: { quorum: { candidates: ['agent', 'b', 'b'], minAgree: 4 } },
    }));
    assert.deepEqual(list, [
      'candidates[0].name: "agent" is the name of the top-level agent',
      'candidates[2].name: duplicate candidate name "b"',
      'routes[0].serve.quorum.candidates[2]: candidate "b" listed twice',
      'routes[0].serve.quorum.minAgree: minAgree 4 is more than the 3 candidates listed',
    ]);
  });

  test('redact.patterns: an unknown built-in, an invalid or empty-matching regex', () => {
    const list = problems(() => build({ redact: { patterns: ['phone', { name: 'bad', regex: 'ORD-(' }, { name: 'empty', regex: 'x*' }] } }));
    assert.equal(list.length, 3, list.join('\n'));
    assert.equal(list[0], 'redact.patterns[0]: expected a built-in pattern (email, card, bearer) or {name, regex}, received "phone"');
    assert.match(list[1]!, /^redact\.patterns\[1\]\.regex: not a valid regular expression: /);
    assert.equal(list[2], 'redact.patterns[2].regex: the regular expression matches the empty string, received "x*"');
  });

  test('redact.patterns: a name listed twice', () => {
    assert.deepEqual(problems(() => build({ redact: { patterns: ['email', { name: 'email', regex: 'x' }] } })), ['redact.patterns[1]: redact pattern "email" listed twice']);
  });

  test('out-of-range values and unknown keys', () => {
    const list = problems(() => build({ suites: { maxFiles: 0, extra: 1 } }, {
      calibration: { alpha: 1, window: 0 }, guardrail: { confidence: 1 }, record: { percent: 101 }, promotion: { conditional: { minAgrement: 0.9 } },
    }));
    for (const key of ['suites.maxFiles', 'suites.extra', 'routes[0].calibration.alpha', 'routes[0].calibration.window', 'routes[0].guardrail.confidence', 'routes[0].record.percent', 'routes[0].promotion.conditional.minAgrement']) {
      assert.ok(list.some((p) => p.startsWith(`${key}: `)), `${key} in ${list.join('\n')}`);
    }
  });

  test('a recorded route "a.1" beside a recorded route "a" would share suite files', () => {
    const list = problems(() => buildConfig({ ...BASE, routes: [
      { name: 'a', match: { path: '/a' }, record: {} }, { name: 'a.1', match: { path: '/a1' }, record: {} },
    ] }, { source: 'test' }));
    assert.deepEqual(list, ['routes[1].name: route "a.1" would share suite files with route "a" (rotated files are <route>.<n>.jsonl)']);
  });
});
