// The admin API on its own listener: open health and metrics, everything else behind the
// Bearer token when one is set, and the operator endpoints' contract (filters, errors).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import request from 'supertest';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';
import { tokenMatches } from '../../src/admin/auth.js';

type After = { after(fn: () => Promise<void>): void };

async function rig(t: After, extra: Record<string, unknown> = {}) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { v: 1 });
  agent.handler = (req, res) => {
    const body = req.url?.includes('differ') ? '{"v":2}' : '{"v":1}';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url,
    routes: [{ name: 'a', match: { path: '/a/*' } }, { name: 'b', match: { path: '/b/*' } }], ...extra,
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { sg, legacy, agent };
}

async function compared(sg: StartedShadowgate, path: string): Promise<void> {
  const before = await metricValue(sg, 'shadowgate_comparisons_total');
  await clientRequest(`${sg.dataUrl}${path}`);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total')) === before + 1, `comparison of ${path}`);
}

/** Whether something accepts TCP connections on host:port. */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const TOKEN = { admin: { token: 's3cret' } };

test('/healthz, /readyz and /metrics are open even with a token set', async (t) => {
  const { sg } = await rig(t, TOKEN);
  const api = request(sg.adminUrl);
  assert.deepEqual((await api.get('/healthz').expect(200)).body, { status: 'ok' });
  const ready = await api.get('/readyz').expect(200);
  assert.equal(ready.body.status, 'ready');
  assert.match((await api.get('/metrics').expect(200)).text, /shadowgate_requests_total/);
});

test('with admin.token, the API needs "Authorization: Bearer <token>"', async (t) => {
  const { sg } = await rig(t, TOKEN);
  const api = request(sg.adminUrl);
  for (const path of ['/api/routes', '/api/routes/a', '/api/diffs', '/api/diffs/x', '/no-such-endpoint']) {
    const none = await api.get(path).expect(401);
    assert.equal(none.body.error.code, 'SG_UNAUTHORIZED', path);
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assert.equal((await api.get(path).set('authorization', 'Bearer wrong').expect(401)).body.error.code, 'SG_UNAUTHORIZED');
    await api.get(path).set('authorization', 'Bearer s3cret-but-longer').expect(401);
    await api.get(path).set('authorization', `Basic ${Buffer.from('admin:s3cret').toString('base64')}`).expect(401);
    await api.get(path).set('authorization', 's3cret').expect(401);
  }
  await api.get('/api/routes').set('authorization', 'Bearer s3cret').expect(200);
  await api.post('/api/routes/a/kill').send({ who: 'x' }).expect(401);
  assert.ok(!JSON.stringify(sg.logs).includes('s3cret'), 'the token never reaches a log line');
});

test('/api/routes: per-route counts and agreement ratio', async (t) => {
  const { sg } = await rig(t);
  await compared(sg, '/a/same');
  await compared(sg, '/a/same');
  await compared(sg, '/a/same');
  await compared(sg, '/a/differ');
  const body = (await request(sg.adminUrl).get('/api/routes').expect(200)).body as { routes: { name: string; agreement: number | null; counts: Record<string, number>; window: { total: number } }[] };
  const a = body.routes.find((r) => r.name === 'a')!;
  const b = body.routes.find((r) => r.name === 'b')!;
  assert.deepEqual(body.routes.map((r) => r.name), ['a', 'b']);
  assert.deepEqual(a.counts, { match: 3, mismatch: 1 });
  assert.equal(a.agreement, 0.75);
  assert.equal(a.window.total, 4);
  assert.deepEqual(b.counts, {});
  assert.equal(b.agreement, null, 'no comparisons yet: no ratio, not 0');
  const one = (await request(sg.adminUrl).get('/api/routes/a').expect(200)).body as { name: string; agreement: number };
  assert.equal(one.agreement, 0.75);
  assert.equal((await request(sg.adminUrl).get('/api/routes/nope').expect(404)).body.error.code, 'SG_NOT_FOUND');
});

test('/api/diffs: route filter, limit, validation, and /api/diffs/:id', async (t) => {
  const { sg } = await rig(t);
  await compared(sg, '/a/differ-1');
  await compared(sg, '/a/differ-2');
  await compared(sg, '/b/differ-3');
  await compared(sg, '/a/same');
  const api = request(sg.adminUrl);

  const all = (await api.get('/api/diffs').expect(200)).body as { diffs: { id: string; route: string; request: { path: string } }[]; count: number; stored: number };
  assert.equal(all.count, 3, 'matches are not stored as samples');
  assert.equal(all.stored, 3);
  const onlyA = (await api.get('/api/diffs').query({ route: 'a' }).expect(200)).body as typeof all;
  assert.deepEqual(onlyA.diffs.map((d) => d.route), ['a', 'a']);
  const limited = (await api.get('/api/diffs').query({ route: 'a', limit: 1 }).expect(200)).body as typeof all;
  assert.equal(limited.diffs.length, 1);
  assert.equal(limited.diffs[0]!.request.path, '/a/differ-2', 'newest first');
  assert.equal(((await api.get('/api/diffs').query({ route: 'zzz' }).expect(200)).body as typeof all).count, 0);
  assert.equal(((await api.get('/api/diffs').query({ result: 'mismatch' }).expect(200)).body as typeof all).count, 3);

  for (const limit of ['0', 'abc', '-1', '1.5', '100000']) {
    const res = await api.get('/api/diffs').query({ limit }).expect(400).expect('content-type', /json/);
    assert.equal(res.body.error.code, 'SG_BAD_REQUEST', `limit=${limit}`);
  }
  assert.equal((await api.get('/api/diffs').query({ result: 'nonsense' }).expect(400)).body.error.code, 'SG_BAD_REQUEST');

  const one = (await api.get(`/api/diffs/${all.diffs[0]!.id}`).expect(200)).body as { id: string };
  assert.equal(one.id, all.diffs[0]!.id);
  const missing = await api.get('/api/diffs/00000000-0000-0000-0000-000000000000').expect(404).expect('content-type', /json/);
  assert.equal(missing.body.error.code, 'SG_NOT_FOUND');
  assert.equal((await api.get('/api/nothing-here').expect(404)).body.error.code, 'SG_NOT_FOUND');
});

test('without a token the admin listens on 127.0.0.1 only and logs a warning saying so', async (t) => {
  const { sg } = await rig(t, { admin: { host: undefined } });
  const port = Number(new URL(sg.adminUrl).port);
  assert.equal(new URL(sg.adminUrl).hostname, '127.0.0.1');
  assert.equal(await reachable('127.0.0.1', port), true);
  // Any other address of this host (127.0.0.2 is local on Linux) is refused.
  assert.equal(await reachable('127.0.0.2', port), false, 'not bound to 0.0.0.0');
  const warning = sg.logs.find((l) => l.level === 40 && /admin/i.test(String(l.msg)));
  assert.ok(warning, 'a warning was logged');
  assert.match(String(warning.msg), /127\.0\.0\.1/);
  assert.match(String(warning.msg), /no admin token/);
});

test('with a token and no admin.host the admin listens on all interfaces, without the warning', async (t) => {
  const { sg } = await rig(t, { admin: { host: undefined, token: 's3cret' } });
  const port = Number(new URL(sg.adminUrl).port);
  assert.equal(await reachable('127.0.0.2', port), true);
  assert.equal(sg.logs.some((l) => /no admin token/.test(String(l.msg))), false);
});

describe('tokenMatches', () => {
  for (const [expected, presented, want] of [
    ['s3cret', 's3cret', true],
    ['s3cret', 's3creT', false],
    ['s3cret', 's3cre', false],
    ['s3cret', 's3cret ', false],
    ['s3cret', '', false],
    ['a-much-longer-token-value-than-the-other', 'short', false],
  ] as const) {
    test(`${JSON.stringify(expected)} vs ${JSON.stringify(presented)} => ${want}`, () => {
      assert.equal(tokenMatches(expected, presented), want);
    });
  }
});

test('/api/routes warns per route: flags the flag source does not define, a route an earlier one shadows', async (t) => {
  const { tempFlagFile } = await import('../fixtures/flag-files.js');
  const flags = tempFlagFile([{ name: 'a.serve', rollout: 10 }, { name: 'a.shadow', rollout: 100 }]);
  const { sg } = await rig(t, {
    flags: { file: flags.file },
    routes: [{ name: 'a', match: { path: '/a/*' } }, { name: 'inner', match: { path: '/a/items' } }],
  });
  const res = await request(sg.adminUrl).get('/api/routes');
  const byName = Object.fromEntries((res.body as { routes: { name: string; warnings: { kind: string; message: string }[] }[] }).routes.map((r) => [r.name, r.warnings]));
  assert.deepEqual(byName.a!.map((w) => w.kind), [], 'a has its flags and comes first');
  const kinds = [...new Set(byName.inner!.map((w) => w.kind))].sort();
  assert.deepEqual(kinds, ['flag_missing', 'shadowed']);
  assert.ok(byName.inner!.some((w) => w.kind === 'flag_missing' && w.message.includes('inner.serve')));
  assert.match(byName.inner!.find((w) => w.kind === 'shadowed')!.message, /"a"/);
});
