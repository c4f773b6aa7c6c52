// The contract against a real Unleash server (8.2.0 on PostgreSQL): shadowgate's decision for
// a request equals unleash-client's isEnabled for the context built from it; what the server
// accepts that the SDK does not understand is evaluated as the SDK does and counted; and the
// fleet-wide kill flag reaches the proxy within about one refresh interval (measured here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Unleash } from 'unleash-client';
import { createClient, destroyClient } from '../../src/flags/sdk-client.js';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { FakeUnleashServer } from '../fixtures/flags/fake-unleash-server.js';
import { startTestShadowgate, eventually, metricValue, type StartedShadowgate } from '../support/shadowgate.js';
import { startUnleash, type RunningUnleash } from '../support/unleash-server.js';

const PROPAGATION_MS = 20_000;
const REFRESH_MS = 1000;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne', ...Array.from({ length: 40 }, (_, i) => `tenant-${i}`)];

async function fakes(t: { after(fn: () => Promise<void>): void }) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { servedBy: 'legacy' });
  agent.handler = agent.json(200, { servedBy: 'agent' });
  t.after(async () => { await legacy.stop(); await agent.stop(); });
  return { legacy, agent };
}

const servedBy = async (sg: StartedShadowgate, path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(sg.dataUrl + path, { headers });
  await res.arrayBuffer();
  return res.headers.get('x-shadowgate-served-by');
};

/** An unleash-client of our own on the same server and static context: the reference answer. */
async function referenceClient(unleash: RunningUnleash, t: { after(fn: () => void): void }): Promise<Unleash> {
  const client = createClient({
    url: unleash.url, appName: 'shadowgate', environment: 'development', refreshInterval: REFRESH_MS, disableMetrics: true,
    customHeaders: { Authorization: unleash.backendToken },
  }, () => undefined);
  client.on('warn', () => undefined);
  t.after(() => destroyClient(client));
  return client;
}

test('real Unleash: named properties, custom stickiness, a custom strategy, an unchecked rollout, and the kill flag', async (t) => {
  const unleash = await startUnleash();
  t.after(() => unleash.stop());
  const { admin } = unleash;
  const { agent } = await fakes(t);

  // A constraint on a named property, and a rollout sticky on it (custom stickiness).
  await admin.createContextField('tenantId');
  await admin.createFlag('tenant.serve');
  await admin.addStrategy('tenant.serve', { name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'tenant.serve' }, constraints: [{ contextName: 'tenantId', operator: 'IN', values: ['acme', 'initech'] }] });
  await admin.enable('tenant.serve');
  await admin.createFlag('sticky.serve');
  await admin.addStrategy('sticky.serve', { name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'tenantId', groupId: 'sticky.serve' } });
  await admin.enable('sticky.serve');

  // What the server accepts that unleash-client does not understand: a custom strategy type
  // (the SDK skips it), and a rollout that is no percentage (the server does not check it).
  await admin.createStrategyType('canaryHosts');
  await admin.createFlag('custom.serve');
  await admin.addStrategy('custom.serve', { name: 'canaryHosts', parameters: {} });
  // (Unleash 8 no longer offers userWithId: a constraint does the same.)
  await admin.addStrategy('custom.serve', { name: 'default', constraints: [{ contextName: 'userId', operator: 'IN', values: ['u-known'] }] });
  await admin.enable('custom.serve');
  await admin.createFlag('lots.serve');
  await admin.addStrategy('lots.serve', { name: 'flexibleRollout', parameters: { rollout: 'lots', stickiness: 'default', groupId: 'lots.serve' } });
  await admin.enable('lots.serve');

  // What the server refuses (reported as found): an operator unleash-client does not know.
  const unknownOp = await admin.raw('POST', 'admin/projects/default/features/tenant.serve/environments/development/strategies', {
    name: 'default', parameters: {}, constraints: [{ contextName: 'tenantId', operator: 'STR_FUZZY_MATCH', values: ['acme'] }],
  });
  assert.equal(unknownOp.status, 400, `Unleash 8.2.0 rejects an unknown operator at the admin API: ${unknownOp.body.slice(0, 200)}`);

  // The fleet-wide kill flag, off to start with.
  await admin.createFlag('orders.serve');
  await admin.addFlexibleRollout('orders.serve', 100);
  await admin.enable('orders.serve');
  await admin.createFlag('orders.kill');
  await admin.addStrategy('orders.kill', { name: 'default' });

  const sg = await startTestShadowgate({
    legacy: 'http://127.0.0.1:1', agent: agent.url,
    legacyOptions: {},
    flags: {
      environment: 'development',
      unleash: { url: unleash.url, token: unleash.backendToken, refreshIntervalMs: REFRESH_MS },
      context: { properties: { tenantId: { header: 'x-tenant-id' } } },
    },
    routes: ['tenant', 'sticky', 'custom', 'lots', 'orders'].map((name) => ({ name, match: { path: `/${name}` }, shadow: { percent: 0 } })),
  });
  t.after(() => sg.close());
  const reference = await referenceClient(unleash, t);
  await eventually(() => ['tenant.serve', 'sticky.serve', 'custom.serve', 'lots.serve', 'orders.serve', 'orders.kill'].every((f) => sg.flags!.state(f).known && reference.getFeatureToggleDefinition(f) !== undefined), 'flags reach the proxy and the reference client', PROPAGATION_MS);

  await t.test('a constraint on a named property, and custom stickiness: the SDK decides each tenant', async () => {
    for (const flag of ['tenant', 'sticky'] as const) {
      let agentTenants = 0;
      for (const tenantId of TENANTS) {
        const expected = reference.isEnabled(`${flag}.serve`, { properties: { tenantId } });
        // The proxy answers from the legacy URL that does not exist: only the agent can answer 200.
        const by = await servedBy(sg, `/${flag}`, { 'x-tenant-id': tenantId });
        assert.equal(by === 'agent', expected, `${flag}.serve for tenant ${tenantId}`);
        if (expected) agentTenants++;
      }
      if (flag === 'tenant') assert.equal(agentTenants, 2, 'exactly acme and initech');
      else assert.ok(agentTenants > 10 && agentTenants < 40, `about half the tenants: ${agentTenants}`);
    }
    assert.equal(reference.isEnabled('sticky.serve', {}), false, 'sticky on tenantId: no tenant, no rollout');
  });

  await t.test('a custom strategy is off (the next strategy still applies), counted as unknown_strategy', async () => {
    assert.equal(await servedBy(sg, '/custom', { 'x-user-id': 'u-other' }) === 'agent', reference.isEnabled('custom.serve', { userId: 'u-other' }));
    assert.equal(await servedBy(sg, '/custom', { 'x-user-id': 'u-known' }), 'agent');
    assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'unknown_strategy' }), 1);
  });

  await t.test('a rollout Unleash accepted but is no percentage: evaluated as the SDK (off), counted as invalid', async () => {
    assert.equal(reference.isEnabled('lots.serve', { userId: 'u1' }), false);
    assert.notEqual(await servedBy(sg, '/lots', { 'x-user-id': 'u1' }), 'agent');
    assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'invalid' }), 1);
    assert.ok(sg.logs.some((l) => l.flag === 'lots.serve' && l.kind === 'invalid'));
  });

  await t.test('fleet-wide kill: one switch in Unleash, legacy serves within about one refresh interval (measured)', async () => {
    const legacy = await new FakeUpstream().start();
    legacy.handler = legacy.json(200, { servedBy: 'legacy' });
    t.after(() => legacy.stop());
    const sg2 = await startTestShadowgate({
      legacy: legacy.url, agent: agent.url,
      flags: { environment: 'development', unleash: { url: unleash.url, token: unleash.backendToken, refreshIntervalMs: REFRESH_MS } },
      // Shadowing goes on while killed; the fakes disagree on purpose, so keep the guardrail out of it.
      routes: [{ name: 'orders', match: { path: '/orders' }, guardrail: { minSamples: 1_000_000 } }],
    });
    t.after(() => sg2.close());
    await eventually(() => sg2.flags!.state('orders.kill').known, 'kill flag known (off)', PROPAGATION_MS);
    const measured: number[] = [];
    for (let round = 0; round < 3; round++) {
      assert.equal(await servedBy(sg2, '/orders', { 'x-user-id': 'u1' }), 'agent');
      const switched = Date.now();
      if (round === 0) {
        // As the README's Alertmanager receiver does it: a webhook POST of an alert payload to the
        // environment's /on endpoint, with the admin token as a Bearer credential.
        const res = await fetch(`${unleash.url}admin/projects/default/features/orders.kill/environments/development/on`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${unleash.adminToken}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ version: '4', status: 'firing', receiver: 'kill-orders', groupLabels: { alertname: 'ShadowgateAgreementLow', route: 'orders' }, alerts: [{ status: 'firing', labels: { alertname: 'ShadowgateAgreementLow', route: 'orders' } }] }),
        });
        assert.ok(res.ok, `the webhook-shaped call turns the kill flag on: HTTP ${res.status} ${await res.text()}`);
      } else {
        await admin.enable('orders.kill');
      }
      let firstLegacy = 0;
      await eventually(async () => {
        const by = await servedBy(sg2, '/orders', { 'x-user-id': 'u1' });
        if (by === 'legacy') firstLegacy = Date.now();
        return by === 'legacy';
      }, 'the first legacy-served answer after the kill', PROPAGATION_MS);
      measured.push(firstLegacy - switched);
      await admin.disable('orders.kill');
      await eventually(async () => (await servedBy(sg2, '/orders', { 'x-user-id': 'u1' })) === 'agent', 'kill lifted', PROPAGATION_MS);
    }
    assert.equal(await metricValue(sg2, 'shadowgate_fallbacks_total', { route: 'orders', reason: 'killed' }) >= 3, true);
    // A figure for the README's runbook, not an assertion (the machine is shared).
    const line = `kill propagation (admin API change → first legacy-served answer), refreshIntervalMs ${REFRESH_MS}: ${measured.join(', ')} ms`;
    t.diagnostic(line);
  });
});

test('an unknown-operator flag (the real server refuses one) served by a stub client API: evaluated as the SDK, counted', async (t) => {
  const { agent } = await fakes(t);
  const legacy = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { servedBy: 'legacy' });
  t.after(() => legacy.stop());
  const fake = await FakeUnleashServer.start();
  t.after(() => fake.close());
  fake.reply = { kind: 'features', body: { version: 2, features: [{ name: 'q.serve', enabled: true, strategies: [
    { name: 'default', parameters: {}, constraints: [{ contextName: 'tenantId', operator: 'STR_FUZZY_MATCH', values: ['acme'] }] },
    { name: 'default', parameters: {}, constraints: [{ contextName: 'tenantId', operator: 'STR_FUZZY_MATCH', values: ['acme'], inverted: true }, { contextName: 'tenantId', operator: 'IN', values: ['globex'] }] },
    { name: 'default', parameters: {}, constraints: [{ contextName: 'tenantId', operator: 'IN', values: ['initech'] }] },
  ] }] } };
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url,
    flags: { unleash: { url: fake.url, token: 'default:development.x', refreshIntervalMs: 60_000 }, context: { properties: { tenantId: { header: 'x-tenant-id' } } } },
    routes: [{ name: 'q', match: { path: '/q' }, shadow: { percent: 0 } }],
  });
  t.after(() => sg.close());
  await eventually(() => sg.flags!.state('q.serve').known, 'flags from the stub');
  // unleash-client: an unknown operator is false, inverted or not; the known strategy still works.
  assert.equal(await servedBy(sg, '/q', { 'x-tenant-id': 'acme' }), 'legacy');
  assert.equal(await servedBy(sg, '/q', { 'x-tenant-id': 'globex' }), 'legacy');
  assert.equal(await servedBy(sg, '/q', { 'x-tenant-id': 'initech' }), 'agent');
  assert.equal(await metricValue(sg, 'shadowgate_flags_warnings_total', { kind: 'unknown_operator' }), 2);
  assert.equal(sg.flags!.status().lastError, null, 'a flag set with an unknown operator is no source failure');
});
