// Comparison through the proxy: each compare option is exercised by a real request, and the
// outcome is read where operators read it: shadowgate_comparisons_total and /api/diffs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { FakeUpstream, type FakeHandler } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

interface Sample {
  id: string;
  route: string;
  result: string;
  comparator?: string;
  similarity?: number;
  request: { path: string; headers: Record<string, unknown>; body: string };
  legacy: { body: string; headers: Record<string, unknown> };
  agent: { body: string; headers: Record<string, unknown> };
  differences: { pointer: string; field: string; kind: string; legacy?: unknown; agent?: unknown }[];
}

/** Answers per path: `bodies[path]` is [legacy, agent]; JSON unless a string is given. */
function byPath(side: 0 | 1, bodies: Record<string, [unknown, unknown]>, contentType = 'application/json'): FakeHandler {
  return (req, res) => {
    const pair = bodies[new URL(req.url ?? '/', 'http://x').pathname];
    const value = pair?.[side] ?? { missing: true };
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

async function rig(
  t: { after(fn: () => Promise<void>): void }, compare: Record<string, unknown>, bodies: Record<string, [unknown, unknown]>,
  extra: Record<string, unknown> = {}, contentType?: string,
) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = byPath(0, bodies, contentType);
  agent.handler = byPath(1, bodies, contentType);
  const sg = await startTestShadowgate(
    { legacy: legacy.url, agent: agent.url, routes: [{ name: 'cmp', match: { path: '/api/*' }, compare }], ...extra },
    { logLevel: 'debug' },
  );
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

/** Sends one request and waits until its comparison is counted. */
async function compareVia(sg: StartedShadowgate, path: string, headers: Record<string, string> = {}): Promise<void> {
  const before = await metricValue(sg, 'shadowgate_comparisons_total', { route: 'cmp' });
  const res = await clientRequest(`${sg.dataUrl}${path}`, { headers });
  assert.ok(res.status < 600);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { route: 'cmp' })) === before + 1, `comparison of ${path}`);
}

const count = (sg: StartedShadowgate, result: string) => metricValue(sg, 'shadowgate_comparisons_total', { route: 'cmp', result });

async function diffs(sg: StartedShadowgate, query = 'route=cmp'): Promise<Sample[]> {
  const res = await fetch(`${sg.adminUrl}/api/diffs?${query}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { diffs: Sample[] }).diffs;
}

const pointers = (s: Sample) => s.differences.map((d) => d.pointer).sort();

test('compare.ignore with wildcards: ignored paths never count, other differences are reported by pointer', async (t) => {
  const { sg } = await rig(t, { ignore: ['/meta/*', '/**/timestamp'] }, {
    '/api/same': [
      { meta: { requestId: 'L-1', host: 'legacy-7' }, items: [{ id: 1, timestamp: 't1' }, { id: 2, detail: { timestamp: 'x' } }], total: 2 },
      { meta: { requestId: 'A-9', host: 'agent-2' }, items: [{ id: 1, timestamp: 't9' }, { id: 2, detail: { timestamp: 'y' } }], total: 2 },
    ],
    '/api/differs': [
      { meta: { requestId: 'L-2' }, items: [{ id: 1, timestamp: 't1' }, { id: 2 }], total: 2 },
      { meta: { requestId: 'A-2' }, items: [{ id: 1, timestamp: 't2' }, { id: 3 }], total: 3 },
    ],
  });
  await compareVia(sg, '/api/same');
  assert.equal(await count(sg, 'match'), 1);
  await compareVia(sg, '/api/differs');
  assert.equal(await count(sg, 'mismatch'), 1);
  const [sample] = await diffs(sg);
  assert.equal(sample!.request.path, '/api/differs');
  assert.deepEqual(pointers(sample!), ['/items/1/id', '/total']);
});

test('compare.numericTolerance: numbers within the relative tolerance match, beyond it they differ', async (t) => {
  const { sg } = await rig(t, { numericTolerance: 0.01 }, {
    '/api/close': [{ price: 100.0, qty: 3 }, { price: 100.5, qty: 3 }],
    '/api/far': [{ price: 100.0, qty: 3 }, { price: 102.0, qty: 3 }],
  });
  await compareVia(sg, '/api/close');
  assert.equal(await count(sg, 'match'), 1);
  await compareVia(sg, '/api/far');
  assert.equal(await count(sg, 'mismatch'), 1);
  const [sample] = await diffs(sg);
  assert.deepEqual(pointers(sample!), ['/price']);
  assert.equal(sample!.differences[0]!.legacy, 100);
  assert.equal(sample!.differences[0]!.agent, 102);
});

test('compare.unorderedArrays: the same elements in another order match; a different element does not', async (t) => {
  const { sg } = await rig(t, { unorderedArrays: ['/tags', '/groups/*/members'] }, {
    '/api/reordered': [
      { tags: ['a', 'b', 'c'], groups: [{ members: [1, 2, 3] }] },
      { tags: ['c', 'a', 'b'], groups: [{ members: [3, 1, 2] }] },
    ],
    '/api/changed': [{ tags: ['a', 'b', 'c'], order: [1, 2] }, { tags: ['b', 'a', 'd'], order: [2, 1] }],
  });
  await compareVia(sg, '/api/reordered');
  assert.equal(await count(sg, 'match'), 1);
  await compareVia(sg, '/api/changed');
  const [sample] = await diffs(sg);
  assert.equal(sample!.result, 'mismatch');
  const ps = pointers(sample!);
  assert.ok(ps.some((p) => p.startsWith('/tags/')), `a /tags element differs: ${ps.join(', ')}`);
  assert.ok(ps.includes('/order/0') && ps.includes('/order/1'), 'arrays not listed stay ordered');
});

test('compare.text similarity: above the threshold matches, below it mismatches with the similarity recorded', async (t) => {
  const { sg } = await rig(t, { text: { mode: 'similarity', threshold: 0.8 } }, {
    '/api/near': ['The quick brown fox jumps over the lazy dog today', 'The quick brown fox jumped over the lazy dog today'],
    '/api/far': ['The quick brown fox jumps over the lazy dog today', 'An entirely unrelated reply about something else'],
  }, {}, 'text/plain; charset=utf-8');
  await compareVia(sg, '/api/near');
  assert.equal(await count(sg, 'match'), 1);
  await compareVia(sg, '/api/far');
  assert.equal(await count(sg, 'mismatch'), 1);
  const [sample] = await diffs(sg);
  assert.equal(sample!.comparator, 'text');
  assert.ok(typeof sample!.similarity === 'number' && sample!.similarity < 0.8, `similarity ${sample!.similarity}`);
  assert.deepEqual(sample!.differences.map((d) => d.field), ['body']);
});

test('compare.plugin: a user comparator module decides, and its pointers reach /api/diffs', async (t) => {
  const plugin = fileURLToPath(new URL('../fixtures/fake-comparator-plugin.mjs', import.meta.url));
  const { sg } = await rig(t, { plugin }, {
    '/api/case': [{ answer: 'Yes', n: 1 }, { answer: 'YES', n: 1 }],
    '/api/other': [{ answer: 'Yes', n: 1 }, { answer: 'no', n: 2 }],
  });
  await compareVia(sg, '/api/case');
  assert.equal(await count(sg, 'match'), 1, 'the plug-in ignores case where the built-in would not');
  await compareVia(sg, '/api/other');
  const [sample] = await diffs(sg);
  assert.equal(sample!.result, 'mismatch');
  assert.equal(sample!.comparator, 'plugin:fake-comparator-plugin');
  assert.deepEqual(pointers(sample!), ['/answer', '/n']);
});

test('mismatch field labels are bounded by metrics.maxFieldsPerRoute: 5 differing fields with a limit of 2 => "other"', async (t) => {
  const { sg } = await rig(t, {}, { '/api/five': [{ a: 1, b: 1, c: 1, d: 1, e: 1 }, { a: 2, b: 2, c: 2, d: 2, e: 2 }] }, { metrics: { maxFieldsPerRoute: 2 } });
  await compareVia(sg, '/api/five');
  const [sample] = await diffs(sg);
  assert.deepEqual(pointers(sample!), ['/a', '/b', '/c', '/d', '/e'], 'the sample keeps every pointer');

  const metric = (await sg.metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'shadowgate_mismatch_fields_total')!;
  const fields = metric.values.filter((v) => v.labels.route === 'cmp').map((v) => String(v.labels.field));
  assert.equal(fields.length, 3, `two named fields plus "other": ${fields.join(', ')}`);
  assert.ok(fields.includes('other'));
  assert.equal(await metricValue(sg, 'shadowgate_mismatch_fields_total', { route: 'cmp', field: 'other' }), 1, 'a field label counts once per comparison');
  assert.ok(await metricValue(sg, 'shadowgate_label_overflow_total', { metric: 'shadowgate_mismatch_fields_total' }) >= 3);
});

test('legacy 5xx => legacy_error, and the client still gets legacy\'s 5xx', async (t) => {
  const { sg, legacy } = await rig(t, {}, {});
  legacy.handler = legacy.json(503, { error: 'maintenance' });
  const res = await clientRequest(`${sg.dataUrl}/api/down`);
  assert.equal(res.status, 503);
  assert.deepEqual(JSON.parse(res.body.toString()), { error: 'maintenance' });
  await eventually(async () => (await count(sg, 'legacy_error')) === 1, 'legacy_error counted');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { route: 'cmp', upstream: 'legacy', kind: 'status_5xx' }), 1);
});

test('samples and logs are redacted: credentials never appear, redact.fields masks a JSON field', async (t) => {
  const secrets = ['sekret-auth-1234', 'sekret-cookie-5678', 'sekret-setcookie-9012', '123-45-6789', '999-99-9999'];
  const { sg, legacy } = await rig(t, {}, {
    '/api/profile': [{ user: { name: 'Ann', ssn: '123-45-6789' }, v: 1 }, { user: { name: 'Ann', ssn: '999-99-9999' }, v: 2 }],
  }, { redact: { fields: ['/user/ssn'] } });
  const base = legacy.handler;
  legacy.handler = (req, res, body) => { res.setHeader('set-cookie', 'sid=sekret-setcookie-9012; HttpOnly'); return base(req, res, body); };

  await compareVia(sg, '/api/profile', { authorization: 'Bearer sekret-auth-1234', cookie: 'sid=sekret-cookie-5678', 'x-user-id': 'ann' });
  const [sample] = await diffs(sg);
  assert.equal(sample!.result, 'mismatch');
  assert.equal(sample!.request.headers.authorization, '[redacted]');
  assert.equal(sample!.request.headers.cookie, '[redacted]');
  assert.equal(sample!.legacy.headers['set-cookie'], '[redacted]');
  assert.equal((JSON.parse(sample!.legacy.body) as { user: { ssn: string } }).user.ssn, '[redacted]');
  assert.equal((JSON.parse(sample!.agent.body) as { user: { ssn: string } }).user.ssn, '[redacted]');
  const ssn = sample!.differences.find((d) => d.pointer === '/user/ssn')!;
  assert.deepEqual([ssn.legacy, ssn.agent], ['[redacted]', '[redacted]']);
  assert.deepEqual(sample!.differences.find((d) => d.pointer === '/v'), { pointer: '/v', field: '/v', kind: 'changed', legacy: 1, agent: 2 });

  const one = await (await fetch(`${sg.adminUrl}/api/diffs/${sample!.id}`)).text();
  const list = await (await fetch(`${sg.adminUrl}/api/diffs`)).text();
  const logs = JSON.stringify(sg.logs);
  for (const secret of secrets) {
    assert.ok(!one.includes(secret), `${secret} not in /api/diffs/:id`);
    assert.ok(!list.includes(secret), `${secret} not in /api/diffs`);
    assert.ok(!logs.includes(secret), `${secret} not in the logs`);
  }
  assert.ok(sg.logs.some((l) => l.event === 'comparison' && l.result === 'mismatch'), 'the comparison was logged');
});

test('a body cut at a capture limit is not judged: skipped, never a mismatch (regression: limits of different sizes made false mismatches)', async (t) => {
  const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item-${i}` })) };
  const { sg } = await rig(t, {}, { '/api/big': [big, big] }, { shadow: { maxCaptureBytes: 1024 } });
  const res = await clientRequest(`${sg.dataUrl}/api/big`);
  assert.deepEqual(JSON.parse(res.body.toString()), big, 'the client still gets the whole body');
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'skipped' })) === 1, 'skipped');
  assert.equal(await metricValue(sg, 'shadowgate_comparisons_total', { result: 'mismatch' }), 0);
});

test('compressed answers are compared as content: gzip legacy vs identity agent agree; the sample shows decoded JSON', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const body = { price: 12.5, items: ['a', 'b'] };
  legacy.handler = (_req, res) => {
    const gz = gzipSync(JSON.stringify(body));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length });
    res.end(gz);
  };
  agent.handler = (req, res) => {
    const answer = JSON.stringify(req.url === '/api/differs' ? { ...body, price: 13 } : body);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer);
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, routes: [{ name: 'cmp', match: { path: '/api/*' } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  const res = await clientRequest(`${sg.dataUrl}/api/same`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.headers['content-encoding'], 'gzip', 'the client still gets legacy\'s bytes');
  await eventually(async () => (await count(sg, 'match')) === 1, 'gzip vs identity match');
  await clientRequest(`${sg.dataUrl}/api/differs`, { headers: { 'accept-encoding': 'gzip' } });
  await eventually(async () => (await count(sg, 'mismatch')) === 1, 'real difference still found');
  const [sample] = await diffs(sg);
  assert.deepEqual(sample!.differences.map((d) => d.pointer), ['/price']);
  assert.deepEqual(JSON.parse(sample!.legacy.body), body, 'stored decoded');
});

test('the legacy side of a sample is what legacy sent: its own headers, without the served-by header the proxy added for the client', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'x-legacy-build': '41' }); res.end('{"price":1}'); };
  agent.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"price":2}'); };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, routes: [{ name: 'cmp', match: { path: '/api/*' } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const res = await clientRequest(`${sg.dataUrl}/api/price`);
  assert.equal(res.headers['x-shadowgate-served-by'], 'legacy', 'the client is told who served');
  await eventually(async () => (await count(sg, 'mismatch')) === 1, 'the mismatch recorded');
  const [sample] = await diffs(sg);
  assert.equal(sample!.legacy.headers['x-legacy-build'], '41');
  assert.equal(sample!.legacy.headers['content-type'], 'application/json');
  assert.equal(sample!.legacy.headers['x-shadowgate-served-by'], undefined);
});
