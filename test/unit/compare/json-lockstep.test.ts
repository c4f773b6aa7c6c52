// The lockstep fast path may only say "equal" where the structural walk finds no difference,
// and it must say so for the common case it exists for (same keys, same order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareJsonValues, createJsonPlan } from '../../../src/compare/json.js';
import { lockstepEqual } from '../../../src/compare/json-lockstep.js';
import { DifferenceCollector } from '../../../src/compare/differences.js';
import { compilePatterns } from '../../../src/compare/pointer.js';

const plan = (o: { ignore?: string[]; unordered?: string[]; tolerance?: number; trim?: boolean; caseInsensitive?: boolean } = {}) => createJsonPlan({
  ignore: compilePatterns(o.ignore ?? []), unordered: compilePatterns(o.unordered ?? []),
  numericTolerance: o.tolerance ?? 0, strings: { trim: o.trim, caseInsensitive: o.caseInsensitive },
});

test('cases: equal under the rules, or "cannot tell"', () => {
  const cases: [legacy: string, agent: string, opts: Parameters<typeof plan>[0], equal: boolean][] = [
    ['{"a":1,"b":[1,2,{"c":"x"}]}', '{ "a" : 1 , "b" : [ 1 , 2 , { "c" : "x" } ] }', {}, true],
    ['{"a":1.0}', '{"a":1}', {}, true],
    ['{"a":1e2}', '{"a":100}', {}, true],
    ['{"a":100}', '{"a":100.5}', { tolerance: 0.01 }, true],
    ['{"a":100}', '{"a":102}', { tolerance: 0.01 }, false],
    ['{"s":"A\\u0042"}', '{"s":"AB"}', {}, true],
    ['{"s":" Hi "}', '{"s":"hi"}', { trim: true, caseInsensitive: true }, true],
    ['{"s":"hi"}', '{"s":"ho"}', {}, false],
    ['{"m":{"id":"l-1"},"p":5}', '{"m":{"id":"a-22222"},"p":5}', { ignore: ['/m/id'] }, true],
    ['{"m":{"id":[1,{"x":2}]},"p":5}', '{"m":{"id":"other"},"p":5}', { ignore: ['/m/id'] }, true],
    ['{"m":{"id":[1,{"x":2}},"p":5}', '{"m":{"id":"other"},"p":5}', { ignore: ['/m/id'] }, false], // invalid inside the ignored subtree
    ['{"a":1,"b":2}', '{"b":2,"a":1}', {}, false], // another key order: the walk decides (and finds them equal)
    ['[1,2,3]', '[3,2,1]', { unordered: [''] }, false],
    ['[1,2,3]', '[1,2,3]', { unordered: [''] }, true],
    ['{"items":[{"t":1},{"t":2}]}', '{"items":[{"t":9},{"t":8}]}', { ignore: ['/items/*/t'] }, true],
    ['{"a":[]}', '{"a":[1]}', {}, false],
    ['{"a":{}}', '{"a":{"b":1}}', {}, false],
    ['{"a":true}', '{"a":"true"}', {}, false],
    ['{"a":1,}', '{"a":1,}', {}, false], // invalid JSON: not equal here (the walk reports unparseable)
    ['\ufeff{"a":1}', '{"a":1}', {}, true],
    ['{"a":1} x', '{"a":1}', {}, false],
    ['{"a":01}', '{"a":1}', {}, false],
  ];
  for (const [l, a, opts, equal] of cases) {
    assert.equal(lockstepEqual(Buffer.from(l), Buffer.from(a), plan(opts)), equal, `${l} vs ${a}`);
  }
});

// JSON values with the shapes answers have: objects, arrays, strings that need escapes, numbers.
const key = fc.constantFrom('id', 'name', 'price', 'meta', 'items', 'a', 'b/c', 'x~y', 'é');
const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
})).value;

/** Another way of writing the same value, or a slightly different value. */
const variant = (v: unknown, how: number): unknown => {
  if (how === 0) return v;
  if (Array.isArray(v)) return how === 1 ? [...v].reverse() : v.map((x, i) => (i === 0 ? variant(x, how) : x));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (how === 1) return Object.fromEntries(entries.reverse());
    return Object.fromEntries(entries.map(([k, x], i) => [k, i === 0 ? variant(x, how) : x]));
  }
  if (typeof v === 'number') return how === 2 ? v * 1.0001 : v + 1;
  if (typeof v === 'string') return how === 2 ? ` ${v.toUpperCase()} ` : `${v}!`;
  return v;
};

test('property: whenever the lockstep says equal, the structural walk finds no difference', () => {
  let equalSeen = 0;
  fc.assert(fc.property(
    json, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.boolean(),
    fc.subarray(['/meta', '/items/*', '/**/id', '/a', '/b~1c'], { maxLength: 2 }), fc.subarray(['', '/items', '/**'], { maxLength: 1 }),
    (value, how, spaces, tolerance, normalise, ignore, unordered) => {
      const legacy = Buffer.from(JSON.stringify(value));
      const agent = Buffer.from(JSON.stringify(variant(value, how), null, spaces));
      const p = plan({ ignore, unordered, tolerance: tolerance ? 0.001 : 0, trim: normalise, caseInsensitive: normalise });
      const fast = lockstepEqual(legacy, agent, p);
      if (fast) equalSeen++;
      // The structural walk on the parsed values: the fast path is not on this road.
      const out = new DifferenceCollector(1000);
      compareJsonValues(JSON.parse(legacy.toString()), JSON.parse(agent.toString()), p, out);
      if (fast) assert.equal(out.differences.length, 0, `lockstep said equal: ${legacy} vs ${agent} (ignore ${ignore}, unordered ${unordered}): ${JSON.stringify(out.differences)}`);
      if (how === 0 && ignore.length === 0) assert.equal(fast, true, 'the same value written with other spacing is the fast path\'s case');
    },
  ), { numRuns: 2000, seed: 42 });
  assert.ok(equalSeen > 500, `the fast path said equal ${equalSeen} times`);
});
