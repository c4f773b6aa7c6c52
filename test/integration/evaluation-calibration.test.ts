// Noise calibration through the proxy: real legacy and agent servers whose fields differ in
// known ways, calibration pairs marked x-shadowgate-calibration, the verdicts of
// GET /api/routes/:name/fields, and the raw and adjusted agreement they lead to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { startTestShadowgate, eventually, seriesValue, adminJson, type StartedShadowgate } from '../support/shadowgate.js';
import type { FieldsResponse } from '../../src/evaluation/calibration.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate }

const calibrated = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
  name, match: { path },
  calibration: { percent: 100, maxInFlight: 4, minSamples: 10, window: 100 },
  // The agreement window is max(samples.window, promotion minSamples): 20 here, so it turns over quickly.
  promotion: { conditional: { minSamples: 10 }, full: { minSamples: 20 } },
  ...extra,
});

async function rig(t: { after(fn: () => Promise<void>): void }, routes: unknown[]): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  // legacy: a request id that changes on every call, a stable summary and price.
  legacy.handler = (req, res) => json(res, { id: 7, price: 10, summary: 'two items', meta: { requestId: randomUUID() } });
  agent.handler = (req, res) => {
    if (req.url?.startsWith('/noisy')) return json(res, { id: 7, price: 10, summary: 'two items', meta: { requestId: randomUUID() } });
    // mixed: the agent's summary changes on every call (unstable), its price is wrong (a regression).
    return json(res, { id: 7, price: 11, summary: `items: ${randomUUID()}`, meta: { requestId: randomUUID() } });
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, samples: { window: 20 }, routes });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { legacy, agent, sg };
}

function json(res: import('node:http').ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** One request at a time, each shadow and its calibration pair finished before the next. */
async function traffic(sg: StartedShadowgate, path: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${sg.dataUrl}${path}/${i}?page=${i}`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await eventually(() => sg.dispatcher.inflight === 0, 'shadow and calibration done');
  }
}

const byPointer = (f: FieldsResponse) => Object.fromEntries(f.fields.map((x) => [x.pointer, x]));

test('a field legacy varies on itself is noise: raw agreement stays 0, adjusted agreement reaches 1', async (t) => {
  const { sg, legacy, agent } = await rig(t, [calibrated('noisy', '/noisy/*')]);
  await traffic(sg, '/noisy', 40);

  // Every shadow was sent twice to each side, the second time marked, with the same query.
  const marked = (u: FakeUpstream) => u.seen.filter((r) => r.headers['x-shadowgate-calibration'] === '1');
  assert.equal(legacy.seen.length, 80);
  assert.equal(marked(legacy).length, 40);
  assert.equal(marked(agent).length, 40);
  assert.ok(marked(legacy).every((r) => /^\/noisy\/\d+\?page=\d+$/.test(r.url)), 'the second legacy call asks for the same target');
  assert.ok(marked(agent).every((r) => r.headers['x-shadowgate-shadow'] === '1'), 'the second agent call is a shadow too');

  const { status, body } = await adminJson<FieldsResponse & { calibration: string }>(sg, '/api/routes/noisy/fields');
  assert.equal(status, 200);
  assert.equal(body.calibration, 'on');
  const f = byPointer(body)['/meta/requestId']!;
  assert.deepEqual(f.raw, { differs: 40, total: 40, rate: 1 });
  assert.deepEqual(f.legacyNoise, { differs: 40, total: 40, rate: 1 });
  assert.deepEqual(f.agentNoise, { differs: 40, total: 40, rate: 1 });
  assert.equal(f.verdict, 'noise');
  assert.equal(f.suggestion, 'ignore /meta/requestId: legacy differs from itself in 100 % of calibration pairs');
  assert.equal(body.fields.length, 1, 'only the differing field is listed');

  const route = (await adminJson<{ agreement: number; agreementRatio: { raw: number; adjusted: number } }>(sg, '/api/routes/noisy')).body;
  assert.deepEqual(route.agreementRatio, { raw: 0, adjusted: 1 }, 'the last 20 comparisons differ only in noise');
  assert.equal(route.agreement, 0, 'the existing agreement field is raw, as before');
  assert.equal(await seriesValue(sg, 'shadowgate_agreement_ratio', { route: 'noisy', kind: 'raw' }), 0);
  assert.equal(await seriesValue(sg, 'shadowgate_agreement_ratio', { route: 'noisy', kind: 'adjusted' }), 1);
  assert.equal(await seriesValue(sg, 'shadowgate_calibration_dropped_total', { route: 'noisy' }), 0);

  // Once the route ignores the field, it is no longer listed.
  const ignored = await rigIgnoring(t);
  await traffic(ignored, '/noisy', 12);
  assert.deepEqual((await adminJson<FieldsResponse>(ignored, '/api/routes/noisy/fields')).body.fields, []);
});

async function rigIgnoring(t: { after(fn: () => Promise<void>): void }): Promise<StartedShadowgate> {
  const { sg } = await rig(t, [calibrated('noisy', '/noisy/*', { compare: { ignore: ['/meta/requestId'] } })]);
  return sg;
}

test('an agent that varies on itself is agent_unstable, a wrong value is real: adjusted agreement stays low', async (t) => {
  const { sg } = await rig(t, [calibrated('mixed', '/mixed/*')]);
  await traffic(sg, '/mixed', 40);
  const fields = byPointer((await adminJson<FieldsResponse>(sg, '/api/routes/mixed/fields')).body);
  assert.equal(fields['/meta/requestId']!.verdict, 'noise');
  assert.equal(fields['/summary']!.verdict, 'agent_unstable');
  assert.deepEqual(fields['/summary']!.legacyNoise, { differs: 0, total: 40, rate: 0 });
  assert.match(fields['/summary']!.suggestion, /^the agent is unstable on \/summary: it differs from itself in 100 % of calibration pairs, legacy from itself in 0 %/);
  assert.equal(fields['/price']!.verdict, 'real');
  assert.deepEqual(fields['/price']!.agentNoise, { differs: 0, total: 40, rate: 0 });
  assert.match(fields['/price']!.suggestion, /^keep comparing \/price: the agent differs from legacy in 100 % of comparisons/);
  const route = (await adminJson<{ agreementRatio: { raw: number; adjusted: number } }>(sg, '/api/routes/mixed')).body;
  assert.deepEqual(route.agreementRatio, { raw: 0, adjusted: 0 }, 'a real difference is never adjusted away');
});

test('calibration.maxInFlight bounds the pairs: the rest are skipped and counted; without calibration nothing extra is sent', async (t) => {
  const { sg, legacy, agent } = await rig(t, [
    calibrated('noisy', '/noisy/*', { calibration: { percent: 100, maxInFlight: 1 } }),
    { name: 'plain', match: { path: '/plain/*' } },
  ]);
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  const answer = agent.handler;
  agent.handler = async (req, res, body) => {
    if (req.headers['x-shadowgate-calibration'] === '1') await held; // the one pair that goes out waits here
    return answer(req, res, body);
  };
  await Promise.all(Array.from({ length: 5 }, (_, i) => fetch(`${sg.dataUrl}/noisy/${i}`).then((r) => r.arrayBuffer())));
  await eventually(async () => (await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'noisy', result: 'mismatch' })) === 5, 'five shadows compared');
  await eventually(async () => (await seriesValue(sg, 'shadowgate_calibration_dropped_total', { route: 'noisy', reason: 'backpressure' })) === 4, 'four pairs skipped');
  assert.equal(agent.seen.filter((r) => r.headers['x-shadowgate-calibration'] === '1').length, 1);
  release();
  await eventually(() => sg.dispatcher.inflight === 0, 'the held pair finished');
  assert.equal((await adminJson<FieldsResponse>(sg, '/api/routes/noisy/fields')).body.fields[0]!.legacyNoise.total, 1);

  const before = { legacy: legacy.seen.length, agent: agent.seen.length };
  await traffic(sg, '/plain', 3);
  assert.equal(legacy.seen.length - before.legacy, 3, 'a route without calibration asks legacy once per request');
  assert.equal(agent.seen.length - before.agent, 3);
  const plain = await adminJson<{ route: string; fields: unknown[]; calibration: string }>(sg, '/api/routes/plain/fields');
  assert.deepEqual(plain.body, { route: 'plain', fields: [], calibration: 'off' });
  assert.equal((await adminJson(sg, '/api/routes/nope/fields')).status, 404);
});

test('a calibration pair whose second answer failed is not counted', async (t) => {
  const { sg, legacy } = await rig(t, [calibrated('noisy', '/noisy/*')]);
  const answer = legacy.handler;
  legacy.handler = (req, res, body) => {
    if (req.headers['x-shadowgate-calibration'] === '1') { res.writeHead(503); res.end(); return; }
    return answer(req, res, body);
  };
  await traffic(sg, '/noisy', 3);
  assert.equal(await seriesValue(sg, 'shadowgate_calibration_dropped_total', { route: 'noisy', reason: 'legacy_unusable' }), 3);
  const f = (await adminJson<FieldsResponse>(sg, '/api/routes/noisy/fields')).body.fields[0]!;
  assert.equal(f.legacyNoise.total, 0);
  assert.equal(f.agentNoise.total, 3, 'the agent pair still counts');
});
