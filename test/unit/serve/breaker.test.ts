import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AgentBreaker, isAgentFailure } from '../../../src/serve/breaker.js';
import type { UpstreamResult } from '../../../src/proxy/upstream-client.js';

const ok = (status = 200): UpstreamResult => ({ ok: true, status, headers: {}, body: Buffer.alloc(0), truncated: false, durationMs: 1 });
const fail: UpstreamResult = { ok: false, kind: 'reset', message: 'x', durationMs: 1 };

test('isAgentFailure: transport errors and 5xx count, 4xx and aborts do not', () => {
  assert.equal(isAgentFailure(fail), true);
  assert.equal(isAgentFailure(ok(503)), true);
  assert.equal(isAgentFailure(ok(404)), false);
  assert.equal(isAgentFailure({ ok: false, kind: 'aborted', message: '', durationMs: 0 }), false);
});

test('opens after N consecutive failures, refuses calls, then half-opens and closes on success', async () => {
  const states: string[] = [];
  const b = new AgentBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 50 }, (s) => states.push(s));
  assert.equal((await b.run(async () => fail)), fail);
  assert.equal(b.name(), 'closed');
  await b.run(async () => fail);
  assert.equal(b.name(), 'open');
  assert.equal(b.isOpen(), true);
  let called = false;
  assert.equal(await b.run(async () => { called = true; return ok(); }), null);
  assert.equal(called, false, 'open circuit does not call');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(b.isOpen(), false, 'due for a probe');
  const probe = await b.run(async () => ok());
  assert.deepEqual(probe, ok());
  assert.equal(b.name(), 'closed');
  assert.deepEqual(states, ['open', 'half_open', 'closed']);
});

test('a failed half-open probe opens the circuit again', async () => {
  const b = new AgentBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20 }, () => {});
  await b.run(async () => fail);
  await new Promise((r) => setTimeout(r, 30));
  await b.run(async () => ok(500));
  assert.equal(b.name(), 'open');
});
