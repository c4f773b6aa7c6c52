// However the agent misbehaves, the client gets exactly legacy's answer, and the shadow is
// judged and counted: agent_error for failures, mismatch / match for real answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { FakeRawUpstream } from '../fixtures/fake-raw-upstream.js';
import { clientRequest, deferred } from '../fixtures/fake-client.js';
import { startTestShadowgate, metricValue, eventually, type StartedShadowgate } from '../support/shadowgate.js';

const LEGACY_BODY = '{"answer":"legacy","n":1}';

async function legacyUpstream(): Promise<FakeUpstream> {
  const legacy = await new FakeUpstream().start();
  legacy.handler = (_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json', 'x-from': 'legacy', 'content-length': Buffer.byteLength(LEGACY_BODY) });
    res.end(LEGACY_BODY);
  };
  return legacy;
}

const comparisons = (sg: StartedShadowgate, result: string) => metricValue(sg, 'shadowgate_comparisons_total', { route: 'all', result });

interface Case {
  name: string;
  agent: () => Promise<{ url: string; stop(): Promise<void>; release?: () => void }>;
  timeoutMs: number;
  result: 'agent_error' | 'mismatch' | 'match';
  errorKind?: string;
}

function fake(setup: (agent: FakeUpstream) => void) {
  return async () => {
    const agent = await new FakeUpstream().start();
    setup(agent);
    return agent;
  };
}

const cases: Case[] = [
  {
    name: 'hangs (never answers)', timeoutMs: 300, result: 'agent_error', errorKind: 'timeout',
    agent: async () => {
      const hold = deferred();
      const agent = await new FakeUpstream().start();
      agent.handler = async () => { await hold.promise; };
      return Object.assign(agent, { release: () => hold.resolve() });
    },
  },
  { name: 'resets the connection', timeoutMs: 3000, result: 'agent_error', errorKind: 'reset', agent: fake((a) => { a.handler = (req) => { req.socket.destroy(); }; }) },
  { name: 'speaks no HTTP (garbage bytes)', timeoutMs: 3000, result: 'agent_error', errorKind: 'invalid_response', agent: async () => new FakeRawUpstream().start() },
  { name: 'answers 500', timeoutMs: 3000, result: 'agent_error', errorKind: 'status_5xx', agent: fake((a) => { a.handler = a.json(500, { error: 'boom' }); }) },
  {
    name: 'answers the same status with an invalid JSON body', timeoutMs: 3000, result: 'mismatch',
    agent: fake((a) => { a.handler = (_req, res) => { res.writeHead(201, { 'content-type': 'application/json' }); res.end('{"answer": "legacy", n: '); }; }),
  },
  {
    name: 'is slow (1 s, within a 3 s timeout) but equal', timeoutMs: 3000, result: 'match',
    agent: fake((a) => {
      a.handler = async (_req, res) => {
        await new Promise((r) => setTimeout(r, 1000));
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(LEGACY_BODY);
      };
    }),
  },
];

for (const c of cases) {
  test(`agent ${c.name}: the client gets legacy's status and body; counted ${c.result}`, async (t) => {
    const legacy = await legacyUpstream();
    const agent = await c.agent();
    const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, agentOptions: { timeoutMs: c.timeoutMs } });
    t.after(async () => { agent.release?.(); await sg.close(); await legacy.stop(); await agent.stop(); });

    const res = await clientRequest(`${sg.dataUrl}/api/quote?id=7`);
    assert.equal(res.status, 201);
    assert.equal(res.headers['x-from'], 'legacy');
    assert.equal(res.body.toString(), LEGACY_BODY);

    await eventually(async () => (await comparisons(sg, c.result)) === 1, `comparison counted as ${c.result}`, 6000);
    assert.equal(await metricValue(sg, 'shadowgate_comparisons_total', { route: 'all' }), 1, 'one result, nothing else');
    if (c.errorKind) {
      assert.equal(await metricValue(sg, 'shadowgate_upstream_errors_total', { route: 'all', upstream: 'agent', kind: c.errorKind }), 1);
    }
    // The proxy is unharmed: the next request is answered the same way.
    assert.equal((await clientRequest(`${sg.dataUrl}/api/quote?id=8`)).body.toString(), LEGACY_BODY);
  });
}

test("a hanging agent does not hold the client: the response completes while the agent call is pending", async (t) => {
  const legacy = await legacyUpstream();
  const agent = await new FakeUpstream().start();
  const hold = deferred();
  let agentAnswered = false;
  agent.handler = async (_req, res) => {
    await hold.promise;
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(LEGACY_BODY);
    agentAnswered = true;
  };
  const sg = await startTestShadowgate({ legacy: legacy.url, agent: agent.url, agentOptions: { timeoutMs: 10_000 } });
  t.after(async () => { hold.resolve(); await sg.close(); await legacy.stop(); await agent.stop(); });

  const res = await clientRequest(`${sg.dataUrl}/api/quote`);
  assert.equal(res.status, 201);
  assert.equal(res.body.toString(), LEGACY_BODY);
  await agent.waitFor(1);
  assert.equal(agentAnswered, false, 'the agent is still holding its answer');
  assert.equal(sg.dispatcher.inflight, 1, 'the shadow is in flight');
  assert.equal(await metricValue(sg, 'shadowgate_comparisons_total'), 0);

  hold.resolve();
  await eventually(async () => (await comparisons(sg, 'match')) === 1, 'compared once the agent answered');
  assert.equal(sg.dispatcher.inflight, 0);
});
