import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyAction, listQuery, neighbour, reconcile } from '../../../../src/admin/ui/sample-list.js';

type Sample = Parameters<typeof reconcile>[0][number];
const s = (id: string, verdict?: string): Sample => ({ id, route: 'r', at: '', result: 'mismatch', servedBy: 'legacy', ...(verdict ? { verdict: { verdict, at: '' } } : {}) });

test('listQuery: only the filters set, trimmed, with the limit', () => {
  assert.equal(listQuery({}, 100), 'limit=100');
  assert.equal(listQuery({ route: 'orders', result: '', servedBy: 'agent', field: ' /price ' }, 50), 'limit=50&route=orders&servedBy=agent&field=%2Fprice');
});

test('reconcile: new samples are reported (to announce), verdict changes of shown ones (to patch in place)', () => {
  const shown = [s('c'), s('b'), s('a')];
  const { fresh, verdicts } = reconcile(shown, [s('e'), s('d'), s('c', 'agent_correct'), s('b'), s('a')]);
  assert.deepEqual(fresh.map((x) => x.id), ['e', 'd']);
  assert.deepEqual(verdicts.map((x) => x.id), ['c']);
  assert.deepEqual(reconcile(shown, shown), { fresh: [], verdicts: [] });
  assert.deepEqual(reconcile(shown, [s('b')]), { fresh: [], verdicts: [] }, 'a sample gone from the refresh is no news');
});

test('neighbour: next and previous in list order, clamped, from nothing to an end', () => {
  const ids = ['a', 'b', 'c'];
  assert.deepEqual([neighbour(ids, null, 1), neighbour(ids, null, -1)], ['a', 'c']);
  assert.deepEqual([neighbour(ids, 'a', 1), neighbour(ids, 'b', -1), neighbour(ids, 'c', 1), neighbour(ids, 'a', -1)], ['b', 'a', 'c', 'a']);
  assert.equal(neighbour(ids, 'gone', 1), 'a');
  assert.equal(neighbour([], null, 1), null);
});

test('keyAction: j/k and arrows, Escape; nothing with a modifier', () => {
  assert.deepEqual(['j', 'ArrowDown', 'k', 'ArrowUp', 'Escape', 'x'].map((key) => keyAction({ key })), ['next', 'next', 'previous', 'previous', 'close', null]);
  assert.equal(keyAction({ key: 'j', ctrlKey: true }), null);
  assert.equal(keyAction({ key: 'k', metaKey: true }), null);
});
