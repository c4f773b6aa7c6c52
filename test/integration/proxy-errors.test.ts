// Legacy failures become small typed JSON errors (502 / 504) and never take the proxy down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { FakeRawUpstream } from '../fixtures/fake-raw-upstream.js';
import { clientRequest, deferred } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually } from '../support/shadowgate.js';

/** A URL nothing listens on: a port we bound and released. */
async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

test('legacy down (connection refused) => 502 SG_LEGACY_UNAVAILABLE, and the proxy keeps answering', async (t) => {
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: await closedPortUrl(), agent: agent.url });
  t.after(async () => { await sg.close(); await agent.stop(); });

  for (let i = 0; i < 2; i++) {
    const res = await clientRequest(`${sg.dataUrl}/api/x`);
    assert.equal(res.status, 502);
    assert.match(String(res.headers['content-type']), /application\/json/);
    const body = JSON.parse(res.body.toString()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SG_LEGACY_UNAVAILABLE');
  }
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'connection' }), 2);
  await eventually(async () => (await metricValue(sg, 'shadowgate_requests_total', { status_class: '5xx' })) === 2, 'both 502s counted');
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'legacy_error' })) === 2, 'shadows judged legacy_error');
  assert.equal((await fetch(`${sg.adminUrl}/healthz`)).status, 200);
});

test('legacy slower than legacy.timeoutMs => 504 SG_LEGACY_TIMEOUT; the next request is served', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const hold = deferred();
  t.after(() => hold.resolve());
  let calls = 0;
  legacy.handler = async (_req, res) => {
    if (++calls === 1) await hold.promise; // the first request never gets an answer in time
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"n":2}');
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, legacyOptions: { timeoutMs: 300 } });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const slow = await clientRequest(`${sg.dataUrl}/api/slow`);
  assert.equal(slow.status, 504);
  assert.equal((JSON.parse(slow.body.toString()) as { error: { code: string } }).error.code, 'SG_LEGACY_TIMEOUT');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'timeout' }), 1);

  const next = await clientRequest(`${sg.dataUrl}/api/fast`);
  assert.equal(next.status, 200);
  assert.equal(next.body.toString(), '{"n":2}');
});

test('legacy answers with something that is not HTTP => 502 SG_LEGACY_UNAVAILABLE (invalid_response)', async (t) => {
  const legacy = await new FakeRawUpstream().start();
  const agent = await new FakeUpstream().start();
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const res = await clientRequest(`${sg.dataUrl}/api/x`);
  assert.equal(res.status, 502);
  assert.equal((JSON.parse(res.body.toString()) as { error: { code: string } }).error.code, 'SG_LEGACY_UNAVAILABLE');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'invalid_response' }), 1);
  assert.equal((await clientRequest(`${sg.dataUrl}/api/y`)).status, 502, 'still answering');
});

test('legacy cuts the connection mid-body: the client connection is cut too (regression: the client waited forever)', { timeout: 10_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  let calls = 0;
  legacy.handler = (req, res) => {
    if (++calls > 1) { res.writeHead(200); res.end('whole'); return; }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 });
    res.write('only the first part');
    setImmediate(() => req.socket.destroy());
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  await assert.rejects(clientRequest(`${sg.dataUrl}/api/cut`), 'the client sees an error, not a complete response');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'reset' }), 1);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { result: 'legacy_error' })) === 1, 'shadow judged legacy_error');
  const next = await clientRequest(`${sg.dataUrl}/api/next`);
  assert.equal(next.body.toString(), 'whole');
});

test('legacy stalls mid-body past legacy.timeoutMs: the client connection is cut, counted as a legacy timeout', { timeout: 10_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const hold = deferred();
  t.after(() => hold.resolve());
  legacy.handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('a first chunk, then nothing');
    await hold.promise;
    res.end();
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, legacyOptions: { timeoutMs: 300 } });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  await assert.rejects(clientRequest(`${sg.dataUrl}/api/stall`));
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy', kind: 'timeout' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 1, 'counted once');
});

test('legacy.timeoutMs bounds the wait for the head, then each quiet gap: an answer that trickles in for longer than it is served whole', { timeout: 15_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  legacy.handler = async (_req, res) => {
    await pause(600); // the head inside the 1 s deadline
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.flushHeaders();
    await pause(500); // the deadline restarts at the head: 1.1 s in, the first part is still in time
    for (let i = 0; i < 6; i++) { res.write(`part ${i};`); await pause(250); } // 1.5 s of body, never 1 s quiet
    res.end('end');
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, legacyOptions: { timeoutMs: 1000 } });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const res = await clientRequest(`${sg.dataUrl}/api/trickle`);
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'part 0;part 1;part 2;part 3;part 4;part 5;end');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 0);
});

test('a client that leaves mid-stream: the legacy call is cut and the shadow dropped (regression: both were held until legacy ended)', { timeout: 10_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const legacyClosed = deferred();
  legacy.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
    const timer = setInterval(() => res.write('data: more\n\n'), 10);
    res.once('close', () => { clearInterval(timer); legacyClosed.resolve(); });
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const http = await import('node:http');
  await new Promise<void>((resolve) => {
    const req = http.get(`${sg.dataUrl}/api/events`, { agent: false }, (res) => res.once('data', () => { req.destroy(); resolve(); }));
    req.on('error', () => {});
  });
  await legacyClosed.promise;
  await eventually(async () => (await metricValue(sg, 'shadowgate_shadow_dropped_total', { reason: 'client_aborted' })) === 1, 'shadow dropped');
  await eventually(() => sg.dispatcher.inflight === 0 && sg.dispatcher.budget.used === 0, 'slot and bytes given back');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 0, 'legacy is not blamed for the client leaving');
  assert.equal(await metricValue(sg, 'shadowgate_comparisons_total'), 0);
});

test('a client that leaves while legacy is still thinking: the legacy call is cut, nothing is blamed on legacy (regression: legacy kept working for nobody)', { timeout: 10_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const legacyClosed = deferred();
  legacy.handler = (req, res) => {
    if (req.url === '/api/next') { res.writeHead(200); res.end('next'); return; }
    res.once('close', () => legacyClosed.resolve()); // never answers
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });

  const http = await import('node:http');
  const req = http.get(`${sg.dataUrl}/api/slow`, { agent: false });
  req.on('error', () => {});
  await legacy.waitFor(1);
  req.destroy();
  await legacyClosed.promise;
  await eventually(async () => (await metricValue(sg, 'shadowgate_shadow_dropped_total', { reason: 'client_aborted' })) === 1, 'shadow dropped');
  await eventually(() => sg.dispatcher.inflight === 0, 'slot given back');
  assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { upstream: 'legacy' }), 0);
  assert.equal((await clientRequest(`${sg.dataUrl}/api/next`)).body.toString(), 'next');
});
