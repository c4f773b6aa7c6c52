// The shadow path is bounded: at most agent.maxInFlight shadows, at most
// shadow.maxBufferedBytes captured; beyond that, shadows are dropped and counted while
// clients keep getting legacy's answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { clientRequest, deferred } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually } from '../support/shadowgate.js';

async function hangingRig(t: { after(fn: () => Promise<void>): void }, extra: Record<string, unknown>) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const hold = deferred();
  legacy.handler = legacy.json(200, { from: 'legacy' });
  agent.handler = async (_req, res) => { await hold.promise; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"from":"legacy"}'); };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, ...extra });
  t.after(async () => { hold.resolve(); await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg, hold };
}

test('agent hangs with maxInFlight 4: 20 concurrent clients all get legacy, >= 16 shadows dropped (backpressure)', async (t) => {
  const { sg, agent, hold } = await hangingRig(t, { agentOptions: { maxInFlight: 4, timeoutMs: 10_000 } });
  let maxInflight = 0;
  const sampler = setInterval(() => { maxInflight = Math.max(maxInflight, sg.dispatcher.inflight); }, 1);
  t.after(() => clearInterval(sampler));

  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => clientRequest(`${sg.dataUrl}/api/r${i}`)));
  for (const res of responses) {
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { from: 'legacy' });
  }
  assert.ok(await metricValue(sg, 'shadowgate_shadow_dropped_total', { reason: 'backpressure' }) >= 16);
  const gauge = await metricValue(sg, 'shadowgate_shadow_inflight');
  assert.ok(gauge <= 4 && gauge >= 1, `inflight gauge ${gauge}`);
  assert.ok(maxInflight <= 4, `inflight peaked at ${maxInflight}`);
  assert.equal(await metricValue(sg, 'shadowgate_shadow_inflight_limit'), 4);
  const backpressureLogs = sg.logs.filter((l) => String(l.msg).includes('backpressure'));
  assert.equal(backpressureLogs.length, 1, 'the first drop is logged once, not per request');

  await agent.waitFor(gauge);
  hold.resolve();
  await eventually(async () => (await metricValue(sg, 'shadowgate_shadow_inflight')) === 0, 'slots freed once the agent answers');
  clearInterval(sampler);
  assert.ok(maxInflight <= 4);
});

test('shadow.maxBufferedBytes 64 KiB with 40 KiB bodies: buffer_full drops, and the shared budget never exceeds its limit', async (t) => {
  const limit = 64 * 1024;
  const { sg, legacy, hold } = await hangingRig(t, {
    shadow: { maxBufferedBytes: limit }, agentOptions: { timeoutMs: 10_000 },
    routes: [{ name: 'upload', match: { path: '/api/*' }, shadow: { sideEffects: true } }],
  });
  // Sample the budget at every reservation: the moment it would be over the limit.
  const budget = sg.dispatcher.budget;
  let peak = 0;
  const tryReserve = budget.tryReserve.bind(budget);
  budget.tryReserve = (bytes: number) => {
    const ok = tryReserve(bytes);
    peak = Math.max(peak, budget.used);
    return ok;
  };

  const bodies = Array.from({ length: 3 }, () => randomBytes(40 * 1024));
  for (const body of bodies) {
    const res = await clientRequest(`${sg.dataUrl}/api/upload`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(res.status, 200, 'the client is served whatever the shadow budget');
  }
  const concurrent = await Promise.all(Array.from({ length: 4 }, () => randomBytes(40 * 1024))
    .map((body) => clientRequest(`${sg.dataUrl}/api/upload`, { method: 'POST', body })));
  for (const res of concurrent) assert.equal(res.status, 200);

  assert.deepEqual(legacy.seen.map((r) => r.body.length), Array(7).fill(40 * 1024), 'legacy got every body whole');
  assert.ok(legacy.seen.slice(0, 3).every((r, i) => r.body.equals(bodies[i]!)));
  assert.ok(await metricValue(sg, 'shadowgate_shadow_dropped_total', { route: 'upload', reason: 'buffer_full' }) >= 2);
  assert.ok(peak > 0 && peak <= limit, `budget peaked at ${peak} of ${limit}`);
  assert.ok(budget.used <= limit);

  hold.resolve();
  await eventually(() => sg.dispatcher.inflight === 0, 'in-flight shadows finished');
  assert.equal(budget.used, 0, 'every captured byte was given back');
});

test('a shadow whose bodies do not fit the shared budget is dropped (buffer_full) instead of judging a cut body (regression: false mismatch)', async (t) => {
  // The budget counts every body an in-flight shadow holds: request, legacy's and the agent's.
  const limit = 100 * 1024;
  const payload = randomBytes(40 * 1024);
  const { sg, legacy, agent, hold } = await hangingRig(t, { shadow: { maxBufferedBytes: limit }, agentOptions: { timeoutMs: 10_000 } });
  legacy.handler = (_req, res) => { res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': payload.length }); res.end(payload); };
  agent.handler = async (req, res) => {
    if (req.url === '/api/first') await hold.promise; // the first shadow keeps its legacy body (40 KiB) in the budget
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(payload);
  };

  const first = await clientRequest(`${sg.dataUrl}/api/first`);
  assert.ok(first.body.equals(payload), 'the client gets the whole body');
  // Second shadow: its legacy body fits (80 KiB held), the agent's answer does not (120 KiB).
  const second = await clientRequest(`${sg.dataUrl}/api/second`);
  assert.ok(second.body.equals(payload), 'the client gets the whole body');
  await eventually(async () => (await metricValue(sg, 'shadowgate_shadow_dropped_total', { reason: 'buffer_full' })) === 1, 'second shadow dropped');
  hold.resolve();
  await eventually(() => sg.dispatcher.inflight === 0, 'shadows finished');
  await eventually(async () => (await metricValue(sg, 'shadowgate_comparisons_total')) === 1, 'first shadow compared');
  assert.equal(await metricValue(sg, 'shadowgate_comparisons_total', { result: 'match' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_comparisons_total', { result: 'mismatch' }), 0, 'memory pressure is not a mismatch');
  assert.ok(sg.dispatcher.budget.used <= limit);
  await eventually(() => sg.dispatcher.budget.used === 0, 'budget given back');
});
