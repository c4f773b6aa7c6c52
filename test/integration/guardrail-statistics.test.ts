// The guardrail's statistical trip rule through the proxy: a route the agent serves (parallel
// fallback, so every answer is also compared with legacy's) with the default guardrail
// (minAgreement 0.9, minSamples 50, window 200, confidence 0.95).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, eventually, seriesValue, type StartedShadowgate } from '../support/shadowgate.js';

async function rig(t: { after(fn: () => Promise<void>): void }) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  let agree: (i: number) => boolean = () => true;
  let n = 0;
  legacy.handler = legacy.json(200, { v: 1 });
  agent.handler = (_req, res) => {
    const text = JSON.stringify({ v: agree(n++) ? 1 : 2 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
  const flags = tempFlagFile([{ name: 'q.serve', rollout: 100 }, { name: 'q.shadow', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, flags: { file: flags.file },
    routes: [{ name: 'q', match: { path: '/q/*' }, serve: { fallback: 'parallel' } }],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  let compared = 0;
  /** One request, its comparison recorded; returns who served it. */
  const request = async (): Promise<string | null> => {
    const res = await fetch(`${sg.dataUrl}/q/x`);
    await res.arrayBuffer();
    compared++;
    await eventually(async () => (await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'q' })) >= compared, 'compared');
    return res.headers.get('x-shadowgate-served-by');
  };
  return { sg, request, setAgreement: (f: (i: number) => boolean) => { agree = f; n = 0; } };
}

const mode = async (sg: StartedShadowgate) => ((await (await fetch(`${sg.adminUrl}/api/routes/q`)).json()) as { mode: string }).mode;

test('97 % agreement, then a regression to 60 %: demoted within 60 requests of the drop', async (t) => {
  const { sg, request, setAgreement } = await rig(t);
  setAgreement((i) => (i + 1) % 33 !== 0); // 97 %
  for (let i = 0; i < 200; i++) assert.equal(await request(), 'agent', `request ${i} at 97 %`);
  assert.equal(await mode(sg), 'full');
  setAgreement((i) => i % 5 < 3); // 60 %
  let after = 0;
  while (after < 200 && (await mode(sg)) !== 'demoted') { await request(); after++; }
  assert.ok(after > 0 && after <= 60, `demoted after ${after} requests at 60 %`);
  assert.equal(await seriesValue(sg, 'shadowgate_route_demoted', { route: 'q' }), 1);
  const why = sg.logs.find((l) => l.event === 'demoted')?.why as string;
  assert.match(why, /^agreement upper bound 0\.\d{3} < 0\.9 over the last 50 comparisons \(observed 0\.\d{3}, confidence 0\.95\)$/);
  assert.equal(await request(), 'legacy', 'legacy serves once demoted');
});

test('3 unlucky failures in 50 requests never demote', async (t) => {
  const { sg, request, setAgreement } = await rig(t);
  setAgreement((i) => i !== 3 && i !== 4 && i !== 5); // three in a row, early: the worst case for the recent window
  for (let i = 0; i < 50; i++) assert.equal(await request(), 'agent', `request ${i}`);
  assert.equal(await mode(sg), 'full');
  assert.equal(await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'q', result: 'mismatch' }), 3);
  assert.equal(await seriesValue(sg, 'shadowgate_route_demoted', { route: 'q' }), 0);
});
