// The migration end to end against a real Unleash server (with PostgreSQL): an operator
// ramps the route's serve flag 0 -> 25 -> 100 % through Unleash's admin API and the share
// of users the agent serves through the proxy follows, sticky per user; with Unleash
// stopped, the proxy keeps the last state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { startTestShadowgate, eventually, metricValue } from '../support/shadowgate.js';
import { startUnleash } from '../support/unleash-server.js';

const USERS = Array.from({ length: 400 }, (_, i) => `customer-${i}`);
const PROPAGATION_MS = 20_000;

test('ramping the serve flag in Unleash moves a sticky share of users to the agent', async (t) => {
  const unleash = await startUnleash();
  t.after(() => unleash.stop());
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { answer: 42 });
  agent.handler = agent.json(200, { answer: 42 });
  t.after(async () => { await legacy.stop(); await agent.stop(); });

  await unleash.admin.createFlag('quote.serve');
  const strategy = await unleash.admin.addFlexibleRollout('quote.serve', 0);
  await unleash.admin.enable('quote.serve');

  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url,
    flags: { unleash: { url: unleash.url, token: unleash.backendToken, appName: 'shadowgate-ramp', environment: 'development', refreshIntervalMs: 1000 } },
    routes: [{ name: 'quote', match: { path: '/api/quote' }, shadow: { percent: 0 } }],
  });
  t.after(() => sg.close());

  const servedByAgent = async (): Promise<Set<string>> => {
    const agentUsers = new Set<string>();
    for (const user of USERS) {
      const res = await fetch(`${sg.dataUrl}/api/quote`, { headers: { 'x-user-id': user } });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      if (res.headers.get('x-shadowgate-served-by') === 'agent') agentUsers.add(user);
    }
    return agentUsers;
  };
  const rolloutIs = (p: number) => eventually(() => sg.flags!.state('quote.serve').rolloutPercent === p, `rollout ${p} reaches the proxy`, PROPAGATION_MS);

  await rolloutIs(0);
  assert.equal((await servedByAgent()).size, 0, 'at 0 % nobody is served by the agent');

  await unleash.admin.setRollout('quote.serve', strategy, 25);
  await rolloutIs(25);
  const at25 = await servedByAgent();
  const share = at25.size / USERS.length;
  assert.ok(share > 0.18 && share < 0.32, `share at 25 %: ${share}`);
  assert.deepEqual(await servedByAgent(), at25, 'sticky: the same users again');
  assert.equal(await metricValue(sg, 'shadowgate_flag_rollout_percent', { route: 'quote', flag: 'serve' }), 25);

  await unleash.admin.setRollout('quote.serve', strategy, 100);
  await rolloutIs(100);
  const at100 = await servedByAgent();
  assert.equal(at100.size, USERS.length, 'at 100 % everyone');
  for (const user of at25) assert.ok(at100.has(user), 'ramping up only adds users');

  // Unleash goes away: the last known state stays in force.
  await unleash.stopUnleash();
  await eventually(() => sg.flags!.status().lastError !== null, 'the proxy notices Unleash is gone', PROPAGATION_MS);
  assert.equal((await servedByAgent()).size, USERS.length, 'last state kept with Unleash down');
  const routes = await (await fetch(`${sg.adminUrl}/api/routes`)).json() as { routes: { mode: string }[] };
  assert.equal(routes.routes[0]!.mode, 'full');
});

test('Unleash unreachable at start: the proxy starts, and with nothing known the agent never serves', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url,
    flags: { unleash: { url: 'http://127.0.0.1:9/api/', token: 'default:development.none', refreshIntervalMs: 1000 } },
    routes: [{ name: 'quote', match: { path: '/api/quote' } }],
  });
  t.after(() => sg.close());
  const res = await fetch(`${sg.dataUrl}/api/quote`, { headers: { 'x-user-id': 'u1' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  // Not ready until the flags are known (a bootstrap file would count): a pod that joined now
  // would route differently from its peers. Its data plane still serves legacy meanwhile.
  const ready = await fetch(`${sg.adminUrl}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { ready: boolean; checks: Record<string, boolean> };
  assert.deepEqual({ ready: body.ready, checks: body.checks }, { ready: false, checks: { config: true, flags: false, legacy: true } });
});
