// The Prometheus exposition as a scraper sees it (GET {admin}/metrics): names and label
// sets from metrics/definitions.ts, and never a raw path or user id in a label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually } from '../support/shadowgate.js';

interface Line { name: string; labels: Record<string, string>; value: number }

function parseExposition(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(raw);
    assert.ok(m, `exposition line parses: ${raw}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const labelKeys = (lines: Line[], name: string) => [...new Set(lines.filter((l) => l.name === name).map((l) => Object.keys(l.labels).sort().join(',')))];

test('exposition: every core metric with its label set, default process metrics, no raw paths or user ids', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { a: 1, b: 1 });
  agent.handler = (req, res) => {
    if (req.url?.includes('boom')) { res.writeHead(500); res.end(); return; }
    const body = req.url?.includes('differ') ? '{"a":2,"b":1}' : '{"a":1,"b":1}';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, routes: [{ name: 'api', match: { path: '/api/*' } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const unique = randomUUID();
  const user = `user-${randomUUID()}`;
  await clientRequest(`${sg.dataUrl}/api/items/${unique}?q=${unique}`, { headers: { 'x-user-id': user, cookie: `sid=${user}` } });
  await clientRequest(`${sg.dataUrl}/api/differ`, { headers: { 'x-user-id': user } });
  await clientRequest(`${sg.dataUrl}/api/boom`);
  await clientRequest(`${sg.dataUrl}/api/pay`, { method: 'POST', body: '{}' });
  await clientRequest(`${sg.dataUrl}/elsewhere/${unique}`);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total')) === 3, 'three shadows compared');
  await eventually(async () => (await metricValue(sg, 'shadowgate_requests_total')) === 5, 'five requests counted');

  const res = await fetch(`${sg.adminUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(String(res.headers.get('content-type')), /^text\/plain/);
  const text = await res.text();
  const lines = parseExposition(text);
  const value = (name: string, labels: Record<string, string>) =>
    lines.filter((l) => l.name === name && Object.entries(labels).every(([k, v]) => l.labels[k] === v)).reduce((s, l) => s + l.value, 0);

  assert.deepEqual(labelKeys(lines, 'shadowgate_requests_total'), ['method,route,served_by,status_class']);
  assert.equal(value('shadowgate_requests_total', { route: 'api', method: 'GET', status_class: '2xx', served_by: 'legacy' }), 3);
  assert.equal(value('shadowgate_requests_total', { route: 'api', method: 'POST' }), 1);
  assert.equal(value('shadowgate_requests_total', { route: 'unmatched' }), 1);

  assert.deepEqual(labelKeys(lines, 'shadowgate_request_duration_seconds_count'), ['route']);
  assert.deepEqual(labelKeys(lines, 'shadowgate_request_duration_seconds_bucket'), ['le,route']);
  assert.equal(value('shadowgate_request_duration_seconds_count', { route: 'api' }), 4);

  assert.deepEqual(labelKeys(lines, 'shadowgate_upstream_duration_seconds_count'), ['route,upstream']);
  assert.ok(value('shadowgate_upstream_duration_seconds_count', { route: 'api', upstream: 'legacy' }) >= 4);
  assert.equal(value('shadowgate_upstream_duration_seconds_count', { route: 'api', upstream: 'agent' }), 3);

  assert.deepEqual(labelKeys(lines, 'shadowgate_upstream_errors_total'), ['kind,route,upstream']);
  assert.equal(value('shadowgate_upstream_errors_total', { route: 'api', upstream: 'agent', kind: 'status_5xx' }), 1);

  assert.deepEqual(labelKeys(lines, 'shadowgate_comparisons_total'), ['result,route']);
  assert.equal(value('shadowgate_comparisons_total', { route: 'api', result: 'match' }), 1);
  assert.equal(value('shadowgate_comparisons_total', { route: 'api', result: 'mismatch' }), 1);
  assert.equal(value('shadowgate_comparisons_total', { route: 'api', result: 'agent_error' }), 1);

  assert.deepEqual(labelKeys(lines, 'shadowgate_mismatch_fields_total'), ['field,route']);
  assert.equal(value('shadowgate_mismatch_fields_total', { route: 'api', field: '/a' }), 1);

  assert.deepEqual(labelKeys(lines, 'shadowgate_shadow_dropped_total'), ['reason,route']);
  assert.equal(value('shadowgate_shadow_dropped_total', { route: 'api', reason: 'side_effects' }), 1);

  assert.deepEqual(labelKeys(lines, 'shadowgate_shadow_inflight'), ['']);
  assert.ok(lines.some((l) => l.name === 'process_cpu_user_seconds_total'), 'default process metrics are exported');
  assert.ok(lines.some((l) => l.name === 'nodejs_heap_size_used_bytes'));

  assert.ok(!text.includes(unique), 'no raw path or query in any label');
  assert.ok(!text.includes(user), 'no user id in any label');
  assert.ok(!text.includes('/elsewhere'), 'unmatched paths are not labels either');
  for (const l of lines.filter((x) => x.name.startsWith('shadowgate_'))) {
    if (l.labels.route !== undefined) assert.ok(['api', 'unmatched'].includes(l.labels.route), `route label ${l.labels.route}`);
  }
});
