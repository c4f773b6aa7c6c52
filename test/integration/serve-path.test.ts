// The serve path: the agent answers only when its flag is on and its answer passes the
// gates; every other case is served by legacy and counted with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate; flags: ReturnType<typeof tempFlagFile> }

async function rig(t: { after(fn: () => Promise<void>): void }, route: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'agent', confidence: 0.95 }, { 'x-agent-confidence': '0.95' });
  const flags = tempFlagFile([{ name: 'q.serve', rollout: 100 }, { name: 'q.shadow', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, flags: { file: flags.file },
    routes: [{ name: 'q', match: { path: '/api/*' }, ...route }], ...extra,
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg, flags };
}

const get = (sg: StartedShadowgate, path = '/api/x', init: RequestInit = {}) => fetch(sg.dataUrl + path, init);

test('serve flag on: the agent answers and the response says so', async (t) => {
  const { sg, legacy, agent } = await rig(t, {});
  const res = await get(sg);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.deepEqual(await res.json(), { answer: 'agent', confidence: 0.95 });
  assert.equal(legacy.seen.length, 0, 'on-failure mode does not call legacy when the agent passes');
  assert.equal(agent.seen[0]!.headers['x-shadowgate-shadow'], undefined, 'a serving call is not marked as a shadow');
  assert.equal(agent.seen[0]!.headers['x-shadowgate-sample-id'], undefined, 'and carries no sample id');
  assert.equal(await metricValue(sg, 'shadowgate_requests_total', { route: 'q', served_by: 'agent' }), 1);
});

test('serve flag off or unknown: legacy serves, nothing counted as fallback', async (t) => {
  const { sg, flags } = await rig(t, {});
  flags.write([{ name: 'q.serve', enabled: false }]);
  await eventually(async () => (await get(sg)).headers.get('x-shadowgate-served-by') === 'legacy', 'flag file reload');
  flags.write([{ name: 'other.flag' }]);
  await eventually(async () => sg.flags!.state('q.serve').known === false, 'serve flag gone');
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q' }), 0);
});

for (const [name, behave, reason] of [
  ['agent 500', (a: FakeUpstream) => { a.handler = a.json(500, { error: 'boom' }); }, 'status'],
  ['agent 404 (not acceptable by acceptStatus)', (a: FakeUpstream) => { a.handler = a.json(404, {}); }, 'status'],
  ['agent hangs past serve.timeoutMs', (a: FakeUpstream) => { a.handler = () => {}; }, 'timeout'],
  ['agent resets the connection', (a: FakeUpstream) => { a.handler = (req) => { req.socket.destroy(); }; }, 'reset'],
  ['agent low confidence', (a: FakeUpstream) => { a.handler = a.json(200, { answer: 'agent' }, { 'x-agent-confidence': '0.3' }); }, 'confidence'],
  ['agent gives no confidence', (a: FakeUpstream) => { a.handler = a.json(200, { answer: 'agent' }); }, 'confidence'],
  ['agent body fails the JSON Schema', (a: FakeUpstream) => { a.handler = a.json(200, { answer: 42 }, { 'x-agent-confidence': '0.9' }); }, 'schema'],
  ['gate plug-in rejects', (a: FakeUpstream) => { a.handler = a.json(200, { answer: 'reject-me' }, { 'x-agent-confidence': '0.9' }); }, 'plugin'],
] as const) {
  test(`fallback: ${name} => legacy serves, reason ${reason}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-gates-'));
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', required: ['answer'], properties: { answer: { type: 'string' } } }));
    writeFileSync(join(dir, 'gate.mjs'), 'export default (res) => !res.body.toString().includes("reject-me");\n');
    const { sg, agent, legacy } = await rig(t, {
      serve: {
        timeoutMs: 1000,
        gates: { minConfidence: 0.8, confidence: { header: 'x-agent-confidence' }, schema: join(dir, 'schema.json'), plugin: join(dir, 'gate.mjs'), acceptStatus: [200, 201] },
      },
      breaker: { consecutiveFailures: 100 },
    });
    behave(agent);
    const res = await get(sg);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
    assert.deepEqual(await res.json(), { answer: 'legacy' });
    assert.equal(legacy.seen.length, 1);
    assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason }), 1);
  });
}

test('gate reading confidence from a JSON Pointer', async (t) => {
  const { sg, agent } = await rig(t, { serve: { gates: { minConfidence: 0.9, confidence: { pointer: '/meta/confidence' } } } });
  agent.handler = agent.json(200, { meta: { confidence: 0.95 } });
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  agent.handler = agent.json(200, { meta: { confidence: 0.5 } });
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'legacy');
});

test('POST body reaches the agent, and legacy on fallback, exactly once each', async (t) => {
  const { sg, agent, legacy } = await rig(t, { serve: { gates: { minConfidence: 0.9, confidence: { header: 'x-agent-confidence' } } } });
  agent.handler = agent.json(200, { answer: 'agent' }, { 'x-agent-confidence': '0.1' });
  const body = JSON.stringify({ order: 42 });
  const res = await get(sg, '/api/orders', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(agent.seen.length, 1);
  assert.equal(legacy.seen.length, 1);
  assert.equal(agent.seen[0]!.body.toString(), body);
  assert.equal(legacy.seen[0]!.body.toString(), body);
});

test('retries: a transient agent failure is retried once for GET, never for POST', async (t) => {
  const { sg, agent } = await rig(t, { breaker: { consecutiveFailures: 100 } });
  let calls = 0;
  agent.handler = (_req, res) => {
    calls++;
    if (calls === 1) { res.writeHead(503); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"answer":"agent"}');
  };
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(agent.seen.length, 2);
  assert.equal(await metricValue(sg, 'shadowgate_agent_retries_total', { route: 'q' }), 1);

  agent.handler = (_req, res) => { res.writeHead(503); res.end(); };
  const post = await get(sg, '/api/x', { method: 'POST', body: '{}' });
  assert.equal(post.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(agent.seen.length, 3, 'the POST reached the agent once');
});

test('retryNonIdempotent lets a route retry POST', async (t) => {
  const { sg, agent } = await rig(t, { serve: { retryNonIdempotent: true }, breaker: { consecutiveFailures: 100 } });
  agent.handler = (_req, res) => { res.writeHead(502); res.end(); };
  await get(sg, '/api/x', { method: 'POST', body: '{}' });
  assert.equal(agent.seen.length, 2);
});

test('request body over maxBodyBytes: legacy serves it whole, counted body_too_large', async (t) => {
  const { sg, legacy, agent } = await rig(t, { shadow: { maxBodyBytes: 1024, sideEffects: true } });
  const big = Buffer.alloc(5000, 'x');
  // Chunked upload (no content-length): the overflow is found mid-stream.
  const stream = new ReadableStream({ start(c) { c.enqueue(big.subarray(0, 2500)); c.enqueue(big.subarray(2500)); c.close(); } });
  const res = await get(sg, '/api/upload', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(legacy.seen[0]!.body.length, 5000);
  assert.ok(legacy.seen[0]!.body.equals(big));
  assert.equal(agent.seen.length, 0);
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'body_too_large' }), 1);
});

test('parallel fallback: both called, agent served when it passes, and the two are compared', async (t) => {
  const { sg, legacy, agent } = await rig(t, { serve: { fallback: 'parallel' } });
  legacy.handler = legacy.json(200, { answer: 'same' });
  agent.handler = agent.json(200, { answer: 'same' });
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(legacy.seen.length, 1);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { route: 'q', result: 'match' })) === 1, 'parallel comparison');
});

test('parallel fallback: agent fails, the held legacy answer is served without calling legacy again', async (t) => {
  const { sg, legacy, agent } = await rig(t, { serve: { fallback: 'parallel', timeoutMs: 300 } });
  agent.handler = () => {}; // hangs
  legacy.handler = legacy.json(201, { answer: 'legacy' }, { 'x-legacy': 'yes' });
  const res = await get(sg, '/api/x', { method: 'POST', body: '{"a":1}' });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-legacy'), 'yes');
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.deepEqual(await res.json(), { answer: 'legacy' });
  assert.equal(legacy.seen.length, 1, 'no duplicate side effect on legacy');
  assert.equal(agent.seen.length, 1);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { route: 'q', result: 'agent_error' })) === 1, 'agent_error counted');
});

test('circuit breaker opens after consecutive failures, skips the agent, probes half-open and closes', async (t) => {
  const { sg, agent } = await rig(t, { breaker: { consecutiveFailures: 3, halfOpenAfterMs: 300 } });
  agent.handler = agent.json(500, {});
  for (let i = 0; i < 3; i++) assert.equal((await get(sg, '/api/x', { method: 'POST', body: '{}' })).headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await metricValue(sg, 'shadowgate_circuit_state', { route: 'q' }), 2);
  const before = agent.seen.length;
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(agent.seen.length, before, 'open circuit: the agent is not called');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'circuit_open' }), 1);
  // Shadowing pauses too (the serve flag is on, so exercise a route where only shadow applies via the drop counter).
  agent.handler = agent.json(200, { answer: 'agent' });
  await new Promise((r) => setTimeout(r, 350)); // let halfOpenAfterMs pass (a wait, not an assertion on time)
  const probe = await get(sg);
  assert.equal(probe.headers.get('x-shadowgate-served-by'), 'agent', 'half-open probe succeeded');
  assert.equal(await metricValue(sg, 'shadowgate_circuit_state', { route: 'q' }), 0);
});

test('open circuit pauses shadowing, counted as circuit_open', async (t) => {
  const { sg, agent, flags } = await rig(t, { shadow: { sideEffects: true }, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } });
  flags.write([{ name: 'q.serve', enabled: false }, { name: 'q.shadow', rollout: 100 }]);
  await eventually(async () => !sg.flags!.state('q.serve').enabled, 'serve flag off');
  agent.handler = agent.json(500, {});
  await get(sg); await get(sg);
  await eventually(async () => (await metricValue(sg, 'shadowgate_circuit_state', { route: 'q' })) === 2, 'circuit open');
  const seen = agent.seen.length;
  await get(sg);
  assert.equal(await metricValue(sg, 'shadowgate_shadow_dropped_total', { route: 'q', reason: 'circuit_open' }), 1);
  assert.equal(agent.seen.length, seen);
});

test('guardrail: low agreement demotes the route, shadowing continues, reset restores', async (t) => {
  const { sg, agent, legacy } = await rig(t, {
    serve: { fallback: 'parallel' },
    // Probation ends on the agreement's Wilson lower bound: 35 matches in a row reach 0.9, so the window holds 50.
    guardrail: { minAgreement: 0.9, maxErrorRate: 1, minSamples: 5, window: 50 },
  });
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'different' });
  for (let i = 0; i < 5; i++) await get(sg);
  await eventually(async () => (await metricValue(sg, 'shadowgate_guardrail_tripped', { route: 'q' })) === 1, 'guardrail tripped');
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy', 'demoted: agent no longer serves');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'demoted' }), 1);
  await eventually(() => agent.seen.length >= 6, 'shadow of the demoted request arrived');
  const mirrored = agent.seen.length;
  await get(sg);
  await eventually(() => agent.seen.length > mirrored, 'shadowing continues while demoted');
  assert.ok(sg.logs.some((l) => l.event === 'demoted' && l.route === 'q' && l.who === 'guardrail'), 'demotion logged with who/why');

  // Reset with the agent still wrong: probation, not the wrong answer to the next users
  // (regression: reset emptied the window and served the agent blind until it tripped again).
  const reset = await fetch(`${sg.adminUrl}/api/routes/q/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"who":"oncall","why":"fixed prompt"}' });
  assert.equal(reset.status, 200);
  const view = (await reset.json()) as { demoted: boolean; mode: string; probation: { by: string } | null };
  assert.equal(view.demoted, false);
  assert.equal(view.mode, 'probation');
  assert.equal(view.probation?.by, 'oncall');
  for (let i = 0; i < 5; i++) assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'legacy', 'on probation the agent does not serve');
  assert.ok(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'probation' }) >= 5);
  assert.equal(await metricValue(sg, 'shadowgate_route_probation', { route: 'q' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_route_mode', { route: 'q', mode: 'probation' }), 1);
  // The agent is fixed: shadow comparisons refill the window, and the agent serves again.
  agent.handler = agent.json(200, { answer: 'legacy' });
  await eventually(async () => {
    const r = await get(sg);
    return r.headers.get('x-shadowgate-served-by') === 'agent';
  }, 'probation ends once the window passes the guardrail', 10_000);
  assert.equal(await metricValue(sg, 'shadowgate_guardrail_tripped', { route: 'q' }), 0);
  assert.equal(await metricValue(sg, 'shadowgate_route_probation', { route: 'q' }), 0);
  assert.ok(sg.logs.some((l) => l.event === 'reset' && l.who === 'oncall' && l.why === 'fixed prompt'));
  assert.ok(sg.logs.some((l) => l.event === 'probation_ended' && l.route === 'q'));
});

test('reset with {"force": true} skips probation: the agent serves at once, and the forcing is logged', async (t) => {
  const { sg, agent, legacy } = await rig(t, {
    serve: { fallback: 'parallel' },
    guardrail: { minAgreement: 0.9, maxErrorRate: 1, minSamples: 5, window: 10 },
  });
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'different' });
  for (let i = 0; i < 5; i++) await get(sg);
  await eventually(async () => (await metricValue(sg, 'shadowgate_route_demoted', { route: 'q' })) === 1, 'demoted');
  assert.equal(await metricValue(sg, 'shadowgate_route_killed', { route: 'q' }), 0, 'a demotion is not a kill');
  const bad = await fetch(`${sg.adminUrl}/api/routes/q/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"force":"yes"}' });
  assert.equal(bad.status, 400);
  const reset = await fetch(`${sg.adminUrl}/api/routes/q/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"who":"oncall","force":true}' });
  assert.equal(((await reset.json()) as { mode: string }).mode, 'full');
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  assert.ok(sg.logs.some((l) => l.event === 'reset' && l.force === true && l.who === 'oncall'));
});

test('a route the agent does not serve is never demoted: the guardrail only warns (regression: a shadow-only route showed "demoted" forever)', async (t) => {
  const { sg, agent, legacy, flags } = await rig(t, { guardrail: { minAgreement: 0.9, minSamples: 5, window: 10 } });
  flags.write([{ name: 'q.serve', rollout: 0 }, { name: 'q.shadow', rollout: 100 }]);
  await eventually(() => sg.flags!.state('q.serve').rolloutPercent === 0, 'serve flag at 0 %');
  legacy.handler = legacy.json(200, { answer: 'legacy' });
  agent.handler = agent.json(200, { answer: 'different' });
  for (let i = 0; i < 8; i++) await get(sg);
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total', { route: 'q', result: 'mismatch' })) >= 8, 'compared');
  const route = (await (await fetch(`${sg.adminUrl}/api/routes/q`)).json()) as { mode: string; demoted: boolean };
  assert.equal(route.mode, 'shadow');
  assert.equal(route.demoted, false);
  assert.equal(await metricValue(sg, 'shadowgate_guardrail_warnings_total', { route: 'q' }), 1, 'warned once for the bad spell');
  assert.equal(await metricValue(sg, 'shadowgate_route_demoted', { route: 'q' }), 0);
});

test('guardrail: high agent error rate demotes; cool-down lifts it', async (t) => {
  const { sg, agent } = await rig(t, {
    guardrail: { minAgreement: 0, maxErrorRate: 0.5, minSamples: 4, window: 4, coolDownMs: 300 },
    breaker: { consecutiveFailures: 100 },
  });
  agent.handler = agent.json(500, {});
  for (let i = 0; i < 4; i++) await get(sg, '/api/x', { method: 'POST', body: '{}' });
  const routes = await (await fetch(`${sg.adminUrl}/api/routes`)).json() as { routes: { demoted: boolean; mode: string }[] };
  assert.equal(routes.routes[0]!.demoted, true);
  assert.equal(routes.routes[0]!.mode, 'demoted');
  agent.handler = agent.json(200, { answer: 'agent' });
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'legacy', 'held while demoted');
  await new Promise((r) => setTimeout(r, 350)); // cool-down elapses
  // The cool-down lifts the demotion into probation: shadow comparisons of the (now healthy)
  // agent refill the window before it serves again.
  // (GETs: this route's POSTs are not shadowed, so only GETs can refill the window.)
  await eventually(async () => (await get(sg)).headers.get('x-shadowgate-served-by') === 'agent', 'serves again after cool-down and probation', 10_000);
  assert.equal(await metricValue(sg, 'shadowgate_guardrail_tripped', { route: 'q' }), 0, 'the gauge follows the lifted demotion');
  assert.ok(sg.logs.some((l) => l.event === 'probation' && l.why === 'cool-down passed'));
});

test('kill switch forces legacy now; unkill restores; needs the admin token', async (t) => {
  const { sg } = await rig(t, {}, { admin: { token: 'tkn' } });
  const auth = { authorization: 'Bearer tkn', 'content-type': 'application/json' };
  assert.equal((await fetch(`${sg.adminUrl}/api/routes/q/kill`, { method: 'POST' })).status, 401);
  assert.equal((await fetch(`${sg.adminUrl}/api/routes/nope/kill`, { method: 'POST', headers: auth })).status, 404);
  const kill = await fetch(`${sg.adminUrl}/api/routes/q/kill`, { method: 'POST', headers: auth, body: '{"who":"alice","why":"incident 42"}' });
  assert.equal(kill.status, 200);
  assert.equal(((await kill.json()) as { mode: string }).mode, 'killed');
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'killed' }), 1);
  await fetch(`${sg.adminUrl}/api/routes/q/unkill`, { method: 'POST', headers: auth });
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'agent');
  assert.ok(sg.logs.some((l) => l.event === 'kill' && l.who === 'alice' && l.why === 'incident 42'));
});

test('served-by header can be renamed or turned off', async (t) => {
  const { sg } = await rig(t, {}, { server: { servedByHeader: false } });
  const res = await get(sg);
  assert.equal(res.headers.get('x-shadowgate-served-by'), null);
  assert.deepEqual(await res.json(), { answer: 'agent', confidence: 0.95 });

  const renamed = await rig(t, {}, { server: { servedByHeader: 'X-Answered-By' } });
  renamed.flags.write([{ name: 'q.serve', enabled: false }]);
  await eventually(() => !renamed.sg.flags!.state('q.serve').enabled, 'serve flag off');
  const byLegacy = await get(renamed.sg);
  assert.equal(byLegacy.headers.get('x-answered-by'), 'legacy');
  assert.equal(byLegacy.headers.get('x-shadowgate-served-by'), null);
  renamed.flags.write([{ name: 'q.serve', rollout: 100 }]);
  await eventually(() => renamed.sg.flags!.state('q.serve').enabled, 'serve flag on');
  assert.equal((await get(renamed.sg)).headers.get('x-answered-by'), 'agent');
});

test('gates read a compressed agent answer as content (confidence by JSON Pointer, schema)', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const dir = mkdtempSync(join(tmpdir(), 'sg-gz-'));
  writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', required: ['answer'] }));
  const { sg, agent } = await rig(t, { serve: { gates: { minConfidence: 0.8, confidence: { pointer: '/confidence' }, schema: join(dir, 'schema.json') } } });
  const gz = (doc: unknown) => (_req: unknown, res: import('node:http').ServerResponse) => {
    const body = gzipSync(JSON.stringify(doc));
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
    res.end(body);
  };
  agent.handler = gz({ answer: 'agent', confidence: 0.9 });
  const served = await get(sg, '/api/x', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(served.headers.get('x-shadowgate-served-by'), 'agent');
  agent.handler = gz({ answer: 'agent', confidence: 0.5 });
  assert.equal((await get(sg)).headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'confidence' }), 1);
});

test('flag rollout gauge and /api/routes follow the flag file', async (t) => {
  const { sg, flags } = await rig(t, {});
  flags.write([{ name: 'q.serve', rollout: 25 }, { name: 'q.shadow', rollout: 100 }]);
  await eventually(async () => (await metricValue(sg, 'shadowgate_flag_rollout_percent', { route: 'q', flag: 'serve' })) === 25, 'gauge at 25');
  const routes = await (await fetch(`${sg.adminUrl}/api/routes`)).json() as { routes: { flags: { serve: { rolloutPercent: number } }; mode: string }[] };
  assert.equal(routes.routes[0]!.flags.serve.rolloutPercent, 25);
  assert.equal(routes.routes[0]!.mode, 'conditional');
});

test('conditional: a 30 % serve rollout serves a sticky ~30 % of users', async (t) => {
  const { sg, flags, legacy } = await rig(t, {});
  legacy.handler = legacy.json(200, { answer: 'agent', confidence: 0.95 }); // agreeing, so the guardrail stays calm
  flags.write([{ name: 'q.serve', rollout: 30, stickiness: 'userId' }]);
  await eventually(async () => sg.flags!.state('q.serve').rolloutPercent === 30, 'rollout 30');
  const served = new Map<string, string>();
  for (let i = 0; i < 200; i++) {
    const res = await get(sg, '/api/x', { headers: { 'x-user-id': `user-${i}` } });
    await res.arrayBuffer();
    served.set(`user-${i}`, res.headers.get('x-shadowgate-served-by')!);
  }
  const share = [...served.values()].filter((v) => v === 'agent').length / served.size;
  assert.ok(share > 0.18 && share < 0.42, `share ${share}`);
  const view = await (await fetch(`${sg.adminUrl}/api/routes/q`)).json() as { servedByAgentShare: number };
  assert.ok(Math.abs(view.servedByAgentShare - share) < 0.02, `servedByAgentShare ${view.servedByAgentShare} counts every request of the route (share ${share})`);
  for (let i = 0; i < 40; i++) {
    const res = await get(sg, '/api/x', { headers: { 'x-user-id': `user-${i}` } });
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-shadowgate-served-by'), served.get(`user-${i}`), 'sticky per user');
  }
});

test('serving is bounded: past agent.maxServeInFlight, legacy serves (fallback reason backpressure)', async (t) => {
  const { sg, agent } = await rig(t, { serve: { timeoutMs: 5000 } }, { agentOptions: { maxServeInFlight: 2 } });
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  agent.handler = async (_req, res) => { await held; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"answer":"agent"}'); };
  const pending = [get(sg, '/api/1'), get(sg, '/api/2')];
  await agent.waitFor(2);
  assert.equal(await metricValue(sg, 'shadowgate_serve_inflight'), 2);
  const extra = await get(sg, '/api/3');
  assert.equal(extra.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await metricValue(sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'backpressure' }), 1);
  release();
  for (const res of await Promise.all(pending)) assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  await eventually(async () => (await metricValue(sg, 'shadowgate_serve_inflight')) === 0, 'slots given back');
});

test('agent answers 204 and HEAD: no body, no bogus content-length', async (t) => {
  const { sg, agent } = await rig(t, {});
  agent.handler = (_req, res) => { res.writeHead(204, { 'x-agent': 'yes' }); res.end(); };
  const res = await get(sg);
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(res.headers.get('content-length'), null);
  agent.handler = agent.json(200, { answer: 'agent' });
  const head = await get(sg, '/api/x', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});
