import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { NoiseCalibration, differingFields, type CalibrationKind } from '../../../src/evaluation/calibration.js';
import { classifyField, percent } from '../../../src/evaluation/field-verdict.js';
import { seeded } from '../../support/seeded-random.js';

const DEFAULTS = { window: 1000, minSamples: 30, alpha: 0.01, maxFields: 20 };


type Rates = Record<CalibrationKind, number>;

/** Feeds `n` comparisons of each kind; each field differs independently at its rate for that kind. */
function feed(cal: NoiseCalibration, fields: Record<string, Rates>, n: number, random: () => number): void {
  for (let i = 0; i < n; i++) {
    for (const kind of ['raw', 'legacyNoise', 'agentNoise'] as const) {
      cal.record(kind, Object.entries(fields).filter(([, rates]) => random() < rates[kind]).map(([field]) => field));
    }
  }
}

// Known rates per kind (raw = legacy vs agent, legacyNoise = legacy vs legacy, agentNoise = agent vs agent).
// A noise field has raw = legacy-noise rate: each seed then turns it into "not noise" with
// probability at most alpha (1 %), so ten seeds passing is what the rule promises, not luck.
const STREAMS: Record<string, Rates & { expected: string }> = {
  '/meta/requestId': { raw: 0.97, legacyNoise: 0.97, agentNoise: 0.97, expected: 'noise' },          // legacy-noisy: differs from itself as often as from the agent
  '/meta/timestamp': { raw: 0.30, legacyNoise: 0.30, agentNoise: 0.25, expected: 'noise' },          // legacy-noisy, less often
  '/summary': { raw: 0.30, legacyNoise: 0, agentNoise: 0.30, expected: 'agent_unstable' },           // only the agent varies
  '/price': { raw: 0.40, legacyNoise: 0, agentNoise: 0.01, expected: 'real' },                        // a real regression
  '/items/*/sku': { raw: 0.25, legacyNoise: 0.05, agentNoise: 0.05, expected: 'real' },              // real on top of noise
  '/rare': { raw: 0.002, legacyNoise: 0, agentNoise: 0, expected: 'insufficient' },                  // too rare to tell
};

describe('NoiseCalibration on synthetic streams with known rates', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    test(`seed ${seed}: each field gets the verdict its rates imply`, () => {
      const cal = new NoiseCalibration('quote', DEFAULTS);
      feed(cal, STREAMS, 1000, seeded(seed));
      const verdicts = Object.fromEntries(cal.fields().fields.map((f) => [f.pointer, f.verdict]));
      for (const [field, s] of Object.entries(STREAMS)) {
        if (cal.fields().fields.some((f) => f.pointer === field)) assert.equal(verdicts[field], s.expected, `${field} (seed ${seed})`);
        else assert.equal(s.expected, 'insufficient', `${field} never differed, so only a rare field may be missing`);
      }
    });
  }

  test('below minSamples of any kind every field is insufficient, with how many are needed', () => {
    const cal = new NoiseCalibration('quote', DEFAULTS);
    feed(cal, { '/price': { raw: 1, legacyNoise: 0, agentNoise: 0 } }, 29, seeded(1));
    const [field] = cal.fields().fields;
    assert.equal(field!.verdict, 'insufficient');
    assert.equal(field!.suggestion, 'not enough data yet for /price: 29 comparisons, 29 legacy pairs and 29 agent pairs in the window, 30 of each needed (calibration.minSamples)');
    cal.record('raw', ['/price']); cal.record('legacyNoise', []); cal.record('agentNoise', []);
    assert.equal(cal.verdict('/price'), 'real');
  });

  test('without calibration traffic (noise windows empty) nothing is ever judged noise', () => {
    const cal = new NoiseCalibration('quote', DEFAULTS);
    for (let i = 0; i < 500; i++) cal.record('raw', ['/meta/requestId']);
    assert.equal(cal.verdict('/meta/requestId'), 'insufficient');
    assert.equal(cal.isNoiseOnly(['/meta/requestId']), false);
  });
});

/** Exactly `d` of `n` comparisons of `kind` differ in `field`. */
function exact(cal: NoiseCalibration, kind: CalibrationKind, field: string, d: number, n: number): void {
  for (let i = 0; i < n; i++) cal.record(kind, i < d ? [field] : []);
}

describe('fields(): GET /api/routes/:name/fields', () => {
  test('the shape of the issue, with its suggestion sentence', () => {
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, window: 100 });
    exact(cal, 'raw', '/meta/requestId', 97, 100);
    exact(cal, 'legacyNoise', '/meta/requestId', 96, 100);
    exact(cal, 'agentNoise', '/meta/requestId', 97, 100);
    assert.deepEqual(cal.fields(), {
      route: 'quote',
      fields: [{
        pointer: '/meta/requestId',
        raw: { differs: 97, total: 100, rate: 0.97 },
        legacyNoise: { differs: 96, total: 100, rate: 0.96 },
        agentNoise: { differs: 97, total: 100, rate: 0.97 },
        verdict: 'noise',
        suggestion: 'ignore /meta/requestId: legacy differs from itself in 96 % of calibration pairs',
      }],
    });
  });

  test('suggestions for real, agent_unstable, undecided, headers and status', () => {
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, window: 200 });
    for (let i = 0; i < 200; i++) {
      cal.record('raw', [...(i < 80 ? ['/price'] : []), ...(i < 60 ? ['/summary'] : []), ...(i < 1 ? ['/rare'] : []), ...(i < 50 ? ['header:etag', 'status'] : [])]);
      cal.record('legacyNoise', i < 50 ? ['header:etag', 'status'] : []);
      cal.record('agentNoise', [...(i < 2 ? ['/price'] : []), ...(i < 60 ? ['/summary'] : []), ...(i < 50 ? ['header:etag', 'status'] : [])]);
    }
    const byPointer = Object.fromEntries(cal.fields().fields.map((f) => [f.pointer, f]));
    assert.equal(byPointer['/price']!.verdict, 'real');
    assert.equal(byPointer['/price']!.suggestion, 'keep comparing /price: the agent differs from legacy in 40 % of comparisons, more than legacy from itself (0 %) and the agent from itself (1 %)');
    assert.equal(byPointer['/summary']!.verdict, 'agent_unstable');
    assert.equal(byPointer['/summary']!.suggestion, 'the agent is unstable on /summary: it differs from itself in 30 % of calibration pairs, legacy from itself in 0 %; make the agent deterministic there, or ignore it if any value is acceptable');
    assert.equal(byPointer['/rare']!.verdict, 'insufficient');
    assert.equal(byPointer['/rare']!.suggestion, 'undecided for /rare: agent vs legacy 0.5 %, legacy vs legacy 0 %, agent vs agent 0 % are not far enough apart at alpha 0.01; more traffic or a larger calibration.window will tell');
    assert.equal(byPointer['header:etag']!.suggestion, 'stop comparing header etag (remove it from compare.headers): legacy differs from itself in 25 % of calibration pairs');
    assert.equal(byPointer.status!.suggestion, 'stop comparing the status (compare.status: false): legacy differs from itself in 25 % of calibration pairs');
    assert.deepEqual(cal.fields().fields.map((f) => f.pointer), ['/price', '/summary', 'header:etag', 'status', '/rare'], 'most differing first, then by legacy noise, then by name');
  });

  test('fields ignored by the route\'s compare rules are not listed, and follow rule changes', () => {
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, ignore: ['/meta/**'] });
    for (const kind of ['raw', 'legacyNoise', 'agentNoise'] as const) for (let i = 0; i < 40; i++) cal.record(kind, ['/meta/requestId', '/items/*/ts', '/price']);
    assert.deepEqual(cal.fields().fields.map((f) => f.pointer), ['/items/*/ts', '/price']);
    cal.setIgnore(['/items/*/ts']);
    assert.deepEqual(cal.fields().fields.map((f) => f.pointer), ['/meta/requestId', '/price']);
  });

  test('the window slides: differences older than `window` comparisons age out', () => {
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, window: 50 });
    exact(cal, 'raw', '/price', 50, 50);
    exact(cal, 'raw', '/price', 0, 30);
    assert.deepEqual(cal.fields().fields[0]!.raw, { differs: 20, total: 50, rate: 0.4 });
    exact(cal, 'raw', '/price', 0, 20);
    assert.deepEqual(cal.fields().fields, [], 'a field that no window holds any more is not listed');
    assert.equal(cal.samples('raw'), 50);
  });

  test('fields are bounded per route: past maxFields they count as "other", and overflow is reported', () => {
    let overflow = 0;
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, maxFields: 2, onOverflow: () => overflow++ });
    cal.record('raw', ['/a', '/b', '/c', '/d', '/a']);
    cal.record('raw', ['/c']);
    assert.deepEqual(cal.fields().fields.map((f) => [f.pointer, f.raw.differs]), [['other', 2], ['/a', 1], ['/b', 1]]);
    assert.equal(overflow, 3);
  });
});

describe('isNoiseOnly: the adjusted agreement', () => {
  const calibrated = () => {
    const cal = new NoiseCalibration('quote', { ...DEFAULTS, window: 100, ignore: ['/ignored'] });
    exact(cal, 'raw', '/meta/requestId', 97, 100);
    exact(cal, 'legacyNoise', '/meta/requestId', 96, 100);
    exact(cal, 'agentNoise', '/meta/requestId', 97, 100);
    return cal;
  };
  test('a mismatch only in noise fields (or ignored ones) counts as a match', () => {
    const cal = calibrated();
    assert.equal(cal.isNoiseOnly(['/meta/requestId']), true);
    assert.equal(cal.isNoiseOnly(['/meta/requestId', '/ignored']), true);
  });
  test('any other field, an unknown one, "other", none, or cut differences: not noise-only', () => {
    const cal = calibrated();
    assert.equal(cal.isNoiseOnly(['/meta/requestId', '/price']), false);
    assert.equal(cal.isNoiseOnly(['other']), false);
    assert.equal(cal.isNoiseOnly([]), false);
    assert.equal(cal.isNoiseOnly(['/meta/requestId'], { truncated: true }), false);
  });
});

describe('classifyField decision rules', () => {
  const c = (d: number, n = 1000) => ({ differs: d, total: n });
  const rules = { minSamples: 30, alpha: 0.01 };
  const table: [string, number, number, number, string][] = [
    // raw, legacyNoise, agentNoise differs out of 1000 each
    ['raw about as often as legacy noise', 970, 960, 970, 'noise'],
    ['legacy noisier than raw', 500, 960, 500, 'noise'],
    ['legacy noise barely there, raw not clearly above it', 5, 1, 3, 'noise'],
    ['raw far above both noises', 400, 0, 10, 'real'],
    ['raw above legacy noise but explained by agent noise', 300, 0, 280, 'agent_unstable'],
    ['agent noisier than raw, legacy stable', 200, 0, 400, 'agent_unstable'],
    ['raw and agent noise tiny, legacy stable', 3, 0, 1, 'insufficient'],
    ['raw above both even with an unstable agent', 900, 0, 300, 'real'],
  ];
  for (const [what, raw, legacy, agent, expected] of table) {
    test(`${what}: ${raw}/${legacy}/${agent} ⇒ ${expected}`, () => {
      assert.equal(classifyField({ raw: c(raw), legacyNoise: c(legacy), agentNoise: c(agent) }, rules), expected);
    });
  }
  test('percent formatting', () => {
    assert.deepEqual([c(960), c(5), c(0), c(1), { differs: 0, total: 0 }].map(percent), ['96 %', '0.5 %', '0 %', '0.1 %', 'n/a']);
  });
});

test('differingFields: distinct Difference.field values in order', () => {
  assert.deepEqual(differingFields({ differences: [
    { pointer: '/items/0/id', field: '/items/*/id', kind: 'changed' },
    { pointer: '/items/1/id', field: '/items/*/id', kind: 'changed' },
    { pointer: 'status', field: 'status', kind: 'status' },
  ] }), ['/items/*/id', 'status']);
  assert.deepEqual(differingFields(undefined), []);
});
