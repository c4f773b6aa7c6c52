import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ago, clock, count, duration, headerValue, pct, shortJson } from '../../../../src/admin/ui/format.js';

test('pct: one decimal, no trailing .0, a dash for nothing', () => {
  assert.deepEqual([pct(0.9412), pct(1), pct(0), pct(0.5, 0), pct(null), pct(undefined), pct(Number.NaN)], ['94.1%', '100%', '0%', '50%', '—', '—', '—']);
});

test('count: thousands with a thin space, rounded', () => {
  assert.deepEqual([count(0), count(999), count(1000), count(12_340), count(1_234_567.4), count(null)], ['0', '999', '1\u2009000', '12\u2009340', '1\u2009234\u2009567', '—']);
});

test('clock: local 24 h time, with the date when asked; unparseable input as is', () => {
  const d = new Date(2026, 0, 2, 3, 4, 5);
  assert.equal(clock(d.toISOString()), '03:04:05');
  assert.equal(clock(d.toISOString(), true), '2026-01-02 03:04:05');
  assert.equal(clock('yesterday'), 'yesterday');
});

test('ago: coarse and never negative', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  assert.deepEqual([ago(at(2), now), ago(at(42), now), ago(at(300), now), ago(at(3 * 3600), now), ago(at(2 * 86400), now), ago(at(-30), now), ago('x', now)],
    ['just now', '42 s ago', '5 min ago', '3 h ago', '2 d ago', 'just now', '']);
});

test('duration, shortJson, headerValue', () => {
  assert.deepEqual([duration(250), duration(30_000), duration(90_000), duration(150_000), duration(3 * 3600_000)], ['250 ms', '30 s', '90 s', '2.5 min', '3 h']);
  assert.deepEqual([shortJson(undefined), shortJson(null), shortJson({ a: [1] }), shortJson('x')], ['—', 'null', '{"a":[1]}', '"x"']);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(shortJson(cyclic), '[object Object]');
  assert.deepEqual([headerValue(['a', 'b']), headerValue('c'), headerValue(undefined)], ['a, b', 'c', '']);
});
