// Several candidate agents: a route's `candidates` each get the mirrored request and are
// compared with legacy (per-candidate series and agreement); serve.quorum serves an answer
// enough candidates agree on, or lets legacy answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { FakeUpstream, type FakeHandler } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, eventually, seriesValue, adminJson, type StartedShadowgate } from '../support/shadowgate.js';

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; a: FakeUpstream; b: FakeUpstream; c: FakeUpstream; sg: StartedShadowgate }

const answer = (v: string, tokens = 10): FakeHandler => (_req, res) => {
  const text = JSON.stringify({ v, usage: { input_tokens: tokens } });
  res.writeHead(200, { 'content-type': 'application/json', 'x-agent-confidence': '0.9' });
  res.end(text);
};
/** Never answers; remembers that the proxy gave up on it. */
const hang = (gone: { closed: number }): FakeHandler => (req: http.IncomingMessage) => { req.socket.once('close', () => { gone.closed++; }); };

async function rig(t: { after(fn: () => Promise<void>): void }, routes: unknown[], extra: Record<string, unknown> = {}): Promise<Rig> {
  const [legacy, agent, a, b, c] = await Promise.all([0, 1, 2, 3, 4].map(() => new FakeUpstream().start()));
  legacy!.handler = answer('legacy');
  agent!.handler = answer('top-level agent');
  const flags = tempFlagFile([{ name: 'q.serve', rollout: 100 }, { name: 's.serve', rollout: 0 }]);
  const sg = await startTestShadowgate({
    legacy: legacy!.url, agent: agent!.url, flags: { file: flags.file },
    candidates: [{ name: 'gpt-a', url: a!.url }, { name: 'claude-b', url: b!.url, timeoutMs: 5000 }, { name: 'c', url: c!.url }],
    routes, ...extra,
  });
  t.after(async () => { await sg.close(); await Promise.all([legacy, agent, a, b, c].map((u) => u!.stop())); });
  return { legacy: legacy!, agent: agent!, a: a!, b: b!, c: c!, sg };
}

const report = { inputTokens: { pointer: '/usage/input_tokens' } };
/** Token counts differ between candidates; the answer is the rest. */
const compare = { ignore: ['/usage'] };

test('shadow: each candidate gets the mirrored request and is compared with legacy; the first drives the route', async (t) => {
  const r = await rig(t, [{ name: 's', match: { path: '/s/*' }, candidates: ['gpt-a', 'claude-b'], agentReport: report, compare }]);
  r.legacy.handler = answer('same');
  r.a.handler = answer('same', 7);
  r.b.handler = answer('other', 11);
  for (let i = 0; i < 10; i++) await (await fetch(`${r.sg.dataUrl}/s/${i}?n=${i}`)).arrayBuffer();
  await eventually(async () => (await seriesValue(r.sg, 'shadowgate_candidate_comparisons_total', { route: 's', candidate: 'claude-b', result: 'mismatch' })) === 10, 'claude-b compared 10 times');
  assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_comparisons_total', { route: 's', candidate: 'gpt-a', result: 'match' }), 10);
  assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_comparisons_total', { route: 's', candidate: 'gpt-a', result: 'mismatch' }), 0);
  assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_duration_seconds_count', { route: 's', candidate: 'gpt-a' }), 10);
  assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_duration_seconds_count', { route: 's', candidate: 'claude-b' }), 10);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 's', type: 'input', candidate: 'gpt-a' }), 70);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 's', type: 'input', candidate: 'claude-b' }), 110);
  // The route-level series, the guardrail and readiness follow the first candidate.
  assert.equal(await seriesValue(r.sg, 'shadowgate_comparisons_total', { route: 's', result: 'match' }), 10);
  assert.equal(r.agent.seen.length, 0, 'candidates replace the top-level agent for the route');
  for (const u of [r.a, r.b]) {
    assert.equal(u.seen.length, 10);
    assert.equal(u.seen[0]!.headers['x-shadowgate-shadow'], '1');
    assert.equal(u.seen[0]!.headers.host, new URL(u.url).host);
    assert.match(u.seen[0]!.url, /^\/s\/\d\?n=\d$/);
  }
  const view = (await adminJson<{ candidates: unknown; agreement: number }>(r.sg, '/api/routes/s')).body;
  assert.deepEqual(view.candidates, [{ name: 'gpt-a', agreement: 1, n: 10 }, { name: 'claude-b', agreement: 0, n: 10 }]);
  assert.equal(view.agreement, 1);
  const readiness = (await adminJson<{ levels: { conditional: { agreement: { n: number; observed: number } } } }>(r.sg, '/api/routes/s/readiness')).body;
  assert.deepEqual([readiness.levels.conditional.agreement.n, readiness.levels.conditional.agreement.observed], [10, 1]);
});

test('shadow: a route without candidates shows candidates null and counts tokens as the agent\'s', async (t) => {
  const r = await rig(t, [{ name: 's', match: { path: '/s/*' }, agentReport: report }]);
  await (await fetch(`${r.sg.dataUrl}/s/1`)).arrayBuffer();
  await eventually(async () => (await seriesValue(r.sg, 'shadowgate_comparisons_total', { route: 's', result: 'mismatch' })) === 1, 'compared');
  assert.equal((await adminJson<{ candidates: unknown }>(r.sg, '/api/routes/s')).body.candidates, null);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 's', type: 'input', candidate: 'agent' }), 10);
  assert.equal(r.a.seen.length + r.b.seen.length + r.c.seen.length, 0);
});

const quorumRoute = (extra: Record<string, unknown> = {}) => ({
  name: 'q', match: { path: '/q/*' }, agentReport: report, compare,
  serve: { timeoutMs: 30_000, quorum: { candidates: ['gpt-a', 'claude-b', 'c'], minAgree: 2 }, ...extra },
});

test('quorum: two of three agree, their answer is served', async (t) => {
  const r = await rig(t, [quorumRoute()]);
  r.a.handler = answer('x', 3);
  r.b.handler = answer('y', 4);
  r.c.handler = answer('x', 5);
  const res = await fetch(`${r.sg.dataUrl}/q/1`);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(((await res.json()) as { v: string }).v, 'x');
  assert.equal(r.legacy.seen.length, 0);
  for (const u of [r.a, r.b, r.c]) {
    assert.equal(u.seen.length, 1);
    assert.equal(u.seen[0]!.headers['x-shadowgate-shadow'], undefined, 'a serving call, not a shadow');
  }
  assert.equal(await seriesValue(r.sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'no_quorum' }), 0);
  // The two that agreed answered (claude-b may have been cancelled if it came last).
  for (const name of ['gpt-a', 'c']) assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_duration_seconds_count', { route: 'q', candidate: name }), 1);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 'q', candidate: 'c' }), 5);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 'q', candidate: 'gpt-a' }), 3);
});

test('quorum: no two agree, legacy answers with fallback reason no_quorum', async (t) => {
  const r = await rig(t, [quorumRoute()]);
  r.a.handler = answer('x');
  r.b.handler = answer('y');
  r.c.handler = (_req, res) => { res.writeHead(500); res.end(); };
  const res = await fetch(`${r.sg.dataUrl}/q/1`);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(((await res.json()) as { v: string }).v, 'legacy');
  assert.equal(await seriesValue(r.sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'no_quorum' }), 1);
  // Nothing was served, and every candidate's cost still shows.
  for (const name of ['gpt-a', 'claude-b', 'c']) assert.equal(await seriesValue(r.sg, 'shadowgate_candidate_duration_seconds_count', { route: 'q', candidate: name }), 1);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 'q', candidate: 'gpt-a' }), 10);
  assert.equal(await seriesValue(r.sg, 'shadowgate_agent_tokens_total', { route: 'q', candidate: 'claude-b' }), 10);
});

test('quorum: one candidate hangs, the two that agree are served and the hung call is cancelled', async (t) => {
  const r = await rig(t, [quorumRoute()]);
  const gone = { closed: 0 };
  r.a.handler = answer('x');
  r.b.handler = hang(gone);
  r.c.handler = answer('x');
  const res = await fetch(`${r.sg.dataUrl}/q/1`);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'agent');
  assert.equal(((await res.json()) as { v: string }).v, 'x');
  // serve.timeoutMs is 30 s: a quorum that waited for the hung candidate would not have cancelled it yet.
  await eventually(() => gone.closed === 1, 'the hung candidate\'s call was cancelled once the quorum was reached');
  assert.equal(await seriesValue(r.sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'no_quorum' }), 0);
});

test('quorum: the agreed answer must pass the gates; the calls beyond the first need free shadow slots', async (t) => {
  const r = await rig(t, [quorumRoute({ gates: { minConfidence: 0.95, confidence: { header: 'x-agent-confidence' } } })]);
  for (const u of [r.a, r.b, r.c]) u.handler = answer('x'); // confidence 0.9
  const res = await fetch(`${r.sg.dataUrl}/q/1`);
  assert.equal(res.headers.get('x-shadowgate-served-by'), 'legacy');
  assert.equal(await seriesValue(r.sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'confidence' }), 1);

  const small = await rig(t, [quorumRoute()], { agentOptions: { maxInFlight: 1 } });
  for (const u of [small.a, small.b, small.c]) u.handler = answer('x');
  const refused = await fetch(`${small.sg.dataUrl}/q/1`);
  assert.equal(refused.headers.get('x-shadowgate-served-by'), 'legacy', 'two extra calls do not fit in agent.maxInFlight 1');
  assert.equal(await seriesValue(small.sg, 'shadowgate_fallbacks_total', { route: 'q', reason: 'backpressure' }), 1);
  assert.equal(small.a.seen.length + small.b.seen.length + small.c.seen.length, 0, 'no candidate was called');
  assert.equal(small.sg.dispatcher.inflight, 0, 'no slot kept');
});
