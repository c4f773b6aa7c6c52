// Hostile upstream answers, byte by byte: status lines, reason phrases, 1xx, trailers, header
// lines node would refuse, answers to upgrade requests. None may stop the process (regression:
// `HTTP/1.1 200 O\x7fK` and status 099 threw inside a stream handler and killed every
// in-flight request): each one is answered for its own client only — 502 SG_LEGACY_UNAVAILABLE
// counted as invalid_response, or the repaired answer where README's Security section says so
// — while a request held in flight on another connection completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWireUpstream, echoReply, type WireReply, type WireRequest } from '../fixtures/fake-wire-upstream.js';
import { deferred } from '../fixtures/fake-client.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { RawConnection, jsonOf, rawExchange, type RawResult } from '../support/raw-client.js';
import { field } from '../support/strict-http1.js';
import { startTestShadowgate, eventually, metricValue, type StartedShadowgate } from '../support/shadowgate.js';

type After = { after(fn: () => Promise<void> | void): void };
type Script = (req: WireRequest) => WireReply;
interface Rig { legacy: FakeWireUpstream; agent: FakeWireUpstream; sg: StartedShadowgate }

async function rig(t: After, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, ...extra });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

const GET = (path = '/api/x', extra = '') => `GET ${path} HTTP/1.1\r\nHost: a\r\n${extra}\r\n`;
const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/**
 * Runs `bad` while another client's request is held in flight by legacy on its own
 * connection; that one must complete after the bad answer went out, and no guard fired.
 */
async function withInflight<T>(r: Rig, script: Script, bad: () => Promise<T>): Promise<T> {
  const release = deferred();
  r.legacy.script = (req) => (req.target === '/inflight' ? release.promise.then(() => echoReply(req)) : script(req));
  const inflight = rawExchange(r.sg.dataUrl, GET('/inflight', 'x-test-id: inflight\r\n'), 1, 10_000);
  await r.legacy.waitUntil(() => r.legacy.requests.some((q) => q.target === '/inflight'), 'the in-flight request reached legacy');
  const result = await bad();
  release.resolve();
  const other = await inflight;
  assert.equal(other.responses[0]?.status, 200, 'the request in flight on another connection completed');
  assert.equal(jsonOf(other.responses[0]!).id, 'inflight');
  assert.equal(await metricValue(r.sg, 'shadowgate_internal_errors_total'), 0, 'no last-resort guard had to fire');
  return result;
}

function errorCode(m: RawResult['responses'][number]): string {
  return (jsonOf(m).error as { code: string }).code;
}

async function expect502(r: Rig, script: Script, request = GET()): Promise<void> {
  const res = await withInflight(r, script, () => rawExchange(r.sg.dataUrl, request));
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.responses[0]?.status, 502);
  assert.equal(errorCode(res.responses[0]!), 'SG_LEGACY_UNAVAILABLE');
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
}

// ---- reason phrases: the code is valid, the phrase is dropped (RFC 9112 §4: clients ignore it)

for (const [name, ch] of [['DEL', '\x7f'], ['NUL', '\x00'], ['ESC', '\x1b'], ['BS', '\x08']] as const) {
  test(`reason phrase with ${name} (regression: ERR_INVALID_CHAR killed the process) => the answer with the phrase dropped, counted as a repair`, async (t) => {
    const r = await rig(t);
    const res = await withInflight(r, () => `HTTP/1.1 200 O${ch}K\r\ncontent-length: 2\r\nx-kept: 1\r\n\r\nok`, () => rawExchange(r.sg.dataUrl, GET()));
    assert.equal(res.error, undefined, res.error);
    assert.equal(res.responses[0]?.startLine, 'HTTP/1.1 200 OK');
    assert.equal(res.responses[0]?.body.toString(), 'ok');
    assert.deepEqual(field(res.responses[0]!, 'x-kept'), ['1']);
    assert.equal(await metricValue(r.sg, 'shadowgate_upstream_repairs_total', { upstream: 'legacy', kind: 'reason_phrase' }), 1);
    assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 0);
  });
}

test('a valid reason phrase (HTAB, SP, VCHAR) passes unchanged', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 200 Tout\tva bien!\r\ncontent-length: 2\r\n\r\nok';
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.equal(res.responses[0]?.startLine, 'HTTP/1.1 200 Tout\tva bien!');
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_repairs_total'), 0);
});

test('a reason phrase in obs-text that is not UTF-8 is dropped (undici decodes it as UTF-8; documented)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 200 tr\xe8s bien\r\ncontent-length: 2\r\n\r\nok';
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.equal(res.responses[0]?.startLine, 'HTTP/1.1 200 OK');
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_repairs_total', { kind: 'reason_phrase' }), 1);
});

// ---- status codes node cannot write (RFC 9110 §15: 100-599) --------------------------------

for (const status of ['099', '000', '600', '999', 'abc', '20', '2000', '-20']) {
  test(`status ${status} (regression: ERR_HTTP_INVALID_STATUS_CODE killed the process) => 502 invalid_response for that client only`, async (t) => {
    await expect502(await rig(t), () => `HTTP/1.1 ${status} Whatever\r\ncontent-length: 2\r\n\r\nok`);
  });
}

// ---- header lines: undici refuses what node would refuse; either way a 502 ---------------

const badHeads: [string, string][] = [
  ['a control character in a value', 'HTTP/1.1 200 OK\r\nx-a: a\x01b\r\ncontent-length: 2\r\n\r\nok'],
  ['NUL in a value', 'HTTP/1.1 200 OK\r\nx-a: a\x00b\r\ncontent-length: 2\r\n\r\nok'],
  ['DEL in a value', 'HTTP/1.1 200 OK\r\nx-a: a\x7fb\r\ncontent-length: 2\r\n\r\nok'],
  ['a lone CR in a value', 'HTTP/1.1 200 OK\r\nx-a: a\rb\r\ncontent-length: 2\r\n\r\nok'],
  ['a space in a name', 'HTTP/1.1 200 OK\r\nx a: b\r\ncontent-length: 2\r\n\r\nok'],
  ['a separator in a name', 'HTTP/1.1 200 OK\r\nx(a): b\r\ncontent-length: 2\r\n\r\nok'],
  ['an empty name', 'HTTP/1.1 200 OK\r\n: b\r\ncontent-length: 2\r\n\r\nok'],
  ['obs-fold', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  2\r\ncontent-length: 2\r\n\r\nok'],
  ['bare LF line ends', 'HTTP/1.1 200 OK\nx-a: 1\ncontent-length: 2\n\nok'],
  ['two Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nokk'],
  ['a negative Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\nok'],
  ['an unknown HTTP version', 'HTTP/1.2 200 OK\r\ncontent-length: 2\r\n\r\nok'],
  ['no HTTP at all', 'ICY 200 OK\r\ncontent-length: 2\r\n\r\nok'],
  ['a 70 KB header', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70_000)}\r\ncontent-length: 2\r\n\r\nok`],
];
for (const [name, bytes] of badHeads) {
  test(`legacy header lines with ${name} => 502 invalid_response`, async (t) => {
    await expect502(await rig(t), () => bytes);
  });
}

// ---- 1xx ------------------------------------------------------------------------------------

test('103 Early Hints with a Link node refuses: the hints are dropped (counted), the final answer is served', async (t) => {
  const r = await rig(t);
  const res = await withInflight(r, () => `HTTP/1.1 103 Early Hints\r\nlink: not a link at all\r\n\r\n${OK}`, () => rawExchange(r.sg.dataUrl, GET()));
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(res.responses.map((m) => m.status), [200]);
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_repairs_total', { upstream: 'legacy', kind: 'informational' }), 1);
});

test('103 Early Hints with a valid Link and 102 Processing are forwarded before the final answer', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => `HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </app.css>; rel=preload\r\n\r\n${OK}`;
  const c = new RawConnection(r.sg.dataUrl);
  t.after(() => c.destroy());
  await c.write(GET());
  const res = await c.responses(3);
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(res.responses.map((m) => m.status), [102, 103, 200]);
  assert.deepEqual(field(res.responses[1]!, 'link'), ['</app.css>; rel=preload']);
});

test('1xx answers never reach an HTTP/1.0 client (RFC 9110 §15.2)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => `HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n${OK}`;
  const res = await rawExchange(r.sg.dataUrl, 'GET /api/x HTTP/1.0\r\nHost: a\r\n\r\n');
  assert.deepEqual(res.responses.map((m) => m.status), [200]);
});

test('an unsolicited 100 Continue => 502 invalid_response (undici refuses it; documented)', async (t) => {
  await expect502(await rig(t), () => `HTTP/1.1 100 Continue\r\n\r\n${OK}`);
});

test('a 101 to a request that asked for no upgrade => 502 invalid_response', async (t) => {
  await expect502(await rig(t), () => 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\nGET /x HTTP/1.1\r\n\r\n');
});

test('1xx codes without a node API (150, 199) are dropped; the final answer is served', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => `HTTP/1.1 150 Odd\r\n\r\nHTTP/1.1 199 Odder\r\n\r\n${OK}`;
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.deepEqual(res.responses.map((m) => m.status), [200]);
});

// ---- bodiless answers -------------------------------------------------------------------------

test('304 with a Content-Length (RFC 9110 §8.6 allows it) reaches the client (regression: undici called it a length mismatch and the client got a cut connection and no answer)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 304 Not Modified\r\netag: "v1"\r\ncontent-length: 1234\r\n\r\n';
  const c = new RawConnection(r.sg.dataUrl);
  t.after(() => c.destroy());
  await c.write(GET('/api/x', 'if-none-match: "v1"\r\n'));
  await c.write(GET('/api/y', 'if-none-match: "v1"\r\n'));
  const res = await c.responses(2);
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(res.responses.map((m) => [m.status, field(m, 'etag')[0], field(m, 'content-length')[0]]), [[304, '"v1"', '1234'], [304, '"v1"', '1234']]);
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total'), 0);
});

test('204 with a Content-Length (forbidden, RFC 9110 §8.6) reaches the client without it', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 204 No Content\r\ncontent-length: 2\r\nx-kept: 1\r\n\r\n';
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.responses[0]?.status, 204);
  assert.deepEqual(field(res.responses[0]!, 'content-length'), []);
  assert.deepEqual(field(res.responses[0]!, 'x-kept'), ['1']);
});

// ---- trailers -------------------------------------------------------------------------------

test('valid trailers pass to the client', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n2\r\nok\r\n0\r\nx-checksum: abc\r\n\r\n';
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(res.responses[0]!.trailers, [['x-checksum', 'abc']]);
});

test('an invalid trailer after the body: the client connection is cut (the body was already sent), counted; other clients unaffected', async (t) => {
  const r = await rig(t);
  const res = await withInflight(r, () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-t\r\n\r\n2\r\nok\r\n0\r\nx-t: a\x7fb\r\n\r\n', async () => {
    const c = new RawConnection(r.sg.dataUrl);
    try {
      await c.write(GET());
      assert.equal(await c.closes(), true, 'cut: the only honest signal once the head is sent');
      return c.read();
    } finally { c.destroy(); }
  });
  assert.equal(res.responses.length, 0, 'no complete answer: the client cannot mistake it for a whole one');
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
});

// ---- OPTIONS * (node's client, not undici) ---------------------------------------------------

test('OPTIONS *: status 099 => 502 invalid_response; a bad reason phrase is dropped', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => ({ bytes: 'HTTP/1.1 099 Low\r\ncontent-length: 0\r\n\r\n', close: true });
  const res = await rawExchange(r.sg.dataUrl, 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(res.responses[0]?.status, 502);
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
  r.legacy.script = () => ({ bytes: 'HTTP/1.1 200 O\x7fK\r\nallow: GET\r\ncontent-length: 0\r\n\r\n', close: true });
  const ok = await rawExchange(r.sg.dataUrl, 'OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(ok.responses[0]?.startLine, 'HTTP/1.1 200 OK');
  assert.deepEqual(field(ok.responses[0]!, 'allow'), ['GET']);
});

// ---- answers to upgrade requests --------------------------------------------------------------

const WS = 'GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** One upgrade request; the answer read until the proxy closes the connection. */
async function upgradeAnswer(r: Rig): Promise<RawResult> {
  const c = new RawConnection(r.sg.dataUrl);
  try {
    await c.write(WS);
    await c.closes();
    return c.read();
  } finally { c.destroy(); }
}

for (const [name, reply] of [
  ['status 099', 'HTTP/1.1 099 Low\r\ncontent-length: 2\r\n\r\nno'],
  ['status 600', 'HTTP/1.1 600 High\r\ncontent-length: 2\r\n\r\nno'],
  ['a header node refuses', 'HTTP/1.1 400 Bad\r\nx-a: \x01\r\ncontent-length: 2\r\n\r\nno'],
] as const) {
  test(`upgrade declined with ${name} => 502 invalid_response (regression: copied raw onto the client socket)`, async (t) => {
    const r = await rig(t);
    const res = await withInflight(r, () => ({ bytes: reply, close: true }), () => upgradeAnswer(r));
    assert.equal(res.error, undefined, res.error);
    assert.equal(res.responses[0]?.status, 502);
    assert.equal(errorCode(res.responses[0]!), 'SG_LEGACY_UNAVAILABLE');
    assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
  });
}

test('upgrade declined with a chunked body and hop-by-hop headers: framed by us, hop-by-hop dropped (regression: Transfer-Encoding copied over a de-chunked body)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 426 Upgrade Required\r\ntransfer-encoding: chunked\r\nconnection: x-hop\r\nx-hop: 1\r\nkeep-alive: timeout=5\r\nx-kept: k\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n';
  const res = await upgradeAnswer(r);
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.responses.length, 1);
  const m = res.responses[0]!;
  assert.deepEqual([m.status, m.body.toString()], [426, 'hello world']);
  assert.deepEqual([field(m, 'transfer-encoding'), field(m, 'x-hop'), field(m, 'keep-alive'), field(m, 'x-kept'), field(m, 'connection')], [[], [], [], ['k'], ['close']]);
});

test('upgrade declined with a Content-Length body: the length and the exact body pass; a bad reason phrase is dropped (counted)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => 'HTTP/1.1 403 No\x7fpe\r\ncontent-length: 6\r\n\r\ndenied';
  const res = await upgradeAnswer(r);
  assert.equal(res.error, undefined, res.error);
  const m = res.responses[0]!;
  assert.deepEqual([m.startLine, m.framing, m.body.toString()], ['HTTP/1.1 403 Forbidden', 'content-length', 'denied']);
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_repairs_total', { upstream: 'legacy', kind: 'reason_phrase' }), 1);
});

test('a 101 with a bad reason phrase: the client gets a clean 101 and the tunnel', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => ({ bytes: 'HTTP/1.1 101 S\x7fwitch\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', upgrade: true });
  const c = new RawConnection(r.sg.dataUrl);
  t.after(() => c.destroy());
  await c.write(WS);
  const res = await c.responses(1);
  assert.equal(res.responses[0]?.startLine, 'HTTP/1.1 101 Switching Protocols');
  const before = c.bytes.length;
  await c.write('ping');
  await eventually(() => c.bytes.length >= before + 4, 'tunnel echo');
});

test('legacy closes without answering the upgrade => 502 (regression: the client connection was dropped without an answer)', async (t) => {
  const r = await rig(t);
  r.legacy.script = () => ({ bytes: '', close: true });
  const res = await upgradeAnswer(r);
  assert.equal(res.responses[0]?.status, 502);
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 1);
});

// ---- the agent's answers on the serve path: a bad one falls back to legacy --------------------

async function serveRig(t: After): Promise<Rig> {
  const flags = tempFlagFile([{ name: 'q.serve', rollout: 100 }]);
  return rig(t, { flags: { file: flags.file }, routes: [{ name: 'q', match: { path: '/api/*' } }] });
}

for (const [name, reply] of [
  ['status 099', 'HTTP/1.1 099 Low\r\ncontent-length: 2\r\n\r\nno'],
  ['status 600', 'HTTP/1.1 600 High\r\ncontent-length: 2\r\n\r\nno'],
  ['a control character in a header', 'HTTP/1.1 200 OK\r\nx-a: \x01\r\ncontent-length: 2\r\n\r\nno'],
  ['Content-Length and Transfer-Encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n'],
  ['an unsolicited 100', `HTTP/1.1 100 Continue\r\n\r\n${OK}`],
  ['a 101', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\nconnection: upgrade\r\n\r\n'],
  ['no HTTP', 'garbage\r\n\r\n'],
] as const) {
  test(`serve path: the agent answers with ${name} => legacy serves (a counted fallback), never a crash`, async (t) => {
    const r = await serveRig(t);
    r.agent.script = () => ({ bytes: reply, close: true });
    const res = await withInflight(r, echoReply, () => rawExchange(r.sg.dataUrl, GET('/api/served', 'x-test-id: S\r\n')));
    assert.equal(res.error, undefined, res.error);
    assert.equal(res.responses[0]?.status, 200);
    assert.deepEqual(field(res.responses[0]!, 'x-shadowgate-served-by'), ['legacy']);
    assert.equal(jsonOf(res.responses[0]!).id, 'S');
    assert.equal(await metricValue(r.sg, 'shadowgate_fallbacks_total', { route: 'q' }), 1);
    assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'agent', kind: 'invalid_response' }) >= 1, true, 'counted as an invalid agent answer');
  });
}

test('serve path: the agent\'s bad reason phrase is not served (node writes its own); a 103 with a bad Link is ignored', async (t) => {
  const r = await serveRig(t);
  r.agent.script = () => `HTTP/1.1 103 EH\r\nlink: not a link\r\n\r\nHTTP/1.1 200 O\x7fK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`;
  const res = await rawExchange(r.sg.dataUrl, GET());
  assert.equal(res.error, undefined, res.error);
  assert.deepEqual(res.responses.map((m) => m.startLine), ['HTTP/1.1 200 OK']);
  assert.deepEqual(field(res.responses[0]!, 'x-shadowgate-served-by'), ['agent']);
});

test('shadow copy: the agent answering with status 099 is an agent error in the comparison, the client gets legacy\'s answer', async (t) => {
  const r = await rig(t);
  r.agent.script = () => 'HTTP/1.1 099 Low\r\ncontent-length: 0\r\n\r\n';
  const res = await rawExchange(r.sg.dataUrl, GET('/api/x', 'x-test-id: C\r\n'));
  assert.equal(jsonOf(res.responses[0]!).id, 'C');
  await eventually(async () => (await metricValue(r.sg, 'shadowgate_comparisons_total', { result: 'agent_error' })) === 1, 'judged agent_error');
  assert.equal(await metricValue(r.sg, 'shadowgate_upstream_errors_total', { upstream: 'agent', kind: 'invalid_response' }), 1);
});
