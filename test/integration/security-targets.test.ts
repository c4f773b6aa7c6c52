// Request targets in every form RFC 9112 §3.2 allows, on raw sockets: an absolute-form target
// is routed on its path like an origin-form one (regression: `GET http://h/api/items` was
// counted "unmatched" and escaped kill, serve and shadow), legacy gets origin-form with Host
// set to the authority; CONNECT is 405 and authority-form 400; paths with dot segments (also
// percent-encoded) route like their normalised form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWireUpstream } from '../fixtures/fake-wire-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { RawConnection, jsonOf, rawExchange } from '../support/raw-client.js';
import { field } from '../support/strict-http1.js';
import { startTestShadowgate, eventually, metricValue, type StartedShadowgate } from '../support/shadowgate.js';

type After = { after(fn: () => Promise<void> | void): void };
interface Rig { legacy: FakeWireUpstream; agent: FakeWireUpstream; sg: StartedShadowgate; flags: ReturnType<typeof tempFlagFile> }

/** Route "api" on /api/*, its flags as given; everything else unmatched. */
async function rig(t: After, flags: { serve?: boolean; shadow?: boolean } = {}, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  const file = tempFlagFile([{ name: 'api.serve', enabled: flags.serve ?? false }, { name: 'api.shadow', enabled: flags.shadow ?? false }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, flags: { file: file.file },
    routes: [{ name: 'api', match: { path: '/api/*' }, shadow: { sideEffects: true } }], ...extra,
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg, flags: file };
}

const requests = (sg: StartedShadowgate, route: string) => metricValue(sg, 'shadowgate_requests_total', { route });

test('absolute-form GET http://h/api/items is routed as /api/items; legacy gets origin-form /api/items with Host h', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await rawExchange(sg.dataUrl, 'GET http://h/api/items?q=1 HTTP/1.1\r\nHost: other.example\r\nx-test-id: A\r\n\r\n');
  assert.equal(r.responses[0]?.status, 200);
  await legacy.waitForRequests(1);
  assert.equal(legacy.requests[0]!.target, '/api/items?q=1');
  assert.deepEqual(field(legacy.requests[0]!, 'host'), ['h']);
  assert.deepEqual(field(legacy.requests[0]!, 'x-forwarded-host'), ['h']);
  await eventually(async () => (await requests(sg, 'api')) === 1, 'counted under route "api"');
  assert.equal(await requests(sg, 'unmatched'), 0);
});

test('absolute-form: the serve flag applies (the agent serves), the agent gets the origin-form path', async (t) => {
  const { sg, agent, legacy } = await rig(t, { serve: true });
  const r = await rawExchange(sg.dataUrl, 'GET http://h:8080/api/items HTTP/1.1\r\nHost: h:8080\r\n\r\n');
  assert.deepEqual(field(r.responses[0]!, 'x-shadowgate-served-by'), ['agent']);
  assert.equal(jsonOf(r.responses[0]!).target, '/api/items');
  assert.equal(agent.requests[0]!.target, '/api/items');
  assert.equal(legacy.requests.length, 0);
});

test('absolute-form: the kill switch applies (legacy serves, counted as killed)', async (t) => {
  const { sg, agent } = await rig(t, { serve: true });
  const kill = await fetch(`${sg.adminUrl}/api/routes/api/kill`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"who":"test"}' });
  assert.equal(kill.status, 200);
  const r = await rawExchange(sg.dataUrl, 'DELETE http://h/api/items/1 HTTP/1.1\r\nHost: h\r\n\r\n');
  assert.deepEqual(field(r.responses[0]!, 'x-shadowgate-served-by'), ['legacy']);
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'api', reason: 'killed' }), 1);
  assert.equal(agent.requests.length, 0);
});

test('absolute-form: the shadow flag applies (the agent gets the copy)', async (t) => {
  const { sg, agent } = await rig(t, { shadow: true });
  await rawExchange(sg.dataUrl, 'POST http://h/api/orders HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}');
  await agent.waitForRequests(1);
  assert.equal(agent.requests[0]!.target, '/api/orders');
  assert.equal(agent.requests[0]!.body.toString(), '{}');
  assert.deepEqual(field(agent.requests[0]!, 'x-shadowgate-shadow'), ['1']);
});

test('absolute-form WebSocket upgrade: origin-form path and the authority as Host reach legacy', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.script = () => ({ bytes: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', upgrade: true });
  const c = new RawConnection(sg.dataUrl);
  t.after(() => c.destroy());
  await c.write('GET http://chat.example/ws?room=1 HTTP/1.1\r\nHost: other\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
  assert.equal((await c.responses(1)).responses[0]?.status, 101);
  assert.equal(legacy.requests[0]!.target, '/ws?room=1');
  assert.deepEqual(field(legacy.requests[0]!, 'host'), ['chat.example']);
});

for (const [name, bytes, status, reason] of [
  ['CONNECT', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n', 405, 'connect'],
  ['authority-form GET (node refuses it while parsing)', 'GET h:443 HTTP/1.1\r\nHost: h\r\n\r\n', 400, 'bad_request'],
  ['asterisk-form GET', 'GET * HTTP/1.1\r\nHost: h\r\n\r\n', 400, 'bad_target'],
  ['absolute-form with userinfo', 'GET http://user@h/api/items HTTP/1.1\r\nHost: h\r\n\r\n', 400, 'bad_target'],
  ['absolute-form without a host', 'GET http:///api/items HTTP/1.1\r\nHost: h\r\n\r\n', 400, 'bad_target'],
] as const) {
  test(`${name} => ${status}, counted ${reason}, legacy never hears of it, the connection is closed`, async (t) => {
    const { sg, legacy } = await rig(t);
    const c = new RawConnection(sg.dataUrl);
    t.after(() => c.destroy());
    await c.write(bytes);
    const r = await c.responses(1);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.responses[0]?.status, status);
    if (status === 405) assert.deepEqual(field(r.responses[0]!, 'allow'), ['GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']);
    assert.equal(await c.closes(), true);
    assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason }), 1);
    assert.equal(legacy.connections.length, 0);
  });
}

for (const [path, route] of [
  ['/api/./items', 'api'],
  ['/static/../api/items', 'api'],
  ['/../api/items', 'api'],
  ['/api/../static/app.js', 'unmatched'],
  ['/api/%2e%2e/admin', 'unmatched'],
  ['/static/%2E%2E/api/items', 'api'],
] as const) {
  test(`dot segments: ${path} routes like its normalised form (route "${route}"); legacy gets the target as sent`, async (t) => {
    const { sg, legacy, agent } = await rig(t, { serve: true });
    const r = await rawExchange(sg.dataUrl, `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`);
    assert.equal(r.responses[0]?.status, 200);
    assert.deepEqual(field(r.responses[0]!, 'x-shadowgate-served-by'), [route === 'api' ? 'agent' : 'legacy'], 'the route\'s serve flag applies exactly when the normalised path is the route\'s');
    await eventually(async () => (await requests(sg, route)) === 1, `counted under "${route}"`);
    const seen = route === 'api' ? agent : legacy;
    assert.equal(seen.requests[0]!.target, path);
  });
}
