import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeSegment, nodeAt, parseJson, toTree } from '../../../../src/admin/ui/json-tree.js';

test('parseJson keeps number lexemes and member order as sent', () => {
  assert.deepEqual(parseJson('{"b": 1.0, "a": [12345678901234567890, -0e0, true, null, "x"]}'), {
    t: 'obj', entries: [['b', { t: 'num', raw: '1.0' }], ['a', { t: 'arr', items: [{ t: 'num', raw: '12345678901234567890' }, { t: 'num', raw: '-0e0' }, { t: 'lit', raw: 'true' }, { t: 'lit', raw: 'null' }, { t: 'str', v: 'x' }] }]],
  });
});

test('parseJson refuses what JSON.parse refuses', () => {
  for (const bad of ['{', '{"a" 1}', '[1,]', '01', '"\\x"', '{} x', "{'a': 1}"]) assert.throws(() => parseJson(bad), SyntaxError, bad);
  assert.throws(() => parseJson('['.repeat(300) + ']'.repeat(300)), /nested too deep/);
});

test('toTree mirrors a parsed value; nodeAt follows pointers (last duplicate key wins, as JSON.parse)', () => {
  const tree = toTree({ a: [{ b: 2 }], 'x/y': 'z' });
  assert.deepEqual(nodeAt(tree, ['a', '0', 'b']), { t: 'num', raw: '2' });
  assert.deepEqual(nodeAt(tree, ['x/y']), { t: 'str', v: 'z' });
  assert.equal(nodeAt(tree, ['a', '01']), undefined);
  assert.equal(nodeAt(tree, ['a', '0', 'b', 'c']), undefined);
  assert.deepEqual(nodeAt(parseJson('{"k": 1, "k": 2}'), ['k']), { t: 'num', raw: '2' });
  assert.equal(nodeAt(null, []), undefined);
  assert.equal(escapeSegment('a/b~c'), 'a~1b~0c');
});
