// How verdicts steer replay, on synthetic cases against a scripted candidate.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { replayCases } from '../../src/replay/engine.js';
import { createComparator, DEFAULT_COMPARE_OPTIONS } from '../../src/compare/index.js';
import type { LoadedCase } from '../../src/suites/read.js';
import type { SuiteCase, SuiteResponse } from '../../src/suites/format.js';
import { FakeUpstream } from '../fixtures/fake-upstream.js';

const answer = (value: unknown, status = 200): SuiteResponse => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value), bodyEncoding: 'utf8' });
const loaded = (id: string, expected: SuiteResponse, agent: SuiteResponse | null, verdict: LoadedCase['verdict']): LoadedCase => ({
  file: 'x.jsonl', verdict,
  case: {
    id, route: 'r', recordedAt: '2025-01-01T00:00:00Z',
    request: { method: 'POST', path: `/answer/${id}`, query: 'a=1', headers: { 'content-type': 'application/json', host: 'old-host', 'content-length': '999' }, body: Buffer.from('{"q":1}').toString('base64'), bodyEncoding: 'base64' },
    expected, agent, result: 'mismatch', verdict: null,
  } satisfies SuiteCase,
});

const candidate = new FakeUpstream();
before(async () => {
  await candidate.start();
  // The candidate answers {"v": "B"} to everything, gzip'd for the "gz" case and 503 for "down".
  candidate.handler = async (req, res) => {
    if (req.url?.startsWith('/answer/down')) { res.writeHead(503); res.end(); return; }
    const body = Buffer.from(JSON.stringify({ v: 'B' }));
    if (req.url?.startsWith('/answer/gz')) {
      const { gzipSync } = await import('node:zlib');
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(body));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  };
});
after(() => candidate.stop());

test('verdicts choose the reference; excluded cases are never sent; bodies decoded; 5xx is agent_error', async () => {
  const A = answer({ v: 'A' });
  const B = answer({ v: 'B' });
  const cases = [
    loaded('plain', A, B, null),                    // compared with legacy's A: mismatch
    loaded('agent_correct', A, B, 'agent_correct'), // compared with the agent's B: match
    loaded('both_ok', A, B, 'both_ok'),             // either: match
    loaded('both_ok_legacy', B, A, 'both_ok'),
    loaded('legacy_correct', A, B, 'legacy_correct'),
    loaded('both_wrong', A, B, 'both_wrong'),
    loaded('agent_correct_no_answer', A, null, 'agent_correct'),
    loaded('broken_reference', answer({}, 502), B, null),
    loaded('gz', B, null, null),
    loaded('down', B, null, null),
  ];
  const compare = await createComparator(structuredClone(DEFAULT_COMPARE_OPTIONS));
  const outcomes = await replayCases(cases, { agentUrl: candidate.url, concurrency: 3, timeoutMs: 5000, maxResponseBytes: 1 << 20, comparatorFor: () => compare });
  assert.deepEqual(outcomes.map((o) => [o.id, o.result, o.differences]), [
    ['plain', 'mismatch', ['/v']],
    ['agent_correct', 'match', []],
    ['both_ok', 'match', []],
    ['both_ok_legacy', 'match', []],
    ['legacy_correct', 'excluded', []],
    ['both_wrong', 'excluded', []],
    ['agent_correct_no_answer', 'skipped', []],
    ['broken_reference', 'skipped', []],
    ['gz', 'match', []],
    ['down', 'agent_error', []],
  ]);
  const sent = candidate.seen.map((s) => s.url.slice('/answer/'.length).split('?')[0]).sort();
  assert.deepEqual(sent, ['agent_correct', 'both_ok', 'both_ok_legacy', 'down', 'gz', 'plain']);
  const one = candidate.seen.find((s) => s.url === '/answer/plain?a=1')!;
  assert.equal(one.method, 'POST');
  assert.equal(one.body.toString(), '{"q":1}', 'base64 bodies are sent decoded');
  assert.equal(one.headers['x-shadowgate-replay'], '1');
  assert.notEqual(one.headers.host, 'old-host');
  assert.equal(one.headers['content-length'], '7');
});
