// Pass-through fidelity: whatever legacy says reaches the client unchanged (framing,
// streaming, status codes without bodies, upgrades), and legacy sees the client's request
// as sent, minus hop-by-hop headers, plus forwarding headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest, deferred } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate }
type After = { after(fn: () => Promise<void> | void): void };

async function rig(t: After, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, ...extra });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('binary request and response bodies pass byte for byte', async (t) => {
  const { sg, legacy } = await rig(t);
  const payload = randomBytes(64 * 1024);
  const answer = randomBytes(48 * 1024);
  legacy.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': answer.length });
    res.end(answer);
  };
  const res = await clientRequest(`${sg.dataUrl}/blob`, { method: 'POST', body: payload, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(res.status, 200);
  assert.ok(legacy.seen[0]!.body.equals(payload), 'legacy got the exact request bytes');
  assert.ok(res.body.equals(answer), 'client got the exact response bytes');
  assert.equal(res.headers['content-length'], String(answer.length));
});

test('chunked response (no content-length, several writes) stays chunked and complete', async (t) => {
  const { sg, legacy } = await rig(t);
  const parts = ['alpha-', 'beta-', 'gamma-', 'delta'];
  legacy.handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const part of parts) {
      res.write(part);
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  };
  const res = await clientRequest(`${sg.dataUrl}/chunked`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  assert.equal(res.headers['content-length'], undefined);
  assert.equal(res.body.toString(), parts.join(''));
});

test('server-sent events stream: the first event reaches the client before legacy ends the stream', async (t) => {
  const { sg, legacy } = await rig(t);
  const finish = deferred();
  let legacyEnded = false;
  legacy.handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write('event: tick\ndata: first\n\n');
    await finish.promise;
    res.end('event: tick\ndata: second\n\n');
    legacyEnded = true;
  };
  t.after(() => finish.resolve());

  const { res, firstEvent } = await new Promise<{ res: http.IncomingMessage; firstEvent: string }>((resolve, reject) => {
    const req = http.get(`${sg.dataUrl}/events`, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      let text = '';
      const onData = (c: Buffer) => {
        text += c.toString();
        if (text.includes('\n\n')) { res.off('data', onData); res.pause(); resolve({ res, firstEvent: text }); }
      };
      res.on('data', onData);
    });
    req.on('error', reject);
  });
  assert.equal(res.headers['content-type'], 'text/event-stream');
  assert.match(firstEvent, /data: first/);
  assert.equal(legacyEnded, false, 'legacy has not ended the stream yet');

  finish.resolve();
  let rest = '';
  res.on('data', (c: Buffer) => { rest += c.toString(); });
  res.resume();
  await new Promise((r) => res.once('end', r));
  assert.match(rest, /data: second/);
});

test('a quiet event stream outlives legacy.timeoutMs (streams get legacy.streamIdleTimeoutMs, none by default)', async (t) => {
  const { sg, legacy } = await rig(t, { legacyOptions: { timeoutMs: 200 } });
  legacy.handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    await new Promise((r) => setTimeout(r, 600)); // quiet for three idle timeouts
    res.end('data: second\n\n');
  };
  const res = await clientRequest(`${sg.dataUrl}/events`);
  assert.equal(res.status, 200);
  assert.match(res.body.toString(), /data: first\n\ndata: second/);
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 0);
});

test('HEAD: legacy headers (content-length included) and no body', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1234 }); res.end(); };
  const res = await clientRequest(`${sg.dataUrl}/thing`, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '1234');
  assert.equal(res.body.length, 0);
  assert.equal(legacy.seen[0]!.method, 'HEAD');
});

test('204 No Content passes with no body', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.handler = (_req, res) => { res.writeHead(204, { 'x-deleted': 'yes' }); res.end(); };
  const res = await clientRequest(`${sg.dataUrl}/thing/1`, { method: 'DELETE' });
  assert.equal(res.status, 204);
  assert.equal(res.headers['x-deleted'], 'yes');
  assert.equal(res.body.length, 0);
});

test('304 Not Modified: conditional headers reach legacy, 304 reaches the client', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.handler = (req, res) => {
    if (req.headers['if-none-match'] === '"v7"') { res.writeHead(304, { etag: '"v7"' }); res.end(); return; }
    res.writeHead(200, { etag: '"v7"', 'content-type': 'text/plain' }); res.end('fresh');
  };
  const res = await clientRequest(`${sg.dataUrl}/doc`, { headers: { 'if-none-match': '"v7"' } });
  assert.equal(res.status, 304);
  assert.equal(res.headers.etag, '"v7"');
  assert.equal(res.body.length, 0);
  assert.equal(legacy.seen[0]!.headers['if-none-match'], '"v7"');
});

test('5 MB request and 5 MB response arrive intact (sha256 equal)', async (t) => {
  const { sg, legacy } = await rig(t);
  const upload = randomBytes(5 * 1024 * 1024);
  const download = randomBytes(5 * 1024 * 1024);
  legacy.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': download.length });
    res.end(download);
  };
  const res = await clientRequest(`${sg.dataUrl}/big`, { method: 'PUT', body: upload, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(res.status, 200);
  assert.equal(sha256(legacy.seen[0]!.body), sha256(upload));
  assert.equal(sha256(res.body), sha256(download));
});

test('Expect: 100-continue: the client gets 100 Continue, then legacy answers with the body it received', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.handler = (_req, res, body) => { res.writeHead(201, { 'content-type': 'text/plain' }); res.end(`got ${body.length}`); };
  const body = Buffer.from('x'.repeat(10_000));
  const result = await new Promise<{ continued: boolean; status: number; text: string }>((resolve, reject) => {
    let continued = false;
    const req = http.request(`${sg.dataUrl}/upload`, {
      method: 'POST', agent: false,
      headers: { expect: '100-continue', 'content-type': 'text/plain', 'content-length': body.length },
    });
    req.on('continue', () => { continued = true; req.end(body); });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ continued, status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
  assert.equal(result.continued, true, 'body was sent only after 100 Continue');
  assert.equal(result.status, 201);
  assert.equal(result.text, `got ${body.length}`);
  assert.ok(legacy.seen[0]!.body.equals(body));
});

test('WebSocket upgrade passes through to legacy: 101 handshake, then raw bytes round-trip', async (t) => {
  const sockets: Socket[] = [];
  t.after(() => { for (const s of sockets) s.destroy(); }); // before the rig's close: after-hooks run in order
  const { sg, legacy } = await rig(t);
  let upgradeHeaders: http.IncomingHttpHeaders | undefined;
  const accept = (key: string) => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  legacy.server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.push(socket);
    upgradeHeaders = req.headers;
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
    if (head.length > 0) socket.write(head);
    socket.on('data', (d: Buffer) => socket.write(d)); // echo, frame bytes untouched
    socket.on('end', () => socket.end());
  });
  const key = randomBytes(16).toString('base64');
  const { res, socket } = await new Promise<{ res: http.IncomingMessage; socket: Socket }>((resolve, reject) => {
    const req = http.request(`${sg.dataUrl}/ws/chat`, {
      agent: false,
      headers: { host: 'chat.example', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
    });
    req.on('upgrade', (res, socket) => resolve({ res, socket }));
    req.on('response', (res) => reject(new Error(`expected an upgrade, got ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
  sockets.push(socket);

  assert.equal(res.statusCode, 101);
  assert.equal(res.headers['sec-websocket-accept'], accept(key));
  assert.equal(upgradeHeaders?.upgrade, 'websocket');
  assert.equal(upgradeHeaders?.host, 'chat.example');
  assert.equal(upgradeHeaders?.['x-forwarded-host'], 'chat.example', 'forwarding headers on upgrades too');
  assert.match(String(upgradeHeaders?.forwarded), /^for=127\.0\.0\.1;proto=http;host="chat\.example"$/);

  // A masked text frame "hello" as a browser would send it; legacy echoes the raw bytes.
  const mask = randomBytes(4);
  const frame = Buffer.concat([Buffer.from([0x81, 0x85]), mask, Buffer.from('hello').map((b, i) => b ^ mask[i % 4]!)]);
  const echoed = await new Promise<Buffer>((resolve) => {
    let got = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => { got = Buffer.concat([got, d]); if (got.length >= frame.length) resolve(got); });
    socket.write(frame);
  });
  assert.ok(echoed.equals(frame));
});

test("the client's Host reaches legacy unchanged, with x-forwarded-* and forwarded set", async (t) => {
  const { sg, legacy } = await rig(t);
  await clientRequest(`${sg.dataUrl}/where?x=1`, { headers: { host: 'shop.example:8443' } });
  const seen = legacy.seen[0]!;
  assert.equal(seen.url, '/where?x=1');
  assert.equal(seen.headers.host, 'shop.example:8443');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  assert.equal(seen.headers['x-forwarded-host'], 'shop.example:8443');
  assert.equal(seen.headers.forwarded, 'for=127.0.0.1;proto=http;host="shop.example:8443"');
});

test('an existing forwarded header is appended to, not replaced', async (t) => {
  const { sg, legacy } = await rig(t);
  await clientRequest(`${sg.dataUrl}/where`, { headers: { host: 'a.example', forwarded: 'for=203.0.113.9;proto=https' } });
  assert.equal(legacy.seen[0]!.headers.forwarded, 'for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host="a.example"');
});

test('request hop-by-hop headers (connection-listed, keep-alive, te, proxy-connection) do not reach legacy', async (t) => {
  const { sg, legacy } = await rig(t);
  await clientRequest(`${sg.dataUrl}/hop`, {
    headers: {
      connection: 'keep-alive, x-hop-custom', 'x-hop-custom': 'private-to-this-hop', 'keep-alive': 'timeout=5, max=100',
      te: 'trailers', 'proxy-connection': 'keep-alive', 'x-end-to-end': 'kept',
    },
  });
  const h = legacy.seen[0]!.headers;
  assert.equal(h['x-hop-custom'], undefined);
  assert.equal(h['keep-alive'], undefined);
  assert.equal(h.te, undefined);
  assert.equal(h['proxy-connection'], undefined);
  assert.equal(h['x-end-to-end'], 'kept');
});

test('response hop-by-hop headers from legacy do not reach the client', async (t) => {
  const { sg, legacy } = await rig(t);
  legacy.handler = (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/plain', connection: 'keep-alive, x-resp-hop', 'x-resp-hop': 'legacy-private',
      'keep-alive': 'timeout=99, max=7', 'proxy-connection': 'keep-alive', 'x-resp-e2e': 'kept',
    });
    res.end('ok');
  };
  const res = await clientRequest(`${sg.dataUrl}/hop`);
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-resp-hop'], undefined);
  assert.equal(res.headers['proxy-connection'], undefined);
  assert.notEqual(res.headers['keep-alive'], 'timeout=99, max=7', "legacy's keep-alive parameters are its own hop's");
  assert.doesNotMatch(String(res.headers.connection), /x-resp-hop/);
  assert.equal(res.headers['x-resp-e2e'], 'kept');
  assert.equal(res.headers['x-shadowgate-served-by'], 'legacy');
});

test('a path no route matches passes through, is not mirrored, and is counted under route "unmatched"', async (t) => {
  const { sg, legacy, agent } = await rig(t, { routes: [{ name: 'api', match: { path: '/api/*' } }] });
  legacy.handler = legacy.json(200, { here: true });
  const res = await clientRequest(`${sg.dataUrl}/static/app.js`);
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body.toString()), { here: true });
  assert.equal(legacy.seen[0]!.url, '/static/app.js');
  await eventually(async () => (await metricValue(sg, 'shadowgate_requests_total', { route: 'unmatched', status_class: '2xx', served_by: 'legacy' })) === 1, 'unmatched request counted');
  assert.equal(await metricValue(sg, 'shadowgate_requests_total', { route: 'api' }), 0);
  assert.equal(agent.seen.length, 0);
});
