// The admin API authenticates before it reads a body (regression: express.json() ran first,
// so without a token a malformed kill request got 400 and a 20 KB one 413 — an unauthenticated
// caller learnt how bodies are handled). On raw sockets, so the status is what was sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { jsonOf, rawExchange, type RawResult } from '../support/raw-client.js';
import { field } from '../support/strict-http1.js';
import { startTestShadowgate, type StartedShadowgate } from '../support/shadowgate.js';

const TOKEN = 'test-admin-token-123';

async function rig(t: { after(fn: () => Promise<void>): void }): Promise<StartedShadowgate> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, admin: { token: TOKEN }, routes: [{ name: 'q', match: { path: '/api/*' } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return sg;
}

function post(path: string, body: string, auth?: string, contentType = 'application/json'): string {
  return `POST ${path} HTTP/1.1\r\nHost: admin\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${auth ? `Authorization: ${auth}\r\n` : ''}Connection: close\r\n\r\n${body}`;
}

function status(r: RawResult): [number, string | undefined] {
  assert.equal(r.error, undefined, r.error);
  const m = r.responses[0]!;
  return [m.status, (jsonOf(m).error as { code?: string } | undefined)?.code];
}

const big = JSON.stringify({ who: 'x', why: 'y'.repeat(20 * 1024) });
const bodies: [string, string, string | undefined][] = [
  ['malformed JSON', '{"who": ', undefined],
  ['a 20 KB body', big, undefined],
  ['a 20 KB malformed body', `{${'x'.repeat(20 * 1024)}`, undefined],
  ['a body in another content type', 'who=x', 'application/x-www-form-urlencoded'],
];

for (const [name, body, type] of bodies) {
  for (const [who, auth] of [['no token', undefined], ['a wrong token', 'Bearer not-the-token'], ['a token without "Bearer"', TOKEN], ['an empty Bearer', 'Bearer ']] as const) {
    test(`POST /api/routes/q/kill with ${name} and ${who} => 401, body never read`, async (t) => {
      const sg = await rig(t);
      const r = await rawExchange(sg.adminUrl, post('/api/routes/q/kill', body, auth, type));
      assert.deepEqual(status(r), [401, 'SG_UNAUTHORIZED']);
      assert.match(String(field(r.responses[0]!, 'www-authenticate')[0]), /^Bearer/);
      assert.equal(sg.routes[0]!.control.state().killed, false, 'nothing was done');
    });
  }
}

test('without a token, an endpoint that does not exist is 401 too (no map of the API for strangers)', async (t) => {
  const sg = await rig(t);
  assert.deepEqual(status(await rawExchange(sg.adminUrl, post('/api/nothing-here', '{}'))), [401, 'SG_UNAUTHORIZED']);
  assert.deepEqual(status(await rawExchange(sg.adminUrl, 'GET /api/routes HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n')), [401, 'SG_UNAUTHORIZED']);
});

test('with the token, bodies are read: malformed JSON => 400, 20 KB => 413, a good one kills the route', async (t) => {
  const sg = await rig(t);
  const auth = `Bearer ${TOKEN}`;
  assert.deepEqual(status(await rawExchange(sg.adminUrl, post('/api/routes/q/kill', '{"who": ', auth))), [400, 'SG_BAD_REQUEST']);
  assert.deepEqual(status(await rawExchange(sg.adminUrl, post('/api/routes/q/kill', big, auth))), [413, 'SG_BAD_REQUEST']);
  const ok = await rawExchange(sg.adminUrl, post('/api/routes/q/kill', '{"who":"sec","why":"test"}', auth));
  assert.equal(ok.responses[0]?.status, 200);
  assert.equal(sg.routes[0]!.control.state().killed, true);
});

test('the token never appears in what a refused caller gets back', async (t) => {
  const sg = await rig(t);
  const r = await rawExchange(sg.adminUrl, post('/api/routes/q/kill', '{"who": ', 'Bearer wrong'));
  assert.equal(r.bytes.toString('latin1').includes(TOKEN), false);
});
