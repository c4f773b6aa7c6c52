// The graceful shutdown as Kubernetes drives it: SIGTERM under load, readiness off at once,
// no new connections, every in-flight request answered, exit 0; a second signal exits at once;
// what outlives server.shutdownTimeoutMs is cut and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { deferred } from '../fixtures/fake-client.js';
import { eventually, metricValue, startTestShadowgate } from '../support/shadowgate.js';
import { startServe } from '../support/serve-process.js';

function configFile(legacy: string, agent: string, extra = ''): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sg-life-')), 'config.yaml');
  writeFileSync(file, `server: { port: 0, host: 127.0.0.1${extra} }
admin: { port: 0, host: 127.0.0.1 }
legacy: { url: "${legacy}" }
agent: { url: "${agent}" }
routes:
  - name: all
    match: { path: /* }
`);
  return file;
}

function get(url: string, agent: http.Agent | false = false): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    }).on('error', reject);
  });
}

function connectRefused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

test('SIGTERM under load: 50 in-flight requests all answered 200, /readyz 503 during the drain, new connections refused, exit 0', { timeout: 60_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  legacy.handler = async (_req, res) => {
    await new Promise((r) => setTimeout(r, 500));
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('done');
  };
  const sg = await startServe(configFile(legacy.url, agent.url));
  t.after(() => sg.stop());
  assert.equal((await fetch(`${sg.adminUrl}/readyz`)).status, 200);

  const answers = Promise.all(Array.from({ length: 50 }, (_, i) => get(`${sg.dataUrl}/work/${i}`)));
  await legacy.waitFor(50, 10_000);
  sg.child.kill('SIGTERM');

  await eventually(async () => (await fetch(`${sg.adminUrl}/readyz`).then((r) => r.status, () => 0)) === 503, '/readyz answers 503 while draining', 5000);
  await eventually(() => connectRefused(sg.dataUrl), 'the data-plane listener refuses new connections', 5000);
  const results = await answers;
  assert.deepEqual(results.map((r) => r.status), Array(50).fill(200), 'every in-flight request answered');
  assert.ok(results.every((r) => r.body === 'done'));
  assert.ok(results.every((r) => r.connection === 'close'), 'their answers close the connection');
  const exit = await sg.exited;
  assert.equal(exit.code, 0);
  const phases = sg.logs().map((l) => l.phase).filter(Boolean);
  assert.deepEqual(phases, ['not_ready', 'drain', 'done']);
});

test('a second SIGTERM during the drain exits at once, non-zero', { timeout: 60_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  legacy.handler = () => { /* never answers */ };
  const sg = await startServe(configFile(legacy.url, agent.url, ', shutdownTimeoutMs: 600000'));
  t.after(() => sg.stop());
  const pending = get(`${sg.dataUrl}/stuck`).catch(() => null);
  await legacy.waitFor(1);
  sg.child.kill('SIGTERM');
  await eventually(() => sg.logs().some((l) => l.phase === 'drain'), 'the drain began');
  sg.child.kill('SIGTERM');
  const exit = await sg.exited; // without the second signal this would wait 10 minutes
  assert.equal(exit.code, 143);
  assert.ok(sg.logs().some((l) => String(l.msg).includes('second signal')));
  await pending;
});

test('server.shutdownDelayMs: readiness is off but requests are still served normally until it has passed', { timeout: 30_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  legacy.handler = legacy.json(200, { ok: true });
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, server: { shutdownDelayMs: 1500 } });
  const drained = sg.drain();
  assert.equal((await fetch(`${sg.adminUrl}/readyz`)).status, 503);
  const keepAlive = new http.Agent({ keepAlive: true });
  t.after(() => keepAlive.destroy());
  const during = await get(`${sg.dataUrl}/still`, keepAlive);
  assert.equal(during.status, 200, 'served during the delay');
  assert.notEqual(during.connection, 'close', 'keep-alive as usual during the delay');
  await drained;
  assert.ok(sg.logs.some((l) => l.phase === 'delay'));
});

test('what outlives server.shutdownTimeoutMs is cut and counted; shadows still waiting are dropped as "draining"', { timeout: 30_000 }, async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  const hold = deferred();
  legacy.handler = async (req, res) => {
    if (req.url === '/hang') { await hold.promise; res.destroy(); return; }
    res.writeHead(200); res.end('ok');
  };
  agent.handler = () => { /* the agent never answers */ };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, server: { shutdownTimeoutMs: 400 } });
  t.after(() => hold.resolve());
  assert.equal((await get(`${sg.dataUrl}/fast`)).status, 200); // its shadow waits on the hung agent
  await agent.waitFor(1);
  const stuck = get(`${sg.dataUrl}/hang`).then(() => 'answered', () => 'cut');
  await legacy.waitFor(2);
  await sg.drain();
  assert.equal(await stuck, 'cut');
  assert.equal(await metricValue(sg, 'shadowgate_shutdown_cut_requests_total'), 1);
  assert.ok(await metricValue(sg, 'shadowgate_shadow_dropped_total', { reason: 'draining' }) >= 1);
  assert.ok(sg.logs.some((l) => l.phase === 'cut' && l.requests === 1));
});
