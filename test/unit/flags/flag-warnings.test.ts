import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagWarningReporter, inspectFlagSet, type FlagWarning } from '../../../src/flags/flag-warnings.js';
import { FakeLogger } from '../../fixtures/flags/fake-logger.js';

type Features = Parameters<typeof inspectFlagSet>[0];
const features = (list: unknown[]) => list as Features;
const FLAGS = features([
  { name: 'a', enabled: true, strategies: [{ name: 'myCustom', parameters: {} }] },
  { name: 'b', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints: [{ contextName: 'userId', operator: 'FUTURE_OP', values: [] }, { contextName: 'userId', operator: 'IN', values: [] }] }] },
  { name: 'c', enabled: true, strategies: [{ name: 'default', parameters: {}, segments: [1, 404] }] },
  { name: 'd', enabled: true, strategies: [], dependencies: [{ feature: 'a' }, { feature: 'gone' }] },
]);
const SEGMENTS = [{ id: 1, constraints: [{ contextName: 'plan', operator: 'SOUNDS_LIKE', values: ['gold'] }] }];

describe('inspectFlagSet', () => {
  it('finds each thing the SDK evaluates without understanding, with its path', () => {
    const found = inspectFlagSet(FLAGS, SEGMENTS).map((w) => [w.kind, w.flag, w.path]);
    assert.deepEqual(found, [
      ['unknown_strategy', 'a', 'features[0].strategies[0].name'],
      ['unknown_operator', 'b', 'features[1].strategies[0].constraints[0].operator'],
      ['missing_segment', 'c', 'features[2].strategies[0].segments[1]'],
      ['missing_dependency', 'd', 'features[3].dependencies[1]'],
      ['unknown_operator', 'segment 1', 'segments[0].constraints[0].operator'],
    ]);
  });
  it('a clean set has none', () => {
    assert.deepEqual(inspectFlagSet(features([{ name: 'x', enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '5' } }] }]), []), []);
  });
});

describe('FlagWarningReporter', () => {
  it('logs and reports each warning once per flag version', () => {
    const log = new FakeLogger();
    const seen: FlagWarning[] = [];
    const reporter = new FlagWarningReporter(log, { file: 'flags.json' }, (w) => seen.push(w));
    reporter.report(FLAGS, SEGMENTS);
    assert.equal(seen.length, 5);
    assert.equal(log.at('warn').length, 5);
    assert.match(log.at('warn')[0]!.msg!, /^flags: a: unknown strategy "myCustom": unleash-client skips it/);

    reporter.report(FLAGS, SEGMENTS);
    assert.equal(seen.length, 5, 'the same version again: nothing new');

    const edited = features([{ ...(FLAGS[0] as object), enabled: false }, ...FLAGS.slice(1).reverse()]);
    reporter.report(edited, SEGMENTS);
    assert.deepEqual(seen.slice(5).map((w) => w.flag), ['a'], 'only the edited flag warns again; moving flags is no new version');
  });
  it('a throwing listener is logged, not thrown', () => {
    const log = new FakeLogger();
    const reporter = new FlagWarningReporter(log, {}, () => { throw new Error('boom'); });
    reporter.report(FLAGS, SEGMENTS);
    assert.ok(log.at('error').some((e) => e.msg === 'flags warning listener threw'));
  });
});
