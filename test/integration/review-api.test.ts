// Review API and page assets on the admin port: verdict validation and recording, the verdict
// counter, adjudicated accuracy (surviving sample eviction), and that only the static page
// is reachable without the admin token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { UI_MODULES } from '../../src/admin/review.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

const TOKEN = 'review-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

interface Rig { sg: StartedShadowgate; admin: ReturnType<typeof request> }

async function rig(t: { after(fn: () => Promise<void>): void }, extra: Record<string, unknown> = {}): Promise<Rig> {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { price: 10, items: [{ sku: 'a', qty: 1 }] });
  agent.handler = agent.json(200, { price: 12, items: [{ sku: 'a', qty: 1 }] });
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN },
    routes: [{ name: 'quotes', match: { path: '/quotes/*' }, shadow: { sideEffects: true } }, { name: 'other', match: { path: '/*' } }],
    ...extra,
  }, { logLevel: 'debug' });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  return { sg, admin: request(sg.adminUrl) };
}

/** Sends `n` requests that mismatch at /price and returns the new sample ids, oldest first. */
async function mismatches(sg: StartedShadowgate, n: number): Promise<string[]> {
  const before = new Set(sg.samples.list({ limit: 100_000 }).map((s) => s.id));
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${sg.dataUrl}/quotes/${i}`);
    await res.arrayBuffer();
  }
  let fresh: string[] = [];
  await eventually(() => {
    fresh = sg.samples.list({ limit: 100_000 }).filter((s) => !before.has(s.id)).map((s) => s.id);
    return fresh.length >= Math.min(n, sg.config.samples.max);
  }, `${n} mismatch samples`);
  return fresh.reverse();
}

test('page assets are served at / without a token, with their content types and a same-origin CSP', async (t) => {
  const { admin } = await rig(t);
  const page = await admin.get('/').expect(200);
  assert.match(page.headers['content-type']!, /^text\/html; charset=utf-8/);
  assert.match(page.text, /<script type="module" src="\/ui\/app.js">/);
  assert.match(page.text, /href="\/ui\/style.css"/);
  assert.match(page.text, /\(agent_correct \+ both_ok\) \/ judged/, 'the page documents the accuracy formula');
  assert.match(page.headers['content-security-policy']!, /default-src 'none'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');

  for (const path of UI_MODULES.map((m) => `/ui/${m}`)) {
    const js = await admin.get(path).expect(200);
    assert.match(js.headers['content-type']!, /^text\/javascript; charset=utf-8/);
    assert.doesNotMatch(js.text, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, `${path} never builds markup from strings`);
    assert.doesNotMatch(js.text, /https?:\/\//, `${path} makes no request to another origin`);
  }
  const css = await admin.get('/ui/style.css').expect(200);
  assert.match(css.headers['content-type']!, /^text\/css; charset=utf-8/);
  assert.doesNotMatch(css.text, /@import|url\(\s*['"]?https?:/);

  await admin.head('/').expect(200);
  // Every module the page imports is served (a missing one breaks the page silently).
  const imported = new Set<string>();
  for (const m of UI_MODULES) for (const [, dep] of (await admin.get(`/ui/${m}`).expect(200)).text.matchAll(/from '\.\/([a-z-]+\.js)'/g)) imported.add(dep!);
  assert.deepEqual([...imported].filter((m) => !(UI_MODULES as readonly string[]).includes(m)), []);
  await admin.get('/ui/app.ts').expect(401); // nothing else in the folder is served, with or without a token
  await admin.get('/ui/app.ts').set(auth).expect(404);
});

test('the API still needs the token: routes, diffs, verdicts and accuracy answer 401 without it', async (t) => {
  const { sg, admin } = await rig(t);
  const [id] = await mismatches(sg, 1);
  for (const call of [
    admin.get('/api/routes'),
    admin.get('/api/diffs'),
    admin.get(`/api/diffs/${id}`),
    admin.get('/api/review/accuracy'),
    admin.post(`/api/diffs/${id}/verdict`).send({ verdict: 'agent_correct' }),
    admin.post(`/api/diffs/${id}/verdict`).set({ authorization: 'Bearer wrong' }).send({ verdict: 'agent_correct' }),
  ]) {
    const res = await call;
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'SG_UNAUTHORIZED');
  }
  assert.equal(sg.samples.get(id!)!.verdict, undefined);
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total'), 0);
});

test('verdict validation: bad verdict or note is 400 SG_BAD_REQUEST, unknown sample is 404', async (t) => {
  const { sg, admin } = await rig(t);
  const [id] = await mismatches(sg, 1);
  for (const body of [{}, { verdict: 'agent_is_great' }, { verdict: 1 }, { verdict: 'agent_correct', note: 'x'.repeat(501) }, { verdict: 'agent_correct', note: 7 }, ['agent_correct']]) {
    const res = await admin.post(`/api/diffs/${id}/verdict`).set(auth).send(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.code, 'SG_BAD_REQUEST');
    assert.equal(typeof res.body.error.message, 'string');
  }
  const notJson = await admin.post(`/api/diffs/${id}/verdict`).set(auth).set('content-type', 'application/json').send('{verdict');
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.error.code, 'SG_BAD_REQUEST');

  const unknown = await admin.post('/api/diffs/no-such-sample/verdict').set(auth).send({ verdict: 'agent_correct' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'SG_NOT_FOUND');
  assert.equal(sg.samples.get(id!)!.verdict, undefined);
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total'), 0);
});

test('a verdict is stored on the sample, counted, and logged without its note; re-judging replaces it', async (t) => {
  const { sg, admin } = await rig(t);
  const [id] = await mismatches(sg, 1);
  const note = 'legacy rounds the price; customer 4711 saw it';
  const first = await admin.post(`/api/diffs/${id}/verdict`).set(auth).send({ verdict: 'agent_correct', note }).expect(200);
  assert.equal(first.body.verdict.verdict, 'agent_correct');
  assert.equal(first.body.verdict.note, note);
  assert.ok(!Number.isNaN(Date.parse(first.body.verdict.at)), 'verdict.at is an ISO time');

  const stored = await admin.get(`/api/diffs/${id}`).set(auth).expect(200);
  assert.deepEqual(stored.body.verdict, first.body.verdict);
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total', { route: 'quotes', verdict: 'agent_correct' }), 1);

  await admin.post(`/api/diffs/${id}/verdict`).set(auth).send({ verdict: 'both_ok' }).expect(200);
  const again = await admin.get(`/api/diffs/${id}`).set(auth).expect(200);
  assert.equal(again.body.verdict.verdict, 'both_ok');
  assert.equal(again.body.verdict.note, undefined, 'a re-judgement replaces the whole verdict');
  // The counter counts every verdict recorded (review activity), re-judgements included.
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total', { route: 'quotes', verdict: 'agent_correct' }), 1);
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total', { route: 'quotes', verdict: 'both_ok' }), 1);
  const text = (await request(sg.adminUrl).get('/metrics').expect(200)).text;
  assert.match(text, /^shadowgate_review_verdicts_total\{route="quotes",verdict="agent_correct"\} 1$/m);

  const lines = sg.logs.filter((l) => l.event === 'verdict');
  assert.equal(lines.length, 2);
  assert.deepEqual([lines[0]!.sampleId, lines[0]!.route, lines[0]!.verdict], [id, 'quotes', 'agent_correct']);
  assert.equal(lines[1]!.replaced, 'agent_correct');
  const infoAndAbove = sg.logs.filter((l) => (l.level as number) >= 30);
  assert.ok(!JSON.stringify(infoAndAbove).includes('4711'), 'the note never appears above debug level');
});

test('accuracy: (agent_correct + both_ok) / judged per route, latest verdict per sample, null before any verdict', async (t) => {
  const { sg, admin } = await rig(t);
  const ids = await mismatches(sg, 5);
  const verdicts = ['agent_correct', 'both_ok', 'legacy_correct', 'both_wrong', 'agent_correct'];
  for (const [i, verdict] of verdicts.entries()) {
    await admin.post(`/api/diffs/${ids[i]}/verdict`).set(auth).send({ verdict }).expect(200);
  }
  let res = await admin.get('/api/review/accuracy').set(auth).expect(200);
  assert.equal(res.body.formula, '(agent_correct + both_ok) / judged');
  assert.deepEqual(res.body.routes, [
    { route: 'quotes', judged: 5, agentCorrect: 2, legacyCorrect: 1, bothOk: 1, bothWrong: 1, adjudicatedAccuracy: 3 / 5 },
    { route: 'other', judged: 0, agentCorrect: 0, legacyCorrect: 0, bothOk: 0, bothWrong: 0, adjudicatedAccuracy: null },
  ]);

  // Re-judging moves the sample from its old verdict to the new one.
  await admin.post(`/api/diffs/${ids[2]}/verdict`).set(auth).send({ verdict: 'agent_correct' }).expect(200);
  res = await admin.get('/api/review/accuracy').set(auth).expect(200);
  assert.deepEqual(res.body.routes[0], { route: 'quotes', judged: 5, agentCorrect: 3, legacyCorrect: 0, bothOk: 1, bothWrong: 1, adjudicatedAccuracy: 4 / 5 });
  assert.equal(await metricValue(sg, 'shadowgate_review_verdicts_total', { route: 'quotes' }), 6);
});

test('verdict tallies survive sample eviction; an evicted sample can no longer be judged', async (t) => {
  const { sg, admin } = await rig(t, { samples: { max: 2 } });
  const [first] = await mismatches(sg, 1);
  await admin.post(`/api/diffs/${first}/verdict`).set(auth).send({ verdict: 'legacy_correct' }).expect(200);
  await mismatches(sg, 2);
  assert.equal(sg.samples.get(first!), undefined, 'the judged sample was evicted');

  const res = await admin.get('/api/review/accuracy').set(auth).expect(200);
  assert.equal(res.body.routes[0].judged, 1);
  assert.equal(res.body.routes[0].legacyCorrect, 1);
  assert.equal(res.body.routes[0].adjudicatedAccuracy, 0);
  const gone = await admin.post(`/api/diffs/${first}/verdict`).set(auth).send({ verdict: 'agent_correct' });
  assert.equal(gone.status, 404);
  assert.match(gone.body.error.message, /evicted/);
});

test('without a configured token the page and the review API need no credentials', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { price: 10 });
  agent.handler = agent.json(200, { price: 12 });
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, routes: [{ name: 'quotes', match: { path: '/quotes/*' } }] });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  const admin = request(sg.adminUrl);
  await admin.get('/').expect(200);
  const [id] = await mismatches(sg, 1);
  await admin.post(`/api/diffs/${id}/verdict`).send({ verdict: 'both_wrong' }).expect(200);
  const res = await admin.get('/api/review/accuracy').expect(200);
  assert.equal(res.body.routes[0].bothWrong, 1);
  assert.equal(res.body.routes[0].adjudicatedAccuracy, 0);
});

test('/api/diffs?servedBy=agent finds the clients who were given the agent\'s differing answer', async (t) => {
  const legacy = await new FakeUpstream().start();
  const agent = await new FakeUpstream().start();
  legacy.handler = legacy.json(200, { price: 10 });
  agent.handler = agent.json(200, { price: 12 });
  // The agent serves one user; everyone else is served by legacy and only shadowed.
  const flags = tempFlagFile([{ name: 'quotes.serve', userIds: ['u-served'] }, { name: 'quotes.shadow', rollout: 100 }]);
  const sg = await startTestShadowgate({
    legacy: legacy.url, agent: agent.url, admin: { token: TOKEN }, flags: { file: flags.file },
    routes: [{ name: 'quotes', match: { path: '/quotes/*' }, serve: { fallback: 'parallel' } }],
  });
  t.after(async () => { await sg.close(); await legacy.stop(); await agent.stop(); });
  const served = await fetch(`${sg.dataUrl}/quotes/1`, { headers: { 'x-user-id': 'u-served' } });
  assert.equal(served.headers.get('x-shadowgate-served-by'), 'agent');
  assert.deepEqual(await served.json(), { price: 12 });
  for (const user of ['u-a', 'u-b']) await (await fetch(`${sg.dataUrl}/quotes/2`, { headers: { 'x-user-id': user } })).arrayBuffer();
  await eventually(() => sg.samples.size === 3, 'three mismatch samples');

  const admin = request(sg.adminUrl);
  const byAgent = (await admin.get('/api/diffs').query({ servedBy: 'agent' }).set(auth).expect(200)).body as { diffs: { servedBy: string; request: { path: string } }[] };
  assert.deepEqual(byAgent.diffs.map((d) => [d.servedBy, d.request.path]), [['agent', '/quotes/1']]);
  const byLegacy = (await admin.get('/api/diffs').query({ servedBy: 'legacy' }).set(auth).expect(200)).body as typeof byAgent;
  assert.deepEqual(byLegacy.diffs.map((d) => d.servedBy), ['legacy', 'legacy']);
  assert.equal(((await admin.get('/api/diffs').query({ servedBy: '' }).set(auth).expect(200)).body as typeof byAgent).diffs.length, 3, 'empty = any');
  const bad = await admin.get('/api/diffs').query({ servedBy: 'robot' }).set(auth).expect(400);
  assert.equal(bad.body.error.code, 'SG_BAD_REQUEST');
  assert.match(bad.body.error.message, /servedBy must be one of legacy, agent/);
});
