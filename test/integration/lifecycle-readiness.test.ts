// Readiness asks: config loaded, flags initialised, legacy reachable (TCP connect, or
// legacy.healthPath). Liveness asks nothing of upstreams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { eventually, startTestShadowgate } from '../support/shadowgate.js';

type Ready = { ready: boolean; checks: { config: boolean; flags: boolean; legacy: boolean } };
const readyz = async (adminUrl: string) => { const r = await fetch(`${adminUrl}/readyz`); return { status: r.status, body: (await r.json()) as Ready }; };

test('legacy unreachable: /readyz 503 naming the legacy check; /healthz stays 200; legacy back: ready again', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const port = Number(new URL(legacy.url).port);
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, legacyOptions: { healthCacheMs: 0 } });
  t.after(async () => { await sg.close(); await legacy.stop().catch(() => {}); await agent.stop(); });
  const up = await readyz(sg.adminUrl);
  assert.equal(up.status, 200);
  assert.deepEqual({ ready: up.body.ready, checks: up.body.checks }, { ready: true, checks: { config: true, flags: true, legacy: true } });

  await legacy.stop();
  const down = await readyz(sg.adminUrl);
  assert.equal(down.status, 503);
  assert.deepEqual({ ready: down.body.ready, checks: down.body.checks }, { ready: false, checks: { config: true, flags: true, legacy: false } });
  assert.equal((await fetch(`${sg.adminUrl}/healthz`)).status, 200, 'liveness never depends on upstreams');

  const back = await new FakeUpstream().start(port);
  t.after(() => back.stop());
  await eventually(async () => (await readyz(sg.adminUrl)).status === 200, 'ready again once legacy answers');
});

test('legacy.healthPath: readiness GETs it (a 5xx is not ready), cached for legacy.healthCacheMs', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  let healthy = false;
  legacy.handler = (req, res) => {
    if (req.url === '/health') { res.writeHead(healthy ? 200 : 503); res.end(); return; }
    res.writeHead(200); res.end();
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, legacyOptions: { healthPath: '/health', healthCacheMs: 60_000 } });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  const first = await readyz(sg.adminUrl);
  assert.equal(first.status, 503);
  assert.equal(first.body.checks.legacy, false);
  healthy = true;
  for (let i = 0; i < 5; i++) await readyz(sg.adminUrl);
  assert.equal(legacy.seen.filter((s) => s.url === '/health').length, 1, 'one probe, then the cached verdict');
  assert.equal((await readyz(sg.adminUrl)).status, 503, 'the cached verdict stands until healthCacheMs passes');
});
