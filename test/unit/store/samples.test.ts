import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SampleStore, type Sample } from '../../../src/store/samples.js';

let n = 0;
function sample(over: Partial<Sample> = {}): Sample {
  n++;
  return {
    id: `s${n}`, route: 'a', at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), result: 'mismatch', servedBy: 'legacy',
    request: { method: 'GET', path: '/x', headers: {}, body: '', encoding: 'utf8', truncated: false },
    legacy: { headers: {}, body: '', encoding: 'utf8', truncated: false },
    agent: { headers: {}, body: '', encoding: 'utf8', truncated: false },
    differences: [], ...over,
  };
}

test('bounded by count: the oldest is evicted and counted', () => {
  let evictions = 0;
  const store = new SampleStore(3, () => evictions++);
  const all = Array.from({ length: 5 }, () => sample());
  for (const s of all) store.add(s);
  assert.equal(store.size, 3);
  assert.equal(store.evicted, 2);
  assert.equal(evictions, 2);
  assert.equal(store.get(all[0]!.id), undefined);
  assert.equal(store.get(all[4]!.id)?.id, all[4]!.id);
});

test('list: newest first, filtered by route, result and field (label or pointer), limited', () => {
  const store = new SampleStore(100);
  const a1 = sample({ route: 'a', differences: [{ pointer: '/items/0/id', field: '/items/*/id', kind: 'changed' }] });
  const b1 = sample({ route: 'b', result: 'agent_error' });
  const a2 = sample({ route: 'a', differences: [{ pointer: '/total', field: '/total', kind: 'changed' }] });
  for (const s of [a1, b1, a2]) store.add(s);
  assert.deepEqual(store.list({ limit: 10 }).map((s) => s.id), [a2.id, b1.id, a1.id]);
  assert.deepEqual(store.list({ route: 'a', limit: 10 }).map((s) => s.id), [a2.id, a1.id]);
  assert.deepEqual(store.list({ result: 'agent_error', limit: 10 }).map((s) => s.id), [b1.id]);
  assert.deepEqual(store.list({ field: '/items/*/id', limit: 10 }).map((s) => s.id), [a1.id]);
  assert.deepEqual(store.list({ field: '/items/0/id', limit: 10 }).map((s) => s.id), [a1.id]);
  assert.deepEqual(store.list({ limit: 1 }).map((s) => s.id), [a2.id]);
  assert.deepEqual(store.list({ route: 'zzz', limit: 10 }), []);
});

test('list: filtered by who served the client, with the other filters', () => {
  const store = new SampleStore(100);
  const legacy = sample({ route: 'a' });
  const agent = sample({ route: 'a', servedBy: 'agent' });
  const otherRoute = sample({ route: 'b', servedBy: 'agent' });
  for (const s of [legacy, agent, otherRoute]) store.add(s);
  assert.deepEqual(store.list({ servedBy: 'agent', limit: 10 }).map((s) => s.id), [otherRoute.id, agent.id]);
  assert.deepEqual(store.list({ servedBy: 'legacy', limit: 10 }).map((s) => s.id), [legacy.id]);
  assert.deepEqual(store.list({ servedBy: 'agent', route: 'a', limit: 10 }).map((s) => s.id), [agent.id]);
});

test('reading a sample does not change which one is evicted next', () => {
  const store = new SampleStore(2);
  const first = sample();
  const second = sample();
  store.add(first);
  store.add(second);
  store.get(first.id);
  store.add(sample());
  assert.equal(store.get(first.id), undefined, 'the oldest went, although it was read');
  assert.ok(store.get(second.id));
});
