// Connection-level limits, on raw sockets: a client that trickles its head or its body is cut
// (408) once server.headersTimeoutMs / server.requestTimeoutMs are spent (regression: slow
// heads were held for 66 s, tied to the keep-alive timeout); past server.maxConnections new
// connections are refused and counted; header overflow is 431 (RFC 6585 §5), other parse
// errors 400. Asserted by what happens and what is counted, with generous bounds: never by
// how long it took.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeWireUpstream } from '../fixtures/fake-wire-upstream.js';
import { RawConnection, jsonOf, rawExchange } from '../support/raw-client.js';
import { startTestShadowgate, eventually, metricValue, type StartedShadowgate } from '../support/shadowgate.js';

type After = { after(fn: () => Promise<void> | void): void };

async function rig(t: After, server: Record<string, unknown> = {}): Promise<{ sg: StartedShadowgate; legacy: FakeWireUpstream }> {
  const legacy = await new FakeWireUpstream().start();
  const agent = await new FakeWireUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, server });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { sg, legacy };
}

/** Writes `bytes` one at a time, `everyMs` apart, until done or the connection closes; returns how many went out. */
async function trickle(c: RawConnection, bytes: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const ch of bytes) {
    if (c.closed) break;
    await c.write(ch);
    sent++;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return sent;
}

const OPEN = 'shadowgate_connections_open';

test('server.headersTimeoutMs: a client trickling its head is cut with 408 while still sending; a prompt one on another connection is served', async (t) => {
  const { sg, legacy } = await rig(t, { headersTimeoutMs: 300, requestTimeoutMs: 1000 });
  const slow = new RawConnection(sg.dataUrl);
  t.after(() => slow.destroy());
  // 120 header bytes at one per 50 ms would take 6 s: far past 300 ms, whatever the machine's load.
  const head = `GET /api/slow HTTP/1.1\r\nHost: a\r\nx-pad: ${'p'.repeat(100)}\r\n\r\n`;
  const sending = trickle(slow, head, 50);
  const prompt = await rawExchange(sg.dataUrl, 'GET /api/prompt HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(prompt.responses[0]?.status, 200, 'a client that sends its head at once is served meanwhile');
  assert.equal(await slow.closes(10_000), true, 'the trickling client was cut');
  const sent = await sending;
  assert.ok(sent < head.length, `cut before the head was complete (${sent} of ${head.length} bytes)`);
  const r = slow.read();
  assert.equal(r.responses[0]?.status, 408);
  assert.equal((jsonOf(r.responses[0]!).error as { code: string }).code, 'SG_REQUEST_TIMEOUT');
  assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'timeout' }), 1);
  assert.deepEqual(legacy.requests.map((q) => q.target), ['/api/prompt'], 'the slow head never reached legacy');
});

test('server.requestTimeoutMs: a client trickling its body is cut with 408; the half-sent body never reaches legacy', async (t) => {
  const { sg, legacy } = await rig(t, { headersTimeoutMs: 300, requestTimeoutMs: 600 });
  const slow = new RawConnection(sg.dataUrl);
  t.after(() => slow.destroy());
  await slow.write('POST /api/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n');
  const sending = trickle(slow, 'b'.repeat(200), 50); // 10 s at this pace
  assert.equal(await slow.closes(10_000), true, 'the trickling upload was cut');
  assert.ok((await sending) < 200, 'cut before the body was complete');
  assert.equal(slow.read().responses[0]?.status, 408);
  assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'timeout' }), 1);
  assert.equal(legacy.requests.length, 0, 'a body read whole before legacy is called: legacy never heard of it');
  assert.equal(legacy.connections.length, 0);
});

test('server.requestTimeoutMs on a streamed (chunked) upload: the client is cut, so is the legacy call; the next client gets its own answer', async (t) => {
  const { sg, legacy } = await rig(t, { headersTimeoutMs: 300, requestTimeoutMs: 600, maxSockets: 1 });
  const slow = new RawConnection(sg.dataUrl);
  t.after(() => slow.destroy());
  await slow.write('POST /api/stream HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n');
  const sending = (async () => { for (let i = 0; i < 200 && !slow.closed; i++) { await slow.write('1\r\nx\r\n'); await new Promise((r) => setTimeout(r, 50)); } })();
  assert.equal(await slow.closes(10_000), true, 'the trickling upload was cut');
  await sending;
  await legacy.waitUntil(() => legacy.connections.every((c) => c.closed), 'the legacy connection carrying the half-sent upload was closed');
  const next = await rawExchange(sg.dataUrl, 'GET /api/next HTTP/1.1\r\nHost: a\r\nx-test-id: N\r\n\r\n');
  assert.equal(jsonOf(next.responses[0]!).id, 'N');
  assert.deepEqual(legacy.requests.map((q) => q.target), ['/api/next'], 'the half-sent upload was never a complete request');
});

test('server.maxConnections: the connection past the cap is refused and counted; shadowgate_connections_open goes up and back down', async (t) => {
  const { sg } = await rig(t, { maxConnections: 5 });
  await eventually(async () => (await metricValue(sg, OPEN)) === 0, 'no connection yet');
  const held: RawConnection[] = [];
  t.after(() => { for (const c of held) c.destroy(); });
  for (let i = 0; i < 5; i++) {
    const c = new RawConnection(sg.dataUrl);
    held.push(c);
    await c.write(`GET /api/${i} HTTP/1.1\r\nHost: a\r\n\r\n`);
    await c.responses(1); // served, and kept open (keep-alive)
  }
  await eventually(async () => (await metricValue(sg, OPEN)) === 5, 'five open');
  const sixth = new RawConnection(sg.dataUrl);
  held.push(sixth);
  await sixth.write('GET /api/6 HTTP/1.1\r\nHost: a\r\n\r\n').catch(() => undefined);
  assert.equal(await sixth.closes(), true, 'the sixth connection was refused');
  assert.equal(sixth.read().responses.length, 0);
  assert.equal(await metricValue(sg, 'shadowgate_connections_rejected_total'), 1);
  assert.equal(await metricValue(sg, OPEN), 5);
  for (const c of held.splice(0, 5)) c.destroy();
  await eventually(async () => (await metricValue(sg, OPEN)) === 0, 'all closed again');
  const after = await rawExchange(sg.dataUrl, 'GET /api/after HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(after.responses[0]?.status, 200, 'below the cap again: served');
});

test('the defaults: headersTimeoutMs 10000, requestTimeoutMs 60000, maxConnections 10000, separate from keepAliveTimeoutMs', async (t) => {
  const { sg } = await rig(t);
  assert.deepEqual(
    [sg.config.server.headersTimeoutMs, sg.config.server.requestTimeoutMs, sg.config.server.maxConnections, sg.config.server.keepAliveTimeoutMs],
    [10_000, 60_000, 10_000, 65_000],
  );
});

// ---- 431 and 400 ------------------------------------------------------------------------------

for (const [name, bytes] of [
  ['one 20 KiB header', `GET /api/x HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`],
  ['3000 small headers', `GET /api/x HTTP/1.1\r\nHost: a\r\n${Array.from({ length: 3000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`],
  ['a 20 KiB cookie', `GET /api/x HTTP/1.1\r\nHost: a\r\nCookie: s=${'c'.repeat(20 * 1024)}\r\n\r\n`],
] as const) {
  test(`header overflow (${name}, past node's 16 KiB) => 431 (RFC 6585 §5), counted header_too_large, connection closed`, async (t) => {
    const { sg, legacy } = await rig(t);
    const c = new RawConnection(sg.dataUrl);
    t.after(() => c.destroy());
    await c.write(bytes).catch(() => undefined);
    await c.responses(1);
    assert.equal(await c.closes(), true);
    const r = c.read();
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.responses[0]?.status, 431);
    assert.equal(r.responses[0]?.reason, 'Request Header Fields Too Large');
    assert.equal((jsonOf(r.responses[0]!).error as { code: string }).code, 'SG_HEADERS_TOO_LARGE');
    assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'header_too_large' }), 1);
    assert.equal(legacy.connections.length, 0);
  });
}

test('headers just under the limit pass', async (t) => {
  const { sg, legacy } = await rig(t);
  const r = await rawExchange(sg.dataUrl, `GET /api/x HTTP/1.1\r\nHost: a\r\nx-big: ${'a'.repeat(15 * 1024)}\r\n\r\n`);
  assert.equal(r.responses[0]?.status, 200);
  assert.equal(legacy.requests[0]!.fields.find(([n]) => n === 'x-big')?.[1].length, 15 * 1024);
});

for (const [name, bytes] of [
  ['a garbage request line', 'HELLO THERE\r\n\r\n'],
  ['an unknown HTTP version', 'GET /api/x HTTP/3.7\r\nHost: a\r\n\r\n'],
  ['a space in the target', 'GET /api/x y HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['a control character in the target', 'GET /api/\x01 HTTP/1.1\r\nHost: a\r\n\r\n'],
  ['an invalid method token', 'G@T /api/x HTTP/1.1\r\nHost: a\r\n\r\n'],
] as const) {
  test(`other parse errors (${name}) stay 400, counted bad_request`, async (t) => {
    const { sg, legacy } = await rig(t);
    const r = await rawExchange(sg.dataUrl, bytes);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.responses[0]?.status, 400);
    assert.equal(await metricValue(sg, 'shadowgate_requests_rejected_total', { reason: 'bad_request' }), 1);
    assert.equal(legacy.connections.length, 0);
  });
}
