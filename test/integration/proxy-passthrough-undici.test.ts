// Pass-through guarantees of the undici path, beyond the ones http-proxy held: legacy's
// reason phrase, header case, order and repeats, 102/103 informational answers, trailers,
// OPTIONS *, request bodies that stream or were read whole, and a legacy that fails while
// the client is still uploading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest } from '../fixtures/fake-client.js';
import { metricValue, startTestShadowgate, type StartedShadowgate } from '../support/shadowgate.js';

type After = { after(fn: () => Promise<void> | void): void };

/** A legacy that answers every request with `reply` raw bytes and records what it received. */
async function rawLegacy(t: After, reply: (request: string) => string): Promise<{ url: string; received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buf.slice(0, end);
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      received.push(buf.slice(0, end + 4 + length));
      socket.write(reply(head), 'latin1');
      buf = buf.slice(end + 4 + length);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, received };
}

async function proxy(t: After, legacyUrl: string, extra: Record<string, unknown> = {}): Promise<StartedShadowgate> {
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacyUrl, agent: agent.url, routes: [{ name: 'all', match: { path: '/*' }, shadow: { percent: 0 } }], ...extra });
  t.after(async () => { await sg.close(); await agent.stop(); });
  return sg;
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ res: http.IncomingMessage; body: string; informational: { status: number; headers: http.IncomingHttpHeaders }[] }> {
  return new Promise((resolve, reject) => {
    const informational: { status: number; headers: http.IncomingHttpHeaders }[] = [];
    const req = http.get(url, { agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ res, body, informational }));
    });
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: info.headers }));
    req.on('error', reject);
  });
}

test("legacy's reason phrase, header case, order and repeated headers reach the client as sent", async (t) => {
  const legacy = await rawLegacy(t, () => 'HTTP/1.1 200 All Good Here\r\nX-Custom-Case: Yes\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok');
  const sg = await proxy(t, legacy.url);
  const { res, body } = await rawGet(`${sg.dataUrl}/x`);
  assert.equal(res.statusCode, 200);
  assert.equal(res.statusMessage, 'All Good Here');
  assert.equal(body, 'ok');
  const names = res.rawHeaders.filter((_, i) => i % 2 === 0);
  assert.ok(names.includes('X-Custom-Case'), 'case kept');
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2'], 'repeated headers kept apart');
  assert.ok(names.indexOf('X-Custom-Case') < names.indexOf('Content-Type'), 'order kept');
});

test('102 Processing and 103 Early Hints from legacy reach an HTTP/1.1 client before the answer', async (t) => {
  const legacy = await rawLegacy(t, () => 'HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone');
  const sg = await proxy(t, legacy.url);
  const { res, body, informational } = await rawGet(`${sg.dataUrl}/x`);
  assert.equal(res.statusCode, 200);
  assert.equal(body, 'done');
  assert.deepEqual(informational.map((i) => i.status), [102, 103]);
  assert.equal(informational[1]!.headers.link, '</app.css>; rel=preload');
});

test('an HTTP/1.0 client never gets a 1xx (RFC 9110 §15.2)', async (t) => {
  const legacy = await rawLegacy(t, () => 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  const sg = await proxy(t, legacy.url);
  const u = new URL(sg.dataUrl);
  const text = await new Promise<string>((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write('GET /x HTTP/1.0\r\nHost: h\r\n\r\n'));
    let out = '';
    s.on('data', (d: Buffer) => { out += d.toString(); });
    s.on('close', () => resolve(out));
  });
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.doesNotMatch(text, /103/);
});

test('trailers of a chunked legacy answer reach the client', async (t) => {
  const legacy = await new FakeUpstream().start();
  t.after(() => legacy.stop());
  legacy.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
    res.write('part-1 ');
    res.addTrailers({ 'x-checksum': 'abc123' });
    res.end('part-2');
  };
  const sg = await proxy(t, legacy.url);
  const got = await new Promise<{ body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
    http.get(`${sg.dataUrl}/t`, { agent: false, headers: { te: 'trailers' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ body, trailers: res.trailers }));
    }).on('error', reject);
  });
  assert.equal(got.body, 'part-1 part-2');
  assert.equal(got.trailers['x-checksum'], 'abc123');
});

test('OPTIONS * reaches legacy in asterisk-form, and its answer comes back', async (t) => {
  const legacy = await rawLegacy(t, () => 'HTTP/1.1 200 OK\r\nAllow: GET, POST, OPTIONS\r\nContent-Length: 0\r\n\r\n');
  const sg = await proxy(t, legacy.url);
  const u = new URL(sg.dataUrl);
  const text = await new Promise<string>((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write('OPTIONS * HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n'));
    let out = '';
    s.on('data', (d: Buffer) => { out += d.toString(); });
    s.on('close', () => resolve(out));
  });
  assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(text, /allow: GET, POST, OPTIONS/i);
  assert.match(legacy.received[0] ?? '', /^OPTIONS \* HTTP\/1\.1\r\n/);
});

test('a POST to a legacy that is down gets the 502 JSON, for a small (read whole) and a large (streamed) body', async (t) => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const sg = await proxy(t, `http://127.0.0.1:${port}`);
  for (const size of [2048, 512 * 1024]) {
    const res = await clientRequest(`${sg.dataUrl}/upload`, { method: 'POST', body: randomBytes(size) });
    assert.equal(res.status, 502, `body of ${size} bytes`);
    assert.equal((JSON.parse(res.body.toString()) as { error: { code: string } }).error.code, 'SG_LEGACY_UNAVAILABLE');
  }
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'connection' }), 2);
});

test('legacy that answers before it has read the upload (413): the client gets the 413', async (t) => {
  // (Legacy keeps reading what follows: one that closes with unread data makes its TCP stack
  // reset the connection, and then no proxy can deliver the answer.)
  const server = http.createServer((req, res) => { res.writeHead(413, { 'content-type': 'text/plain' }); res.end('too big'); req.resume(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
  const sg = await proxy(t, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  const res = await clientRequest(`${sg.dataUrl}/upload`, { method: 'POST', body: randomBytes(256 * 1024) });
  assert.equal(res.status, 413);
  assert.equal(res.body.toString(), 'too big');
});

test('a client that gives up mid-upload of a small body: legacy never hears of the request', async (t) => {
  const legacy = await new FakeUpstream().start();
  t.after(() => legacy.stop());
  const sg = await proxy(t, legacy.url);
  const u = new URL(sg.dataUrl);
  await new Promise<void>((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.write('POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nonly a part');
      setTimeout(() => { s.destroy(); resolve(); }, 100);
    });
    s.on('error', () => {});
  });
  const ok = await clientRequest(`${sg.dataUrl}/next`);
  assert.equal(ok.status, 200);
  assert.deepEqual(legacy.seen.map((r) => r.url), ['/next']);
});

test("a client cannot send the proxy's own markers: x-shadowgate-* request headers reach neither legacy nor the agent", async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });
  t.after(() => sg.close());
  await clientRequest(`${sg.dataUrl}/x`, { headers: { 'x-shadowgate-shadow': '1', 'x-shadowgate-sample-id': 'forged', 'x-shadowgate-calibration': '1', 'x-other': 'kept' } });
  await agent.waitFor(1);
  const l = legacy.seen[0]!.headers;
  assert.equal(l['x-shadowgate-shadow'], undefined);
  assert.equal(l['x-shadowgate-sample-id'], undefined);
  assert.equal(l['x-shadowgate-calibration'], undefined);
  assert.equal(l['x-other'], 'kept');
  const a = agent.seen[0]!.headers;
  assert.equal(a['x-shadowgate-shadow'], '1', "the agent's marker is the proxy's own");
  assert.notEqual(a['x-shadowgate-sample-id'], 'forged');
  assert.equal(a['x-shadowgate-calibration'], undefined);
});
