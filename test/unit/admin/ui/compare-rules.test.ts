import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRules, patternMatcher, pointerSegments, toleranceCheck, withinTolerance } from '../../../../src/admin/ui/compare-rules.js';
import { parseJson } from '../../../../src/admin/ui/json-tree.js';
import { compilePatterns } from '../../../../src/compare/pointer.js';
import { numbersEqual } from '../../../../src/compare/json.js';

test('patternMatcher: the server\'s glob semantics (*, **, escapes), checked against src/compare/pointer.ts', () => {
  const patterns = ['/meta/requestId', '/**/timestamp', '/items/*/id', '/a~1b', '/x/**'];
  const page = patternMatcher(patterns);
  const server = compilePatterns(patterns);
  const pointers = ['/meta/requestId', '/meta', '/timestamp', '/a/b/timestamp', '/items/0/id', '/items/0/name', '/items/id', '/a~1b', '/a/b', '/x', '/x/y/z', '/y/x', ''];
  for (const p of pointers) assert.equal(page(p) !== null, server.matches(p), p);
  assert.equal(page('/a/b/timestamp'), '/**/timestamp', 'names the pattern that matched');
  assert.equal(patternMatcher(undefined)('/a'), null);
  assert.equal(patternMatcher(['not-a-pointer'])('/not-a-pointer'), null);
  assert.deepEqual(pointerSegments('/a~1b/c~0d/'), ['a/b', 'c~d', '']);
});

test('withinTolerance is the comparator\'s numbersEqual (relative to the larger magnitude)', () => {
  for (const [a, b, t] of [[100, 100.4, 0.01], [100, 102, 0.01], [0, 0.001, 0.01], [-5, -5.04, 0.01], [1, 1, 0], [1, 1.0000001, 0]] as const) {
    assert.equal(withinTolerance(a, b, t), numbersEqual(a, b, t), `${a} ${b} ${t}`);
  }
});

test('toleranceCheck: marks numbers that differ only within the tolerance, not real differences or unordered positions', () => {
  const legacy = parseJson('{"total": 100, "price": 10, "same": 5, "items": [1, 2], "nested": {"n": 7}}');
  const agent = parseJson('{"total": 100.4, "price": 12, "same": 5, "items": [2, 1.001], "nested": {"n": 7.01}}');
  const rules = { numericTolerance: 0.01, unorderedArrays: ['/items'] };
  const check = toleranceCheck(agent, rules, 'agent');
  const num = (raw: string) => ({ t: 'num' as const, raw });
  assert.equal(check('/total', num('100')), 'agent has 100.4: equal within compare.numericTolerance 0.01 (relative)');
  assert.equal(check('/price', num('10')), null, 'a real difference');
  assert.equal(check('/same', num('5')), null, 'equal');
  assert.equal(check('/items/1', num('2')), null, 'inside an unordered array indices do not pair');
  assert.match(check('/nested/n', num('7'))!, /7\.01/);
  assert.equal(toleranceCheck(agent, { numericTolerance: 0 }, 'agent')('/total', num('100')), null, 'no tolerance, nothing tolerated');
  assert.equal(toleranceCheck(null, rules, 'agent')('/total', num('100')), null);
});

test('describeRules: each rule in force in words, status and headers always said', () => {
  const rules = describeRules({
    status: true, headers: ['content-type'], ignore: ['/meta/requestId', '/**/timestamp'], unorderedArrays: ['/items'], numericTolerance: 0.001,
    strings: { trim: true, caseInsensitive: true }, text: { mode: 'similarity', threshold: 0.9 }, plugin: '/srv/config/compare-orders.mjs',
  });
  assert.deepEqual(rules.map((r) => r.label), [
    'plug-in comparator compare-orders.mjs', 'ignored: /meta/requestId, /**/timestamp', 'order ignored: /items', 'numbers within 0.1%',
    'strings trimmed, case-insensitive', 'text similarity ≥ 90%', 'status compared', 'headers compared: content-type',
  ]);
  assert.deepEqual(describeRules({ status: false, headers: [] }).map((r) => r.label), ['status not compared', 'no headers compared']);
  assert.equal(describeRules(undefined)[0]!.id, 'unknown');
});
