// Mirror fidelity: what the agent sees of a shadowed request, and which requests are not
// mirrored at all (side effects, sampling, size) — each counted with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate }
type After = { after(fn: () => Promise<void> | void): void };

async function rig(t: After, route: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, routes: [{ name: 'api', match: { path: '/api/*' }, ...route }], ...extra });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

const dropped = (sg: StartedShadowgate, reason: string) => metricValue(sg, 'shadowgate_shadow_dropped_total', { route: 'api', reason });
const compared = (sg: StartedShadowgate) => metricValue(sg, 'shadowgate_comparisons_total', { route: 'api' });

const SECRET_HEADERS = { authorization: 'Bearer tok-1', cookie: 'sid=abc', 'proxy-authorization': 'Basic cHJveHk6cHc=' };

test('the agent sees the same method, path, query and body, marked as a shadow, with its own Host', async (t) => {
  const { sg, agent, legacy } = await rig(t, { shadow: { sideEffects: true } });
  const body = JSON.stringify({ item: 'book', qty: 2 });
  await clientRequest(`${sg.dataUrl}/api/orders/42?expand=items&lang=en`, {
    method: 'POST', body, headers: { host: 'shop.example', 'content-type': 'application/json', 'x-request-id': 'r-1', ...SECRET_HEADERS },
  });
  await agent.waitFor(1);
  const seen = agent.seen[0]!;
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/api/orders/42?expand=items&lang=en');
  assert.equal(seen.body.toString(), body);
  assert.equal(seen.headers['x-shadowgate-shadow'], '1');
  assert.equal(seen.headers.host, new URL(agent.url).host);
  assert.equal(seen.headers['x-forwarded-host'], 'shop.example');
  assert.equal(seen.headers['content-type'], 'application/json');
  assert.equal(seen.headers['x-request-id'], 'r-1');
  for (const name of Object.keys(SECRET_HEADERS)) assert.equal(seen.headers[name], undefined, `${name} is redacted from the agent`);
  // Legacy, the real destination, gets everything.
  for (const [name, value] of Object.entries(SECRET_HEADERS)) assert.equal(legacy.seen[0]!.headers[name], value);
});

test('a route lists redacted headers in shadow.forwardHeaders to send them to the agent anyway', async (t) => {
  const { sg, agent } = await rig(t, { shadow: { forwardHeaders: ['Authorization'] } });
  await clientRequest(`${sg.dataUrl}/api/me`, { headers: SECRET_HEADERS });
  await agent.waitFor(1);
  const h = agent.seen[0]!.headers;
  assert.equal(h.authorization, 'Bearer tok-1');
  assert.equal(h.cookie, undefined);
  assert.equal(h['proxy-authorization'], undefined);
});

test('side effects: POST is not mirrored unless shadow.sideEffects is true (dropped, reason side_effects)', async (t) => {
  const { sg, agent, legacy } = await rig(t, {});
  const post = await clientRequest(`${sg.dataUrl}/api/pay`, { method: 'POST', body: '{"amount":5}' });
  assert.equal(post.status, 200);
  assert.equal(legacy.seen[0]!.method, 'POST');
  assert.equal(await dropped(sg, 'side_effects'), 1);
  await clientRequest(`${sg.dataUrl}/api/balance`);
  await agent.waitFor(1);
  assert.deepEqual(agent.seen.map((r) => `${r.method} ${r.url}`), ['GET /api/balance'], 'only the GET reached the agent');
  for (const method of ['PUT', 'PATCH', 'DELETE']) await clientRequest(`${sg.dataUrl}/api/x`, { method, body: '{}' });
  assert.equal(await dropped(sg, 'side_effects'), 4);
});

test('side effects allowed: POST is mirrored with shadow.sideEffects: true', async (t) => {
  const { sg, agent } = await rig(t, { shadow: { sideEffects: true } });
  await clientRequest(`${sg.dataUrl}/api/pay`, { method: 'POST', body: '{"amount":5}' });
  await agent.waitFor(1);
  assert.equal(agent.seen[0]!.method, 'POST');
  assert.equal(await dropped(sg, 'side_effects'), 0);
});

test('sampling 0 %: nothing is mirrored (dropped, reason sampled_out)', async (t) => {
  const { sg, agent } = await rig(t, { shadow: { percent: 0 } });
  for (let i = 0; i < 10; i++) await clientRequest(`${sg.dataUrl}/api/x`, { headers: { 'x-user-id': `u${i}` } });
  assert.equal(await dropped(sg, 'sampled_out'), 10, 'every request decided: none mirrored');
  assert.equal(agent.seen.length, 0);
});

test('sampling 100 %: everything is mirrored', async (t) => {
  const { sg, agent } = await rig(t, { shadow: { percent: 100 } });
  for (let i = 0; i < 10; i++) await clientRequest(`${sg.dataUrl}/api/x${i}`, { headers: { 'x-user-id': `u${i}` } });
  await agent.waitFor(10);
  await eventually(async () => (await compared(sg)) === 10, '10 comparisons');
  assert.equal(await dropped(sg, 'sampled_out'), 0);
});

test('sampling 50 %: about half of many users are mirrored, and each user always gets the same decision', async (t) => {
  const { sg, agent } = await rig(t, { shadow: { percent: 50 } });
  const users = Array.from({ length: 200 }, (_, i) => `user-${i}-${randomBytes(3).toString('hex')}`);
  const send = (u: string) => clientRequest(`${sg.dataUrl}/api/q`, { headers: { 'x-user-id': u } });
  for (let i = 0; i < users.length; i += 25) await Promise.all(users.slice(i, i + 25).map(send));
  const out = await dropped(sg, 'sampled_out');
  const mirrored = users.length - out;
  assert.ok(mirrored >= 60 && mirrored <= 140, `roughly half mirrored, got ${mirrored}/200`);
  await eventually(async () => (await compared(sg)) === mirrored, 'mirrored requests compared');

  // Sticky: a second and third round for 20 users repeats each first decision.
  const some = users.slice(0, 20);
  for (let round = 0; round < 2; round++) await Promise.all(some.map(send));
  const total = mirrored + some.filter((u) => agent.seen.some((r) => r.headers['x-user-id'] === u)).length * 2;
  await eventually(async () => (await compared(sg)) === total, 'second rounds compared');
  for (const u of some) {
    const n = agent.seen.filter((r) => r.headers['x-user-id'] === u).length;
    assert.ok(n === 0 || n === 3, `user ${u} mirrored ${n} of 3 times`);
  }
});

test('body larger than shadow.maxBodyBytes (content-length): legacy gets it all, the agent nothing (body_too_large)', async (t) => {
  const { sg, agent, legacy } = await rig(t, { shadow: { sideEffects: true, maxBodyBytes: 1024 } });
  const big = randomBytes(4096);
  const res = await clientRequest(`${sg.dataUrl}/api/upload`, { method: 'POST', body: big });
  assert.equal(res.status, 200);
  assert.ok(legacy.seen[0]!.body.equals(big));
  assert.equal(await dropped(sg, 'body_too_large'), 1);
  await clientRequest(`${sg.dataUrl}/api/small`, { method: 'POST', body: 'tiny' });
  await agent.waitFor(1);
  assert.deepEqual(agent.seen.map((r) => r.url), ['/api/small']);
});

test('body larger than shadow.maxBodyBytes (chunked upload): legacy gets it all, the agent nothing (body_too_large)', async (t) => {
  const { sg, agent, legacy } = await rig(t, { shadow: { sideEffects: true, maxBodyBytes: 1024 } });
  const chunks = Array.from({ length: 8 }, () => randomBytes(512));
  const res = await clientRequest(`${sg.dataUrl}/api/upload`, { method: 'POST', chunks });
  assert.equal(res.status, 200);
  assert.equal(legacy.seen[0]!.headers['content-length'], undefined, 'the upload really was chunked');
  assert.ok(legacy.seen[0]!.body.equals(Buffer.concat(chunks)));
  await eventually(async () => (await dropped(sg, 'body_too_large')) === 1, 'drop counted');
  await clientRequest(`${sg.dataUrl}/api/small`, { method: 'POST', chunks: ['ti', 'ny'] });
  await agent.waitFor(1);
  assert.deepEqual(agent.seen.map((r) => `${r.url} ${r.body.toString()}`), ['/api/small tiny']);
  await eventually(() => sg.dispatcher.inflight === 0 && sg.dispatcher.budget.used === 0, 'slots and bytes given back');
});

test('a client that aborts mid-upload: the shadow is dropped (client_aborted) and its slot and bytes are given back', async (t) => {
  const { sg, agent, legacy } = await rig(t, { shadow: { sideEffects: true } });
  const http = await import('node:http');
  await new Promise<void>((resolve) => {
    const req = http.request(`${sg.dataUrl}/api/upload`, { method: 'POST', agent: false, headers: { 'content-type': 'text/plain' } });
    req.on('error', () => resolve());
    req.write('first part of a body that never ends');
    // Abort once the proxy has started the shadow for this request.
    void eventually(() => sg.dispatcher.inflight === 1, 'shadow started').then(() => req.destroy());
  });
  await eventually(async () => (await dropped(sg, 'client_aborted')) === 1, 'drop counted');
  await eventually(() => sg.dispatcher.inflight === 0 && sg.dispatcher.budget.used === 0, 'slot and bytes given back');
  assert.equal(agent.seen.length, 0);
  assert.equal(legacy.seen.length, 0, 'legacy never got a complete request either');
  assert.equal((await clientRequest(`${sg.dataUrl}/api/next`)).status, 200);
});
