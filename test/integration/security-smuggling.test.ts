// Request smuggling and response desync, on raw sockets: the client writes exact bytes, the
// upstreams record exact bytes and are read with a strict HTTP/1.1 reader. One client request
// must be exactly one upstream request with exactly the client's body, on every path
// (pass-through, serve, shadow copy, WebSocket upgrade), and no client ever gets an answer
// meant for another (regression: `Connection: keep-alive, content-length` dropped the framing,
// legacy read the body as a second request and the next client got its answer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWireUpstream, echoReply, type WireRequest } from '../fixtures/fake-wire-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { RawConnection, jsonOf, rawExchange, type RawResult } from '../support/raw-client.js';
import { field, readRequests } from '../support/strict-http1.js';
import { startTestShadowgate, eventually, metricValue, type StartedShadowgate } from '../support/shadowgate.js';

/** The 35-byte body of the original report: a whole request, if anyone reads it as one. */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
type After = { after(fn: () => Promise<void> | void): void };

interface Rig { legacy: FakeWireUpstream; agent: FakeWireUpstream; sg: StartedShadowgate }

/** One socket to legacy (server.maxSockets: 1), so a desync would hit the very next request. */
async function rig(t: After, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  const { server, ...rest } = extra as { server?: Record<string, unknown> };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, server: { maxSockets: 1, ...server }, ...rest });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

/** A second, unrelated client on its own connection: its answer must be its own. */
async function assertOwnAnswer(sg: StartedShadowgate, path = '/api/next', id = 'B'): Promise<void> {
  const r = await rawExchange(sg.dataUrl, `GET ${path} HTTP/1.1\r\nHost: b.example\r\nx-test-id: ${id}\r\n\r\n`);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.responses.length, 1);
  assert.equal(r.responses[0]!.status, 200);
  assert.deepEqual({ id: jsonOf(r.responses[0]!).id, target: jsonOf(r.responses[0]!).target }, { id, target: path }, 'the next client got its own answer');
}

/** What an upstream read: no parse error, nothing left over, and exactly these requests. */
function assertRead(up: FakeWireUpstream, want: { method: string; target: string; body: string; framing: 'content-length' | 'chunked' | 'none' }[]): WireRequest[] {
  assert.deepEqual(up.errors, [], 'the upstream read strictly valid HTTP/1.1');
  for (const c of up.connections) assert.equal(c.rest.toString('latin1'), '', `no bytes left over on connection ${c.index}`);
  assert.deepEqual(up.requests.map((r) => ({ method: r.method, target: r.target, body: r.body.toString('latin1'), framing: r.framing })), want);
  for (const r of up.requests) {
    if (r.framing === 'content-length') assert.deepEqual(field(r, 'content-length'), [String(r.body.length)]);
    assert.equal(field(r, 'host').length, 1);
  }
  return up.requests;
}

/** One answer, and the proxy closes the connection after it (what follows a refusal cannot be trusted). */
async function refused(sg: StartedShadowgate, bytes: string): Promise<RawResult> {
  const c = new RawConnection(sg.dataUrl);
  try {
    await c.write(bytes);
    await c.responses(1);
    assert.equal(await c.closes(), true, 'the connection is closed after a refusal');
    const r = c.read();
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.responses.length, 1, 'exactly one answer');
    return r;
  } finally {
    c.destroy();
  }
}

function only(r: RawResult): ReturnType<typeof jsonOf> & { status: number } {
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.responses.length, 1, 'exactly one answer');
  return { ...jsonOf(r.responses[0]!), status: r.responses[0]!.status };
}

test('the oracle catches the original bug: the bytes legacy got before the fix read as two requests', () => {
  assert.equal(Buffer.byteLength(SMUGGLED), 35);
  const before = readRequests(Buffer.from(`GET /api/echo HTTP/1.1\r\nhost: a\r\nconnection: keep-alive\r\n\r\n${SMUGGLED}`));
  assert.deepEqual(before.messages.map((m) => m.target), ['/api/echo', '/smuggled']);
  const after = readRequests(Buffer.from(`GET /api/echo HTTP/1.1\r\nhost: a\r\ncontent-length: 35\r\n\r\n${SMUGGLED}`));
  assert.deepEqual(after.messages.map((m) => [m.target, m.body.toString()]), [['/api/echo', SMUGGLED]]);
});

for (const method of ['GET', 'DELETE', 'OPTIONS']) {
  test(`smuggling: ${method} with "Connection: keep-alive, content-length" reaches legacy as one request framed by its Content-Length; the next client gets its own answer`, async (t) => {
    const { sg, legacy } = await rig(t);
    const r = await rawExchange(sg.dataUrl, `${method} /api/echo HTTP/1.1\r\nHost: a.example\r\nConnection: keep-alive, content-length\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
    assert.deepEqual(only(r), { status: 200, id: 'A', method, target: '/api/echo', host: 'a.example', bodyLength: 35 });
    await assertOwnAnswer(sg);
    assertRead(legacy, [
      { method, target: '/api/echo', body: SMUGGLED, framing: 'content-length' },
      { method: 'GET', target: '/api/next', body: '', framing: 'none' },
    ]);
  });
}

test('smuggling on one keep-alive client connection: the request after the smuggling one gets its own answer', async (t) => {
  const { sg, legacy } = await rig(t);
  const c = new RawConnection(sg.dataUrl);
  t.after(() => c.destroy());
  await c.write(`POST /api/one HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 35\r\nx-test-id: 1\r\n\r\n${SMUGGLED}`);
  await c.write('GET /api/two HTTP/1.1\r\nHost: a\r\nx-test-id: 2\r\n\r\n');
  const r = await c.responses(2);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.responses.map((m) => [jsonOf(m).id, jsonOf(m).target]), [['1', '/api/one'], ['2', '/api/two']], 'answers in request order');
  // node hands pipelined requests over as they are parsed: the bodiless one may reach legacy first
  legacy.requests.sort((a, b) => a.target.localeCompare(b.target));
  assertRead(legacy, [
    { method: 'POST', target: '/api/one', body: SMUGGLED, framing: 'content-length' },
    { method: 'GET', target: '/api/two', body: '', framing: 'none' },
  ]);
});

test('smuggling: "Connection: transfer-encoding" with a chunked body reaches legacy as one chunked request with the same body', async (t) => {
  const { sg, legacy } = await rig(t);
  const body = `5\r\nhello\r\n${(35).toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;
  const r = await rawExchange(sg.dataUrl, `POST /api/echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, transfer-encoding\r\nTransfer-Encoding: chunked\r\nx-test-id: A\r\n\r\n${body}`);
  assert.deepEqual(only(r), { status: 200, id: 'A', method: 'POST', target: '/api/echo', host: 'a', bodyLength: 40 });
  await assertOwnAnswer(sg);
  const [first] = assertRead(legacy, [
    { method: 'POST', target: '/api/echo', body: `hello${SMUGGLED}`, framing: 'chunked' },
    { method: 'GET', target: '/api/next', body: '', framing: 'none' },
  ]);
  assert.deepEqual(field(first!, 'content-length'), []);
});

test('"Connection: host" does not take the Host away from legacy', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await rawExchange(sg.dataUrl, 'GET /api/echo HTTP/1.1\r\nHost: shop.example\r\nConnection: host\r\nx-test-id: A\r\n\r\n');
  assert.equal(only(r).host, 'shop.example');
  assertRead(legacy, [{ method: 'GET', target: '/api/echo', body: '', framing: 'none' }]);
});

test('every framing nomination at once, on a large streamed body: one request, the exact body', async (t) => {
  const { sg, legacy } = await rig(t);
  const big = `${SMUGGLED}${'x'.repeat(100_000)}${SMUGGLED}`; // over the pre-read limit: streamed
  const r = await rawExchange(sg.dataUrl, `PUT /api/big HTTP/1.1\r\nHost: a\r\nConnection: content-length, transfer-encoding, host, keep-alive\r\nContent-Length: ${big.length}\r\nx-test-id: A\r\n\r\n${big}`);
  assert.equal(only(r).bodyLength, big.length);
  await assertOwnAnswer(sg);
  assertRead(legacy, [
    { method: 'PUT', target: '/api/big', body: big, framing: 'content-length' },
    { method: 'GET', target: '/api/next', body: '', framing: 'none' },
  ]);
});

// Framing node itself refuses (RFC 9112 §6.3 rules 3-5, §5.1, §5.2): 400 before routing, legacy never hears of it.
const ambiguous: [string, string][] = [
  ['Content-Length and Transfer-Encoding together', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['two different Content-Lengths', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
  ['two equal Content-Length lines', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'],
  ['a Content-Length list', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello'],
  ['a signed Content-Length', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello'],
  ['chunked not the final coding', 'POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['Transfer-Encoding twice', 'POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
  ['whitespace before the colon', 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello'],
  ['an obs-fold line', 'GET /api/x HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n'],
  ['a bad chunk size', 'POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n'],
  ['a bare LF in a field line', 'GET /api/x HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n'],
  ['a NUL in a field value', 'GET /api/x HTTP/1.1\r\nHost: a\r\nX-A: 1\u00002\r\n\r\n'],
  ['two Host headers', 'GET /api/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ['no Host in HTTP/1.1', 'GET /api/x HTTP/1.1\r\n\r\n'],
];
for (const [name, bytes] of ambiguous) {
  test(`ambiguous framing or routing (${name}) => 400, connection closed, legacy never hears of it`, async (t) => {
    const { sg, legacy } = await rig(t);
    const r = await refused(sg, bytes);
    assert.equal(r.responses[0]?.status, 400);
    await assertOwnAnswer(sg);
    assertRead(legacy, [{ method: 'GET', target: '/api/next', body: '', framing: 'none' }]);
  });
}

test('a transfer coding other than chunked (gzip, chunked) => 501: the proxy re-frames bodies and cannot carry the coding (RFC 9112 §6.1)', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await refused(sg, 'POST /api/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
  assert.equal(r.responses[0]?.status, 501);
  assert.equal(jsonOf(r.responses[0]!).error && (jsonOf(r.responses[0]!).error as { code: string }).code, 'SG_NOT_IMPLEMENTED');
  assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'transfer_coding' }), 1);
  await assertOwnAnswer(sg);
  assertRead(legacy, [{ method: 'GET', target: '/api/next', body: '', framing: 'none' }]);
});

test('OPTIONS * with a body: legacy gets exactly one request with that body (regression: the body was never sent and legacy waited for it)', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await rawExchange(sg.dataUrl, `OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
  assert.deepEqual(only(r), { status: 200, id: 'A', method: 'OPTIONS', target: '*', host: 'a', bodyLength: 35 });
  assertRead(legacy, [{ method: 'OPTIONS', target: '*', body: SMUGGLED, framing: 'content-length' }]);
});

// ---- the serve path and the shadow copy -------------------------------------------------

async function serveRig(t: After, agentScript?: (req: WireRequest) => string): Promise<Rig> {
  const flags = tempFlagFile([{ name: 'q.serve', rollout: 100 }, { name: 'q.shadow', rollout: 100 }]);
  const r = await rig(t, { flags: { file: flags.file }, routes: [{ name: 'q', match: { path: '/api/*' }, shadow: { sideEffects: true } }] });
  if (agentScript) r.agent.script = agentScript;
  return r;
}

for (const method of ['GET', 'DELETE', 'OPTIONS']) {
  test(`serve path: the smuggling ${method} reaches the agent as one request with the exact body; the next client gets its own answer`, async (t) => {
    const { sg, agent, legacy } = await serveRig(t);
    const r = await rawExchange(sg.dataUrl, `${method} /api/echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, content-length, host\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
    const got = only(r);
    assert.deepEqual([got.status, got.id, got.target, got.bodyLength], [200, 'A', '/api/echo', 35]);
    assert.deepEqual(field(r.responses[0]!, 'x-shadowgate-served-by'), ['agent']);
    await assertOwnAnswer(sg);
    assertRead(agent, [
      { method, target: '/api/echo', body: SMUGGLED, framing: 'content-length' },
      { method: 'GET', target: '/api/next', body: '', framing: 'none' },
    ]);
    assertRead(legacy, []);
  });
}

test('serve path fallback: the agent fails, legacy gets the smuggling request once, with the exact body', async (t) => {
  const { sg, agent, legacy } = await serveRig(t, () => 'HTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n');
  const r = await rawExchange(sg.dataUrl, `DELETE /api/echo HTTP/1.1\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
  assert.equal(only(r).id, 'A');
  assert.deepEqual(field(r.responses[0]!, 'x-shadowgate-served-by'), ['legacy']);
  assertRead(legacy, [{ method: 'DELETE', target: '/api/echo', body: SMUGGLED, framing: 'content-length' }]);
  // DELETE is idempotent (RFC 9110 §9.2.2): one retry, each call one request with the exact body
  assertRead(agent, [1, 2].map(() => ({ method: 'DELETE', target: '/api/echo', body: SMUGGLED, framing: 'content-length' as const })));
});

test('serve path: a chunked body with "Connection: transfer-encoding" reaches the agent whole, framed by its length', async (t) => {
  const { sg, agent } = await serveRig(t);
  const r = await rawExchange(sg.dataUrl, `POST /api/echo HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\nx-test-id: A\r\n\r\n23\r\n${SMUGGLED}\r\n0\r\n\r\n`);
  assert.equal(only(r).bodyLength, 35);
  assertRead(agent, [{ method: 'POST', target: '/api/echo', body: SMUGGLED, framing: 'content-length' }]);
});

test('shadow copy: the agent receives the smuggling request once, with the exact body and the shadow marker', async (t) => {
  const flags = tempFlagFile([{ name: 'q.shadow', rollout: 100 }]);
  const { sg, agent, legacy } = await rig(t, { flags: { file: flags.file }, routes: [{ name: 'q', match: { path: '/api/*' }, shadow: { sideEffects: true } }] });
  const r = await rawExchange(sg.dataUrl, `OPTIONS /api/echo HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, content-length, host\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
  assert.equal(only(r).bodyLength, 35);
  await agent.waitForRequests(1);
  const [copy] = assertRead(agent, [{ method: 'OPTIONS', target: '/api/echo', body: SMUGGLED, framing: 'content-length' }]);
  assert.deepEqual(field(copy!, 'x-shadowgate-shadow'), ['1']);
  assertRead(legacy, [{ method: 'OPTIONS', target: '/api/echo', body: SMUGGLED, framing: 'content-length' }]);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { route: 'q' })) === 1, 'the shadow was compared');
});

test('shadow copy of a chunked upload: one request to the agent, the exact body, framed by its length', async (t) => {
  const flags = tempFlagFile([{ name: 'q.shadow', rollout: 100 }]);
  const { sg, agent, legacy } = await rig(t, { flags: { file: flags.file }, routes: [{ name: 'q', match: { path: '/api/*' }, shadow: { sideEffects: true } }] });
  await rawExchange(sg.dataUrl, `PATCH /api/echo HTTP/1.1\r\nHost: a\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nGET\r\n20\r\n /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n`);
  await agent.waitForRequests(1);
  assertRead(agent, [{ method: 'PATCH', target: '/api/echo', body: SMUGGLED, framing: 'content-length' }]);
  assertRead(legacy, [{ method: 'PATCH', target: '/api/echo', body: SMUGGLED, framing: 'chunked' }]);
});

// ---- WebSocket upgrades -------------------------------------------------------------------

const WS_HEAD = 'Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const SWITCH = { bytes: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n', upgrade: true };

test('WebSocket: "Connection: Upgrade, content-length, host" keeps Host and Content-Length: 0, one upgrade request, then the tunnel', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.script = () => SWITCH;
  const c = new RawConnection(sg.dataUrl);
  t.after(() => c.destroy());
  await c.write(`GET /ws HTTP/1.1\r\nHost: chat.example\r\nConnection: Upgrade, content-length, host\r\nContent-Length: 0\r\n${WS_HEAD}\r\n`);
  const r = await c.responses(1);
  assert.equal(r.responses[0]?.status, 101);
  const [up] = assertRead(legacy, [{ method: 'GET', target: '/ws', body: '', framing: 'content-length' }]);
  assert.deepEqual(field(up!, 'host'), ['chat.example']);
  assert.deepEqual(field(up!, 'content-length'), ['0']);
  assert.deepEqual(field(up!, 'upgrade'), ['websocket']);
  // The tunnel: bytes that look like a request are just bytes now, echoed back untouched.
  const before = c.bytes.length;
  await c.write(SMUGGLED);
  await eventually(() => c.bytes.length >= before + 35, 'tunnel echo');
  assert.equal(c.bytes.subarray(before).toString(), SMUGGLED);
  assert.equal(legacy.requests.length, 1, 'tunnel bytes are never read as a request');
});

for (const [name, framing, body] of [
  ['Content-Length', 'Connection: Upgrade, content-length\r\nContent-Length: 35\r\n', SMUGGLED],
  ['Transfer-Encoding', 'Connection: Upgrade, transfer-encoding\r\nTransfer-Encoding: chunked\r\n', `23\r\n${SMUGGLED}\r\n0\r\n\r\n`],
] as const) {
  test(`WebSocket: an upgrade request with a body (${name}, nominated) => 400 before legacy (regression: legacy was told of a body it never got, and the client hung)`, async (t) => {
    const { sg, legacy } = await rig(t);
    legacy.script = (req) => (field(req, 'upgrade').length > 0 ? SWITCH : echoReply(req));
    const r = await refused(sg, `GET /ws HTTP/1.1\r\nHost: a\r\n${framing}${WS_HEAD}\r\n${body}`);
    assert.equal(r.responses[0]?.status, 400);
    assert.match(String((jsonOf(r.responses[0]!).error as { message: string }).message), /body/);
    assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'upgrade_body' }), 1);
    await assertOwnAnswer(sg);
    assertRead(legacy, [{ method: 'GET', target: '/api/next', body: '', framing: 'none' }]);
  });
}

// ---- the response direction ---------------------------------------------------------------

test('legacy nominating content-length in its own Connection header: the client still gets the framing', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.script = () => 'HTTP/1.1 200 OK\r\nConnection: keep-alive, content-length, x-hop\r\nx-hop: 1\r\nContent-Length: 2\r\n\r\nok';
  const c = new RawConnection(sg.dataUrl);
  t.after(() => c.destroy());
  await c.write('GET /api/a HTTP/1.1\r\nHost: a\r\n\r\n');
  await c.write('GET /api/b HTTP/1.1\r\nHost: a\r\n\r\n');
  const r = await c.responses(2);
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.responses.map((m) => [m.status, m.framing, m.body.toString(), field(m, 'x-hop').length]), [[200, 'content-length', 'ok', 0], [200, 'content-length', 'ok', 0]]);
});

test('legacy answering with both Content-Length and Transfer-Encoding => 502 for that client; the next client gets its own answer', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.script = (req) => (req.target === '/api/bad'
    ? `HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n23\r\n${SMUGGLED}\r\n0\r\n\r\n`
    : echoReply(req));
  const r = await rawExchange(sg.dataUrl, 'GET /api/bad HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(only(r).status, 502);
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
  await assertOwnAnswer(sg);
});

test('legacy answering twice to one request: the client gets the first answer only; the extra never reaches the next client', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.script = (req) => (req.target === '/api/twice'
    ? 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra'
    : echoReply(req));
  const c = new RawConnection(sg.dataUrl);
  t.after(() => c.destroy());
  await c.write('GET /api/twice HTTP/1.1\r\nHost: a\r\n\r\n');
  const r = await c.responses(1);
  assert.deepEqual(r.responses.map((m) => m.body.toString()), ['first']);
  await assertOwnAnswer(sg);
  // and on the same client connection, too
  await c.write('GET /api/same HTTP/1.1\r\nHost: a\r\nx-test-id: S\r\n\r\n');
  const again = await c.responses(2);
  assert.equal(again.error, undefined, again.error);
  assert.deepEqual(again.responses.map((m) => m.body.toString().slice(0, 12)), ['first', '{"id":"S","m']);
});

test('OPTIONS * with a chunked body: legacy gets one chunked request (node\'s client would send an OPTIONS body unframed)', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await rawExchange(sg.dataUrl, `OPTIONS * HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nx-test-id: A\r\n\r\n23\r\n${SMUGGLED}\r\n0\r\n\r\n`);
  assert.deepEqual(only(r), { status: 200, id: 'A', method: 'OPTIONS', target: '*', host: 'a', bodyLength: 35 });
  assertRead(legacy, [{ method: 'OPTIONS', target: '*', body: SMUGGLED, framing: 'chunked' }]);
});

test('framing headers after a thousand others still frame the request (regression: node dropped headers past maxHeadersCount, so the proxy saw no Content-Length and legacy got the POST without its body)', async (t) => {
  const { sg, legacy } = await rig(t);
  const many = Array.from({ length: 1100 }, (_, i) => `x-${i}: v`).join('\r\n');
  const r = await rawExchange(sg.dataUrl, `POST /api/many HTTP/1.1\r\n${many}\r\nHost: a\r\nConnection: content-length\r\nContent-Length: 35\r\nx-test-id: A\r\n\r\n${SMUGGLED}`);
  assert.deepEqual(only(r), { status: 200, id: 'A', method: 'POST', target: '/api/many', host: 'a', bodyLength: 35 });
  const [seen] = assertRead(legacy, [{ method: 'POST', target: '/api/many', body: SMUGGLED, framing: 'content-length' }]);
  assert.equal(seen!.fields.filter(([n]) => n.startsWith('x-') && /^x-\d+$/.test(n)).length, 1100, 'no header silently dropped');
});
