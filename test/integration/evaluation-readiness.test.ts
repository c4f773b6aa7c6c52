// Promotion readiness through the proxy: comparisons of real shadows feed
// GET /api/routes/:name/readiness, shadowgate_promotion_ready and `shadowgate readiness`,
// which must all say the same thing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, eventually, seriesValue, adminJson, type StartedShadowgate } from '../support/shadowgate.js';
import { run as readinessCli } from '../../src/cli/readiness.js';
import { wilsonInterval } from '../../src/evaluation/statistics.js';
import type { ReadinessResponse } from '../../src/evaluation/readiness.js';

const TOKEN = 'readiness-admin-token';
const PROMOTION = {
  conditional: { minAgreement: 0.8, minSamples: 20, maxErrorRate: 0.2 },
  full: { minAgreement: 0.95, minSamples: 40, maxErrorRate: 0.05, minAdjudicatedAccuracy: 0.5 },
};

/** `script`: one entry per request, what the agent does: agree, differ, or fail (500). */
async function rig(t: { after(fn: () => Promise<void>): void }, serveRollout = 0) {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  const script: ('agree' | 'differ' | 'fail')[] = [];
  legacy.handler = legacy.json(200, { v: 1 });
  agent.handler = (req, res) => {
    const next = script.shift() ?? 'agree';
    if (next === 'fail') { res.writeHead(500); res.end(); return; }
    const text = JSON.stringify({ v: next === 'agree' ? 1 : 2 });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  };
  const flags = tempFlagFile([{ name: 'r.serve', rollout: serveRollout }, { name: 'r.shadow', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN }, flags: { file: flags.file },
    // GETs only, so requests the agent serves are never shadowed: each request is one comparison.
    routes: [{ name: 'r', match: { path: '/r/*' }, promotion: PROMOTION, breaker: { consecutiveFailures: 1000 }, guardrail: { minSamples: 100_000 } }],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  const send = async (steps: typeof script) => {
    script.push(...steps);
    const before = await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'r' });
    for (let i = 0; i < steps.length; i++) await (await fetch(`${sg.dataUrl}/r/${i}`)).arrayBuffer();
    await eventually(async () => (await seriesValue(sg, 'shadowgate_comparisons_total', { route: 'r' })) === before + steps.length, 'all compared');
  };
  return { sg, send, flags };
}

const readiness = async (sg: StartedShadowgate) => {
  const { status, body } = await adminJson<ReadinessResponse>(sg, '/api/routes/r/readiness', TOKEN);
  assert.equal(status, 200);
  return body;
};
type Step = 'agree' | 'differ' | 'fail';
const times = (n: number, v: Step): Step[] => Array.from({ length: n }, () => v);
const lower = (match: number, n: number) => wilsonInterval(match, n, 0.95).lower.toFixed(3);

// Each row: the traffic, then what the conditional level must say.
const TABLE: { name: string; traffic: ('agree' | 'differ' | 'fail')[]; ready: boolean; reasons: (string | RegExp)[] }[] = [
  { name: 'few samples', traffic: times(5, 'agree'), ready: false, reasons: ['only 5 comparisons, 20 needed (minSamples)', `agreement lower bound ${lower(5, 5)} < 0.8 (n=5, observed 1.000)`, /^agent error rate upper bound 0\.434 > 0\.2 \(n=5 calls/] },
  { name: 'all agree', traffic: times(30, 'agree'), ready: true, reasons: ['30 comparisons ≥ 20 needed (minSamples)', `agreement lower bound ${lower(30, 30)} ≥ 0.8 (n=30, observed 1.000)`, /^agent error rate upper bound 0\.114 ≤ 0\.2 \(n=30 calls, observed 0\.000\)$/] },
  { name: 'borderline: observed above minAgreement, lower bound below', traffic: [...times(25, 'agree'), ...times(5, 'differ')], ready: false, reasons: [`agreement lower bound ${lower(25, 30)} < 0.8 (n=30, observed 0.833)`] },
  { name: 'sudden drop', traffic: [...times(30, 'agree'), ...times(15, 'differ')], ready: false, reasons: [`agreement lower bound ${lower(30, 45)} < 0.8 (n=45, observed 0.667)`] },
  { name: 'agent errors', traffic: [...times(30, 'agree'), ...times(10, 'fail')], ready: false, reasons: [/^agent error rate upper bound 0\.\d+ > 0\.2 \(n=40 calls, observed 0\.250\)$/] },
];

for (const row of TABLE) {
  test(`readiness table: ${row.name}`, async (t) => {
    const { sg, send } = await rig(t);
    await send(row.traffic);
    const r = await readiness(sg);
    assert.equal(r.route, 'r');
    assert.equal(r.level, 'shadow');
    const c = r.levels.conditional;
    assert.equal(c.ready, row.ready);
    assert.equal(c.reasons.length, row.reasons.length, c.reasons.join(' | '));
    row.reasons.forEach((want, i) => (typeof want === 'string' ? assert.equal(c.reasons[i], want) : assert.match(c.reasons[i]!, want)));
    assert.equal(r.levels.full.ready, false);
    assert.equal(await seriesValue(sg, 'shadowgate_promotion_ready', { route: 'r', level: 'conditional' }), row.ready ? 1 : 0);
    assert.equal(await seriesValue(sg, 'shadowgate_promotion_ready', { route: 'r', level: 'full' }), 0);

    // The CLI reads the same endpoint and says the same.
    const out = { stdout: '', stderr: '' };
    const code = await readinessCli(['--admin', sg.adminUrl, '--route', 'r', '--level', 'conditional'], {
      stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env: { SHADOWGATE_ADMIN_TOKEN: TOKEN },
    });
    assert.equal(code, row.ready ? 0 : 1, out.stderr);
    assert.equal(out.stdout, [`r: ${row.ready ? 'ready' : 'not ready'} for conditional (now shadow)`, ...c.reasons.map((x) => `  - ${x}`), ''].join('\n'));
  });
}

test('the level follows the serve flag; adjudicated accuracy counts review verdicts; unknown routes are errors', async (t) => {
  const { sg, send, flags } = await rig(t, 50);
  assert.equal((await readiness(sg)).level, 'conditional');
  flags.write([{ name: 'r.serve', rollout: 0 }, { name: 'r.shadow', rollout: 100 }]);
  await eventually(async () => (await readiness(sg)).level === 'shadow', 'serve at 0 %: shadow');
  flags.write([{ name: 'r.serve', rollout: 100 }, { name: 'r.shadow', rollout: 100 }]);
  await eventually(async () => (await readiness(sg)).level === 'full', 'serve at 100 %: full');
  flags.write([{ name: 'r.serve', rollout: 0 }, { name: 'r.shadow', rollout: 100 }]);
  await eventually(async () => (await readiness(sg)).level === 'shadow', 'back to shadow');

  await send([...times(40, 'agree'), ...times(10, 'differ')]);
  const full = (await readiness(sg)).levels.full;
  assert.ok(full.reasons.includes('only 0 review verdicts, 10 needed for adjudicated accuracy (minAdjudicatedAccuracy)'), full.reasons.join(' | '));
  assert.ok(full.p99Ratio === null || full.p99Ratio > 0);
  const diffs = (await adminJson<{ diffs: { id: string }[] }>(sg, '/api/diffs?result=mismatch', TOKEN)).body.diffs;
  assert.equal(diffs.length, 10);
  for (const [i, d] of diffs.entries()) {
    const res = await fetch(`${sg.adminUrl}/api/diffs/${d.id}/verdict`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: i < 6 ? 'agent_correct' : 'legacy_correct' }),
    });
    assert.equal(res.status, 200);
  }
  const after = (await readiness(sg)).levels.full;
  assert.equal(after.adjudicatedAccuracy, 0.6);
  assert.ok(!after.reasons.some((x) => x.includes('review verdicts')), 'the accuracy check passes with 10 verdicts at 0.6 ≥ 0.5');

  assert.equal((await adminJson(sg, '/api/routes/nope/readiness', TOKEN)).status, 404);
  assert.equal((await adminJson(sg, '/api/routes/r/readiness')).status, 401, 'the admin token is needed');
  const err = { text: '' };
  const code = await readinessCli(['--admin', sg.adminUrl, '--route', 'nope', '--level', 'full'], {
    stdout: { write: () => true }, stderr: { write: (s: string) => (err.text += s) }, env: { SHADOWGATE_ADMIN_TOKEN: TOKEN },
  });
  assert.equal(code, 2);
  assert.match(err.text, /answered 404 SG_NOT_FOUND: no route named "nope"/);
});
