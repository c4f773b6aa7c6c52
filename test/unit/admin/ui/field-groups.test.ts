import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupByField } from '../../../../src/admin/ui/field-groups.js';

type Sample = Parameters<typeof groupByField>[0][number];
let n = 0;
const diff = (pointer: string, kind = 'changed') => ({ pointer, field: pointer.replace(/\/\d+(?=\/|$)/g, '/*'), kind });
const sample = (route: string, diffs: ReturnType<typeof diff>[], servedBy: 'agent' | 'legacy' = 'legacy'): Sample =>
  ({ id: `s${++n}`, route, at: '', result: diffs.length ? 'mismatch' : 'agent_error', servedBy, differences: diffs });

test('groups by field, each field once per sample, most frequent first, with kinds, routes and who served', () => {
  const { groups, withDifferences, withoutDifferences } = groupByField([
    sample('orders', [diff('/price'), diff('/items/0/qty'), diff('/items/1/qty')], 'agent'),
    sample('orders', [diff('/price'), diff('/status', 'type')]),
    sample('quote', [diff('/price', 'missing_in_agent')]),
    sample('quote', []),
  ]);
  assert.equal(withDifferences, 3);
  assert.equal(withoutDifferences, 1);
  assert.deepEqual(groups.map((g) => [g.field, g.samples, g.share, g.kinds, g.routes, g.servedByAgent]), [
    ['/price', 3, 1, { changed: 2, missing_in_agent: 1 }, ['orders', 'quote'], 1],
    ['/items/*/qty', 1, 1 / 3, { changed: 1 }, ['orders'], 1],
    ['/status', 1, 1 / 3, { type: 1 }, ['orders'], 0],
  ]);
});

test('nothing to group: empty', () => {
  assert.deepEqual(groupByField([]), { groups: [], withDifferences: 0, withoutDifferences: 0 });
  assert.deepEqual(groupByField([sample('a', [])]).groups, []);
});
