import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createComparator, DEFAULT_COMPARE_OPTIONS, type CompareOptions, type CompareOutcome } from '../../../src/compare/index.js';
import { MAX_DEPTH, MAX_UNORDERED_ELEMENTS, numbersEqual } from '../../../src/compare/json.js';
import { captured, CTX, json } from '../../fixtures/compare/responses.js';

async function compareJson(legacy: unknown, agent: unknown, options: Partial<CompareOptions> = {}): Promise<CompareOutcome> {
  const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, ...options });
  return compare(json(legacy), json(agent), CTX);
}

/** [pointer, kind] pairs, in report order. */
function summary(outcome: CompareOutcome): Array<[string, string]> {
  return outcome.differences.map((d) => [d.pointer, d.kind]);
}

describe('JSON structural comparison', () => {
  it('matches equal documents regardless of key order and reports the json comparator', async () => {
    const outcome = await compareJson({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 });
    assert.deepEqual(outcome, { result: 'match', differences: [], comparator: 'json' });
  });

  it('reports each differing leaf at its own pointer with field labels', async () => {
    const legacy = { order: { id: 7, items: [{ sku: 'a', price: 10 }, { sku: 'b', price: 20 }, { sku: 'c', price: 30 }] } };
    const agent = { order: { id: 7, items: [{ sku: 'a', price: 10 }, { sku: 'b', price: 21 }, { sku: 'X', price: 30 }] } };
    const outcome = await compareJson(legacy, agent);
    assert.equal(outcome.result, 'mismatch');
    assert.deepEqual(outcome.differences, [
      { pointer: '/order/items/1/price', field: '/order/items/*/price', kind: 'changed', legacy: 20, agent: 21 },
      { pointer: '/order/items/2/sku', field: '/order/items/*/sku', kind: 'changed', legacy: 'c', agent: 'X' },
    ]);
  });

  const kinds: Array<[name: string, legacy: unknown, agent: unknown, expected: Array<[string, string]>]> = [
    ['missing key', { a: 1, b: 2 }, { a: 1 }, [['/b', 'missing_in_agent']]],
    ['extra key', { a: 1 }, { a: 1, z: { deep: true } }, [['/z', 'extra_in_agent']]],
    ['number vs string', { a: 1 }, { a: '1' }, [['/a', 'type']]],
    ['null vs object', { a: null }, { a: {} }, [['/a', 'type']]],
    ['array vs object', { a: [] }, { a: {} }, [['/a', 'type']]],
    ['boolean changed', { a: true }, { a: false }, [['/a', 'changed']]],
    ['root type', [1], { 0: 1 }, [['', 'type']]],
    ['root scalar', 1, 2, [['', 'changed']]],
    ['shorter agent array', [1, 2, 3], [1], [['/1', 'missing_in_agent'], ['/2', 'missing_in_agent']]],
    ['longer agent array', [1], [1, 2], [['/1', 'extra_in_agent']]],
    ['order matters by default', [1, 2], [2, 1], [['/0', 'changed'], ['/1', 'changed']]],
  ];
  for (const [name, legacy, agent, expected] of kinds) {
    it(`classifies: ${name}`, async () => {
      assert.deepEqual(summary(await compareJson(legacy, agent)), expected);
    });
  }

  it('reports missing and extra keys with the value on the side that has it', async () => {
    const outcome = await compareJson({ gone: 'x' }, { added: [1] });
    assert.deepEqual(outcome.differences, [
      { pointer: '/gone', field: '/gone', kind: 'missing_in_agent', legacy: 'x' },
      { pointer: '/added', field: '/added', kind: 'extra_in_agent', agent: [1] },
    ]);
  });

  it('escapes ~ and / in reported pointers and fields', async () => {
    const outcome = await compareJson({ 'a/b': { 'm~n': 1 } }, { 'a/b': { 'm~n': 2 } });
    assert.deepEqual(outcome.differences.map((d) => [d.pointer, d.field]), [['/a~1b/m~0n', '/a~1b/m~0n']]);
  });

  it('replaces only array indices with * in field, not numeric object keys', async () => {
    const outcome = await compareJson({ byId: { '42': [0, 1] } }, { byId: { '42': [0, 2] } });
    assert.equal(outcome.differences[0]?.pointer, '/byId/42/1');
    assert.equal(outcome.differences[0]?.field, '/byId/42/*');
  });

  it('handles a "__proto__" key as ordinary data', async () => {
    const outcome = await compare('{"__proto__":{"x":1}}', '{"__proto__":{"x":2}}');
    assert.deepEqual(summary(outcome), [['/__proto__/x', 'changed']]);
  });

  it('truncates long string values in differences', async () => {
    const outcome = await compareJson({ s: 'a'.repeat(500) }, { s: 'b'.repeat(500) });
    const legacy = outcome.differences[0]?.legacy as string;
    assert.equal(legacy, 'a'.repeat(200) + '…');
  });

  it('reports a large missing subtree as a short preview', async () => {
    const big = Array.from({ length: 1000 }, (_, i) => ({ i }));
    const outcome = await compareJson({ big }, {});
    const preview = outcome.differences[0]?.legacy;
    assert.equal(typeof preview, 'string');
    assert.ok((preview as string).startsWith('[{"i":0},{"i":1}'));
    assert.ok((preview as string).length <= 201);
  });
});

async function compare(legacyBody: string, agentBody: string, options: Partial<CompareOptions> = {}): Promise<CompareOutcome> {
  const compareFn = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, ...options });
  return compareFn(captured(legacyBody, 'application/json'), captured(agentBody, 'application/json'), CTX);
}

describe('unparseable JSON', () => {
  const cases: Array<[name: string, legacy: string, agent: string, legacySide: boolean, agentSide: boolean]> = [
    ['agent invalid', '{"a":1}', '{"a":', false, true],
    ['legacy invalid', 'not json', '{"a":1}', true, false],
    ['both invalid, differently', '{', '[', true, true],
    ['agent empty', '{}', '', false, true],
  ];
  for (const [name, legacy, agent, legacySide, agentSide] of cases) {
    it(`${name}: one unparseable difference naming the side`, async () => {
      const outcome = await compare(legacy, agent);
      assert.equal(outcome.result, 'mismatch');
      assert.equal(outcome.differences.length, 1);
      const [d] = outcome.differences;
      assert.equal(d?.kind, 'unparseable');
      assert.equal(d?.pointer, '');
      assert.equal(d?.field, 'body');
      assert.equal(typeof d?.legacy === 'string' && d.legacy.startsWith('legacy body is not valid JSON'), legacySide);
      assert.equal(typeof d?.agent === 'string' && d.agent.startsWith('agent body is not valid JSON'), agentSide);
    });
  }

  it('byte-identical bodies match without parsing, even when invalid', async () => {
    assert.equal((await compare('{oops', '{oops')).result, 'match');
  });

  it('accepts a leading BOM', async () => {
    assert.equal((await compare('\uFEFF{"a":1}', '{"a": 1}')).result, 'match');
  });

  it('reports nesting deeper than the limit instead of overflowing the stack', async () => {
    const depth = MAX_DEPTH + 50;
    const outcome = await compare('['.repeat(depth) + '1' + ']'.repeat(depth), '['.repeat(depth) + '2' + ']'.repeat(depth));
    assert.equal(outcome.result, 'mismatch');
    assert.equal(outcome.differences[0]?.kind, 'unparseable');
    assert.match(String(outcome.differences[0]?.legacy), /nested deeper than/);
  });
});

describe('ignore patterns', () => {
  const legacy = {
    meta: { requestId: 'r1', servedBy: 'legacy-1', timestamp: 1 },
    timestamp: 1,
    items: [
      { id: 1, updatedAt: 't1', audit: { timestamp: 1 } },
      { id: 2, updatedAt: 't2', audit: { timestamp: 2 } },
    ],
    'a/b': 1,
  };
  const agent = {
    meta: { requestId: 'r2', servedBy: 'agent-1', timestamp: 9 },
    timestamp: 9,
    items: [
      { id: 1, updatedAt: 'x1', audit: { timestamp: 9 } },
      { id: 2, updatedAt: 'x2', audit: { timestamp: 9 } },
    ],
    'a/b': 2,
  };
  const all: Array<[string, string]> = [
    ['/meta/requestId', 'changed'],
    ['/meta/servedBy', 'changed'],
    ['/meta/timestamp', 'changed'],
    ['/timestamp', 'changed'],
    ['/items/0/updatedAt', 'changed'],
    ['/items/0/audit/timestamp', 'changed'],
    ['/items/1/updatedAt', 'changed'],
    ['/items/1/audit/timestamp', 'changed'],
    ['/a~1b', 'changed'],
  ];
  const cases: Array<[name: string, ignore: string[], dropped: string[]]> = [
    ['nothing ignored', [], []],
    ['exact pointer', ['/meta/requestId'], ['/meta/requestId']],
    ['prefix skips the subtree', ['/meta'], ['/meta/requestId', '/meta/servedBy', '/meta/timestamp']],
    ['* is one segment', ['/items/*/updatedAt'], ['/items/0/updatedAt', '/items/1/updatedAt']],
    ['* does not span segments', ['/*/timestamp'], ['/meta/timestamp']],
    [
      '** at any depth, including zero',
      ['/**/timestamp'],
      ['/meta/timestamp', '/timestamp', '/items/0/audit/timestamp', '/items/1/audit/timestamp'],
    ],
    ['escaped segment', ['/a~1b'], ['/a~1b']],
    ['unescaped slash is two segments', ['/a/b'], []],
    ['root ignores everything', [''], all.map(([p]) => p)],
    ['/** ignores everything', ['/**'], all.map(([p]) => p)],
  ];
  for (const [name, ignore, dropped] of cases) {
    it(name, async () => {
      const expected = all.filter(([pointer]) => !dropped.includes(pointer));
      const outcome = await compareJson(legacy, agent, { ignore });
      assert.deepEqual(summary(outcome), expected);
      assert.equal(outcome.result, expected.length === 0 ? 'match' : 'mismatch');
    });
  }

  it('drops missing and extra differences whose pointer is ignored', async () => {
    const outcome = await compareJson({ a: 1, traceId: 'x' }, { a: 1, spanId: 'y' }, { ignore: ['/traceId', '/spanId'] });
    assert.equal(outcome.result, 'match');
  });

  it('does not ignore a parent when only a child is ignored', async () => {
    const outcome = await compareJson({ meta: { requestId: 'x' } }, {}, { ignore: ['/meta/requestId'] });
    assert.deepEqual(summary(outcome), [['/meta', 'missing_in_agent']]);
  });
});

describe('numeric tolerance', () => {
  const cases: Array<[legacy: number, agent: number, tolerance: number, equal: boolean]> = [
    [100, 101, 0.01, true], // |diff| 1 <= 0.01 * 101
    [100, 102, 0.01, false],
    [100, 100.0000001, 0, false], // 0 = exact
    [0.1 + 0.2, 0.3, 0, false],
    [0.1 + 0.2, 0.3, 1e-9, true],
    [-100, -101, 0.01, true],
    [-100, -102, 0.01, false],
    [-1, 1, 0.5, false], // |diff| 2 > 0.5 * 1
    [-10, -10.5, 0.05, true], // 0.5 <= 0.05 * 10.5
    [0, 0, 0, true],
    [0, 1e-12, 0.5, false], // relative: nothing is "close" to zero except zero... unless tol >= 1
    [0, -0, 0, true],
    [5, 5, 0.1, true],
  ];
  for (const [legacy, agent, tolerance, equal] of cases) {
    it(`${legacy} vs ${agent} at ${tolerance}: ${equal ? 'equal' : 'different'}`, async () => {
      assert.equal(numbersEqual(legacy, agent, tolerance), equal);
      const outcome = await compareJson({ n: legacy }, { n: agent }, { numericTolerance: tolerance });
      assert.equal(outcome.result, equal ? 'match' : 'mismatch');
    });
  }
});

describe('unordered arrays', () => {
  const opts = (extra: Partial<CompareOptions> = {}): Partial<CompareOptions> => ({ unorderedArrays: ['/tags', '/items'], ...extra });

  it('a permutation matches', async () => {
    const outcome = await compareJson({ tags: ['a', 'b', 'c'] }, { tags: ['c', 'a', 'b'] }, opts());
    assert.equal(outcome.result, 'match');
  });

  it('arrays not listed stay ordered', async () => {
    const outcome = await compareJson({ other: ['a', 'b'] }, { other: ['b', 'a'] }, opts());
    assert.equal(outcome.result, 'mismatch');
  });

  it('counts duplicates as a multiset', async () => {
    const outcome = await compareJson({ tags: ['a', 'a', 'b'] }, { tags: ['a', 'b', 'b'] }, opts());
    assert.deepEqual(outcome.differences, [
      { pointer: '/tags/1', field: '/tags/*', kind: 'missing_in_agent', legacy: 'a' },
      // legacy 'b' pairs with agent index 2 (same index first), so index 1 is the spare 'b'
      { pointer: '/tags/1', field: '/tags/*', kind: 'extra_in_agent', agent: 'b' },
    ]);
  });

  it('reports unmatched elements at their own side index', async () => {
    const outcome = await compareJson({ tags: ['x', 'a', 'b'] }, { tags: ['b', 'a', 'y', 'z'] }, opts());
    assert.deepEqual(summary(outcome), [
      ['/tags/0', 'missing_in_agent'],
      ['/tags/2', 'extra_in_agent'],
      ['/tags/3', 'extra_in_agent'],
    ]);
  });

  it('applies ignores inside elements', async () => {
    const legacy = { items: [{ id: 1, updatedAt: 'a' }, { id: 2, updatedAt: 'b' }] };
    const agent = { items: [{ id: 2, updatedAt: 'x' }, { id: 1, updatedAt: 'y' }] };
    assert.equal((await compareJson(legacy, agent, opts())).result, 'mismatch');
    assert.equal((await compareJson(legacy, agent, opts({ ignore: ['/items/*/updatedAt'] }))).result, 'match');
  });

  it('applies numeric tolerance and string normalisation inside elements', async () => {
    const legacy = { items: [{ name: 'Alpha', price: 100 }, { name: 'Beta', price: 50 }] };
    const agent = { items: [{ name: ' beta ', price: 50.2 }, { name: 'ALPHA', price: 99.9 }] };
    assert.equal((await compareJson(legacy, agent, opts())).result, 'mismatch');
    const tolerant = opts({ numericTolerance: 0.01, strings: { trim: true, caseInsensitive: true } });
    assert.equal((await compareJson(legacy, agent, tolerant)).result, 'match');
  });

  it('supports wildcard patterns and nested unordered arrays', async () => {
    const legacy = { orders: [{ lines: [1, 2, 3] }, { lines: [4, 5] }] };
    const agent = { orders: [{ lines: [3, 1, 2] }, { lines: [5, 4] }] };
    assert.equal((await compareJson(legacy, agent, { unorderedArrays: ['/orders/*/lines'] })).result, 'match');
    const swapped = { orders: [{ lines: [5, 4] }, { lines: [3, 2, 1] }] };
    assert.equal((await compareJson(legacy, swapped, { unorderedArrays: ['/orders/*/lines'] })).result, 'mismatch');
    assert.equal((await compareJson(legacy, swapped, { unorderedArrays: ['/orders', '/orders/*/lines'] })).result, 'match');
  });

  it(`falls back to ordered comparison above ${MAX_UNORDERED_ELEMENTS} elements`, async () => {
    const legacy = Array.from({ length: MAX_UNORDERED_ELEMENTS + 1 }, (_, i) => i);
    const agent = [...legacy].reverse();
    const small = { tags: legacy.slice(0, MAX_UNORDERED_ELEMENTS) };
    const smallReversed = { tags: agent.filter((n) => n < MAX_UNORDERED_ELEMENTS) };
    assert.equal((await compareJson(small, smallReversed, opts())).result, 'match');
    const outcome = await compareJson({ tags: legacy }, { tags: agent }, opts());
    assert.equal(outcome.result, 'mismatch');
    assert.equal(outcome.differences[0]?.pointer, '/tags/0');
    assert.equal(outcome.differences[0]?.kind, 'changed');
  });
});

describe('string normalisation', () => {
  const cases: Array<[name: string, strings: CompareOptions['strings'], legacy: string, agent: string, equal: boolean]> = [
    ['none: exact', {}, 'Hello', 'hello', false],
    ['trim', { trim: true }, '  Hello\n', 'Hello', true],
    ['trim keeps inner spaces', { trim: true }, 'a  b', 'a b', false],
    ['collapse whitespace', { collapseWhitespace: true }, 'a \t\n b', 'a b', true],
    ['case-insensitive', { caseInsensitive: true }, 'ÉCOLE', 'école', true],
    ['all', { trim: true, caseInsensitive: true, collapseWhitespace: true }, '  Big   DEAL ', 'big deal', true],
    ['all, still different', { trim: true, caseInsensitive: true, collapseWhitespace: true }, 'big deal', 'bigdeal', false],
  ];
  for (const [name, strings, legacy, agent, equal] of cases) {
    it(name, async () => {
      const outcome = await compareJson({ s: legacy }, { s: agent }, { strings });
      assert.equal(outcome.result, equal ? 'match' : 'mismatch');
    });
  }

  it('does not normalise object keys', async () => {
    const outcome = await compareJson({ Name: 1 }, { name: 1 }, { strings: { caseInsensitive: true } });
    assert.deepEqual(summary(outcome), [['/Name', 'missing_in_agent'], ['/name', 'extra_in_agent']]);
  });
});
