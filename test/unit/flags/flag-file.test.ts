import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagsError } from '../../../src/flags/errors.js';
import { parseFlagSet, parsePercent } from '../../../src/flags/flag-file.js';

const LABEL = 'flags.json';

function problemsOf(doc: unknown): string[] {
  try {
    parseFlagSet(JSON.stringify(doc), LABEL);
  } catch (err) {
    assert.ok(err instanceof FlagsError);
    assert.equal(err.code, 'FLAGS_FILE_INVALID');
    return [...err.problems];
  }
  assert.fail('expected the flag set to be rejected');
}

const rollout = (value: unknown) => ({
  name: 'flexibleRollout',
  parameters: { rollout: value, stickiness: 'userId', groupId: 'g' },
});

describe('parseFlagSet', () => {
  it('accepts a server response as-is, keeping unknown keys and filling defaults the SDK relies on', () => {
    const set = parseFlagSet(
      JSON.stringify({
        version: 2,
        features: [{ name: 'a', enabled: true, impressionData: false, strategies: [{ name: 'default' }] }],
        query: { environment: 'development' },
        meta: { revisionId: 3 },
      }),
      LABEL,
    );
    assert.equal(set.version, 2);
    assert.deepEqual(set.segments, []);
    const [feature] = set.features;
    assert.equal((feature as unknown as { impressionData: boolean }).impressionData, false);
    assert.deepEqual(feature?.strategies?.[0]?.parameters, {});
    assert.deepEqual(feature?.strategies?.[0]?.constraints, []);
  });

  it('accepts an empty flag set', () => {
    assert.deepEqual(parseFlagSet('{"version":1,"features":[]}', LABEL).features, []);
  });

  const cases: Array<{ what: string; doc: unknown; expected: string }> = [
    { what: 'not an object', doc: [], expected: 'flags.json: (root):' },
    { what: 'missing version', doc: { features: [] }, expected: 'flags.json: version:' },
    { what: 'features not an array', doc: { version: 1, features: {} }, expected: 'flags.json: features:' },
    {
      what: 'enabled not a boolean',
      doc: { version: 1, features: [{ name: 'a', enabled: 'yes', strategies: [] }] },
      expected: 'flags.json: features[0].enabled:',
    },
    {
      what: 'rollout out of range',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [] }, { name: 'b', enabled: true, strategies: [] }, { name: 'c', enabled: true, strategies: [rollout('150')] }] },
      expected: 'flags.json: features[2].strategies[0].parameters.rollout: expected a number-like string 0..100',
    },
    {
      what: 'rollout not number-like',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [rollout('lots')] }] },
      expected: 'flags.json: features[0].strategies[0].parameters.rollout: expected a number-like string 0..100',
    },
    {
      what: 'rollout missing',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [{ name: 'flexibleRollout', parameters: {} }] }] },
      expected: 'features[0].strategies[0].parameters.rollout: expected a number-like string 0..100',
    },
    {
      what: 'gradual rollout percentage',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [{ name: 'gradualRolloutUserId', parameters: { percentage: '-1' } }] }] },
      expected: 'features[0].strategies[0].parameters.percentage: expected a number-like string 0..100',
    },
    {
      what: 'a user list that is not a string (the SDK calls .split on it)',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [{ name: 'userWithId', parameters: { userIds: 42 } }] }] },
      expected: 'features[0].strategies[0].parameters.userIds: expected a comma-separated string',
    },
    {
      what: 'constraint values that are not strings (the SDK calls .trim on them)',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId', operator: 'IN', values: [1] }] }] }] },
      expected: 'features[0].strategies[0].constraints[0].values[0]:',
    },
    {
      what: 'a constraint without an operator',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId', values: [] }] }] }] },
      expected: 'features[0].strategies[0].constraints[0].operator:',
    },
    {
      what: 'duplicate flag names',
      doc: { version: 1, features: [{ name: 'a', enabled: true, strategies: [] }, { name: 'a', enabled: false, strategies: [] }] },
      expected: 'features[1].name: duplicate flag "a" (first at features[0])',
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.what} with the JSON path`, () => {
      const problems = problemsOf(c.doc);
      assert.ok(problems.some((p) => p.includes(c.expected)), `expected "${c.expected}" in:\n${problems.join('\n')}`);
    });
  }

  it('reports every problem at once, the first in the message', () => {
    try {
      parseFlagSet(JSON.stringify({ version: 'x', features: [{ name: '', enabled: 1, strategies: [] }] }), LABEL);
      assert.fail('expected rejection');
    } catch (err) {
      assert.ok(err instanceof FlagsError);
      assert.equal(err.problems.length, 3);
      assert.match(err.message, /^flags\.json: version: .*\(and 2 more problem\(s\)\)$/);
    }
  });

  it('rejects text that is not JSON, naming the file', () => {
    assert.throws(() => parseFlagSet('{"version": 1,', LABEL), (err: unknown) => {
      assert.ok(err instanceof FlagsError);
      assert.match(err.message, /^flags\.json: not valid JSON: /);
      return true;
    });
  });

  it('a JSON error gives line and column with the line and a caret, not "position 219" (issue 10)', () => {
    const text = '{\n  "version": 1,\n  "features": [\n    { "name": "a", "enabled": true, }\n  ]\n}\n';
    assert.throws(() => parseFlagSet(text, LABEL), (err: unknown) => {
      assert.ok(err instanceof FlagsError);
      assert.doesNotMatch(err.message, /position/);
      assert.match(err.message, /at line 4, column 37\n {6}\{ "name": "a", "enabled": true, \}\n {2} {36}\^$/);
      return true;
    });
    assert.throws(() => parseFlagSet('{"version": 1,\n', LABEL), /at line 2, column 1\n/, 'end of input: the end');
  });

  it('accepts what unleash-client evaluates without crashing: unknown operators and strategies, missing segments and parents', () => {
    const set = parseFlagSet(JSON.stringify({
      version: 1,
      features: [
        { name: 'a', enabled: true, strategies: [{ name: 'myCustom', parameters: { anything: { nested: true } } }] },
        { name: 'b', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId', operator: 'STR_MATCHES_SOUNDEX', values: [] }] }] },
        { name: 'c', enabled: true, strategies: [{ name: 'default', segments: [404] }] },
        { name: 'd', enabled: true, strategies: [], dependencies: [{ feature: 'gone' }] },
        { name: 'e', enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'tenantId', groupId: 'e', futureParam: [1, 2] } }] },
      ],
    }), LABEL);
    assert.equal(set.features.length, 5);
  });
});

describe('parsePercent', () => {
  const table: Array<[unknown, number | null]> = [
    ['0', 0], ['25', 25], ['100', 100], [25, 25], ['12.5', 12.5], [' 7 ', 7],
    ['101', null], ['-1', null], ['', null], ['abc', null], ['1e2', null], [undefined, null], [true, null],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} ⇒ ${expected}`, () => assert.equal(parsePercent(input), expected));
  }
});
