import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../src/config/load.js';
import { changedSections, configHash, restartOnlyChanges } from '../../../src/lifecycle/reload.js';
import { ResultWindow } from '../../../src/store/result-window.js';
import { BoolRing } from '../../../src/store/bool-ring.js';
import { SampleStore, type Sample } from '../../../src/store/samples.js';

const base = { legacy: { url: 'http://l:1' }, agent: { url: 'http://a:1' }, routes: [{ name: 'r', match: { path: '/*' } }] };
const cfg = (over: Record<string, unknown> = {}) => buildConfig({ ...base, ...over }, { source: 't' });

test('restartOnlyChanges: listeners, admin token and tracing are named by key path; the token value never shows', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
    ['nothing', {}, {}, []],
    ['a route rule is live', {}, { routes: [{ name: 'r', match: { path: '/*' }, compare: { ignore: ['/x'] } }] }, []],
    ['log level is live', {}, { log: { level: 'debug' } }, []],
    ['data port', { server: { port: 8080 } }, { server: { port: 8081 } }, ['server.port: 8080 → 8081']],
    ['admin host', { admin: { host: '127.0.0.1' } }, { admin: { host: '0.0.0.0' } }, ['admin.host: "127.0.0.1" → "0.0.0.0"']],
    ['token', { admin: { token: 'old-secret' } }, { admin: { token: 'new-secret' } }, ['admin.token changed']],
    ['tracing endpoint', {}, { tracing: { otlpEndpoint: 'http://otel:4318/v1/traces' } }, ['tracing.otlpEndpoint: unset → "http://otel:4318/v1/traces"']],
  ];
  for (const [name, a, b, expected] of cases) {
    const got = restartOnlyChanges(cfg(a), cfg(b));
    assert.deepEqual(got, expected, name);
    assert.ok(!got.join(' ').includes('secret'), `${name}: no secret value`);
  }
});

test('configHash is the first 12 hex of sha256; changedSections names top-level sections', () => {
  assert.equal(configHash('a'), 'ca978112ca1b');
  assert.deepEqual(changedSections(cfg(), cfg({ log: { level: 'debug' }, samples: { max: 5 } })), ['log', 'samples']);
});

test('resizing keeps the newest entries: ResultWindow (in place), BoolRing, SampleStore', () => {
  const w = new ResultWindow(4);
  for (const r of ['match', 'mismatch', 'match', 'match'] as const) w.record(r);
  w.resize(2);
  assert.deepEqual({ match: w.snapshot().match, mismatch: w.snapshot().mismatch }, { match: 2, mismatch: 0 });
  w.resize(10);
  w.record('mismatch');
  assert.equal(w.snapshot().total, 3);
  const ring = new BoolRing(3);
  for (const v of [true, false, true]) ring.push(v);
  assert.deepEqual(ring.resized(2).values(), [false, true]);
  assert.deepEqual(ring.resized(5).values(), [true, false, true]);
  const store = new SampleStore(3);
  const s = (id: string): Sample => ({ id, route: 'r', at: id, result: 'mismatch', servedBy: 'legacy', request: { method: 'GET', path: '/', headers: {}, body: '', encoding: 'utf8', truncated: false }, legacy: { headers: {}, body: '', encoding: 'utf8', truncated: false }, agent: { headers: {}, body: '', encoding: 'utf8', truncated: false }, differences: [] });
  for (const id of ['1', '2', '3']) store.add(s(id));
  store.resize(2);
  assert.deepEqual(store.list({ limit: 10 }).map((x) => x.id), ['3', '2']);
  assert.equal(store.max, 2);
});
