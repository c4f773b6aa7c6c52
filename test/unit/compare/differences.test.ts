import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DifferenceCollector, shortValue } from '../../../src/compare/differences.js';

describe('shortValue', () => {
  const small = { a: [1, 'x', null, true] };
  const cases: Array<[name: string, input: unknown, expected: unknown]> = [
    ['number', 42, 42],
    ['null', null, null],
    ['short string', 'abc', 'abc'],
    ['200-char string is kept', 'a'.repeat(200), 'a'.repeat(200)],
    ['201-char string is cut', 'a'.repeat(201), 'a'.repeat(200) + '…'],
    ['small object is kept as is', small, small],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(shortValue(input), expected));
  }

  it('turns a large array into a cut JSON preview', () => {
    const value = shortValue(Array.from({ length: 10_000 }, (_, i) => i));
    assert.equal(typeof value, 'string');
    assert.ok((value as string).startsWith('[0,1,2,3'));
    assert.equal((value as string).length, 201);
    assert.ok((value as string).endsWith('…'));
  });

  it('handles deeply nested containers without walking all of them', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const value = shortValue(deep) as string;
    assert.equal(value, '['.repeat(200) + '…');
  });

  it('previews objects with long keys and strings', () => {
    const value = shortValue({ ['k'.repeat(300)]: 'v' }) as string;
    assert.ok(value.startsWith('{"kkkk'));
    assert.ok(value.endsWith('…'));
  });
});

describe('DifferenceCollector', () => {
  it('keeps at most max differences and flags only when one is dropped', () => {
    const out = new DifferenceCollector(2);
    assert.equal(out.add('/a', '/a', 'changed', 1, 2), false);
    assert.equal(out.add('/b', '/b', 'changed', 1, 2), false);
    assert.equal(out.truncated, false);
    assert.equal(out.add('/c', '/c', 'changed', 1, 2), true);
    assert.equal(out.truncated, true);
    assert.deepEqual(out.differences.map((d) => d.pointer), ['/a', '/b']);
  });

  it('omits undefined sides rather than storing undefined', () => {
    const out = new DifferenceCollector(5);
    out.add('/x', '/x', 'missing_in_agent', 'v');
    assert.deepEqual(out.differences, [{ pointer: '/x', field: '/x', kind: 'missing_in_agent', legacy: 'v' }]);
    assert.equal('agent' in out.differences[0]!, false);
  });
});
