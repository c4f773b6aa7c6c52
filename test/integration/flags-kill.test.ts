// The fleet-wide kill: a third flag per route (routes[].flags.kill, default <route>.kill).
// On for a request ⇒ legacy answers (fallback reason killed) and shadowing continues; not
// defined ⇒ no effect. Shown in /api/routes and as shadowgate_flag_rollout_percent{flag="kill"}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate; writeFlags(features: unknown[]): void }

const serveAll = { name: 'q.serve', enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'q.serve' } }] };
const killFor = (constraints: unknown[] = []) => ({ name: 'q.kill', enabled: true, strategies: [{ name: 'default', parameters: {}, constraints }] });

async function rig(t: { after(fn: () => Promise<void>): void }, features: unknown[]): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'agent' });
  const flags = tempFlagFile([]);
  let version = 1;
  const writeFlags = (list: unknown[]) => flags.write(JSON.stringify({ version: ++version, features: list }));
  writeFileSync(flags.file, JSON.stringify({ version, features }));
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url,
    flags: { file: flags.file, context: { properties: { tenantId: { header: 'x-tenant-id' } } } },
    routes: [{ name: 'q', match: { path: '/api/*' } }],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg, writeFlags };
}

const get = (sg: StartedShadowgate, headers: Record<string, string> = {}) => fetch(`${sg.dataUrl}/api/x`, { headers });
const routeView = async (sg: StartedShadowgate) =>
  ((await (await fetch(`${sg.adminUrl}/api/routes`)).json()) as { routes: Record<string, unknown>[] }).routes[0]! as {
    mode: string; killedBy: string | null; killed: unknown; flags: { kill: { name: string; known: boolean; effectivePercent: number } };
  };

test('kill flag on: legacy answers (fallback killed), the request is still mirrored to the agent', async (t) => {
  const { sg, legacy, agent } = await rig(t, [serveAll, killFor()]);
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.deepEqual(await res.json(), { answer: 'legacy' });
  assert.equal(legacy.seen.length, 1);
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'killed' }), 1);
  await agent.waitFor(1);
  assert.equal(agent.seen[0]!.headers['x-shadowgate-shadow'], '1', 'the agent got the shadow copy, not a serving call');
  assert.equal(await metricValue(sg, 'shadowgate_flag_rollout_percent', { route: 'q', flag: 'kill' }), 100);
  const view = await routeView(sg);
  assert.equal(view.mode, 'killed');
  assert.equal(view.killedBy, 'flag');
  assert.equal(view.killed, null, 'the per-pod kill is not in force');
  assert.deepEqual([view.flags.kill.name, view.flags.kill.known, view.flags.kill.effectivePercent], ['q.kill', true, 100]);
});

test('kill flag per request: a constraint on a named property kills one tenant only', async (t) => {
  const { sg } = await rig(t, [serveAll, killFor([{ contextName: 'tenantId', operator: 'IN', values: ['acme'] }])]);
  assert.equal((await get(sg, { 'x-tenant-id': 'acme' })).headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal((await get(sg, { 'x-tenant-id': 'globex' })).headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'killed' }), 1);
});

test('kill flag undefined or off: no effect; switching it on takes effect on the next request', async (t) => {
  const { sg, writeFlags } = await rig(t, [serveAll]);
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  const view = await routeView(sg);
  assert.deepEqual([view.mode, view.killedBy, view.flags.kill.known], ['full', null, false]);
  assert.equal(await metricValue(sg, 'shadowgate_flag_rollout_percent', { route: 'q', flag: 'kill' }), 0);
  writeFlags([serveAll, { ...killFor(), enabled: false }]);
  await eventually(() => sg.flags!.state('q.kill').known, 'kill flag loaded (off)');
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  writeFlags([serveAll, killFor()]);
  await eventually(async () => (await get(sg)).headers.get('x-shadowgate-served-by') === 'legacy', 'kill flag on');
  assert.equal(await metricValue(sg, 'shadowgate_flag_rollout_percent', { route: 'q', flag: 'kill' }), 100);
});
