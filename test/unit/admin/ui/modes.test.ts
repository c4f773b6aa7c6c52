import { test } from 'node:test';
import assert from 'node:assert/strict';
import { killAction, MODES, modeInfo, statusLines } from '../../../../src/admin/ui/modes.js';

type RouteView = Parameters<typeof statusLines>[0];
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const flag = (name: string, effectivePercent = 0, known = true) => ({ name, known, enabled: effectivePercent > 0, rolloutPercent: effectivePercent, effectivePercent });
const guardrail = { minAgreement: 0.9, maxErrorRate: 0.2, minSamples: 50, window: 200, coolDownMs: 30_000, agreement: 0.5, errorRate: 0, comparisons: 12, calls: 12 };
function route(over: Partial<RouteView> = {}): RouteView {
  return { name: 'orders', mode: 'shadow', flags: { shadow: flag('orders.shadow', 100), serve: flag('orders.serve', 0), kill: flag('orders.kill', 0) }, circuit: 'closed', guardrail, ...over };
}
const texts = (r: RouteView) => statusLines(r, NOW).map((l) => `${l.kind}: ${l.text}`);

test('the legend has the six modes of /api/routes, each explained', () => {
  assert.deepEqual(MODES.map((m) => m.mode), ['shadow', 'conditional', 'full', 'probation', 'demoted', 'killed']);
  for (const m of MODES) assert.ok(m.text.length > 40, m.mode);
  assert.equal(modeInfo('probation').label, 'probation');
  assert.equal(modeInfo('sideways').text, 'Unknown mode.');
});

test('status lines: nothing to say about a plain shadow route', () => {
  assert.deepEqual(texts(route()), []);
});

test('status lines: which kill is in force, local (with who and why) or the flag (all or some)', () => {
  const at = new Date(NOW - 120_000).toISOString();
  assert.deepEqual(texts(route({ mode: 'killed', killed: { by: 'alice', why: 'wrong prices', at }, killedBy: 'local' })), ['killed: Killed on this pod by alice 2 min ago: wrong prices']);
  const byFlag = route({ mode: 'killed', killedBy: 'flag', flags: { ...route().flags, kill: flag('orders.kill', 100) } });
  assert.deepEqual(texts(byFlag), ['killed: Killed by flag orders.kill (on for everyone, on every pod)']);
  const partial = route({ mode: 'full', killedBy: 'flag', flags: { ...route().flags, kill: flag('orders.kill', 30) } });
  assert.deepEqual(texts(partial), ['warn: Kill flag orders.kill on for 30% of requests: those are served by legacy']);
});

test('status lines: demotion with its reason and how it lifts; probation with its progress', () => {
  const since = new Date(NOW - 10_000).toISOString();
  assert.deepEqual(texts(route({ mode: 'demoted', demotion: { reason: 'agreement 0.720 < 0.9 over 50 comparisons', since } })),
    ['demoted: Demoted by the guardrail 10 s ago: agreement 0.720 < 0.9 over 50 comparisons · cool-down 30 s, then probation']);
  assert.match(texts(route({ mode: 'demoted', demotion: { reason: 'x', since }, guardrail: { ...guardrail, coolDownMs: 0 } }))[0]!, /until Reset \(no cool-down\)$/);
  const probation = { since: new Date(2026, 0, 1, 9, 8, 7).toISOString(), by: 'review-ui', why: 'agent fixed' };
  assert.deepEqual(texts(route({ mode: 'probation', probation })), ['probation: On probation since 09:08:07 (review-ui: agent fixed) · 12 of 50 comparisons so far; serves again if agreement ≥ 90%']);
  assert.match(texts(route({ mode: 'probation', probation, guardrail: { ...guardrail, comparisons: 80 } }))[0]!, / · agreement 50% over 80 comparisons, needs ≥ 90%$/, 'enough samples: what is still missing');
  assert.match(texts(route({ mode: 'probation', probation, guardrail: { ...guardrail, comparisons: 80, agreement: 0.95, agreementLower: 0.878 } }))[0]!,
    / · agreement 95% \(lower bound 87\.8%\) over 80 comparisons, needs the lower bound ≥ 90%$/, 'the server\'s bound: what a probation waits for');
});

test('status lines: an open circuit and a serve flag the source lacks', () => {
  assert.deepEqual(texts(route({ circuit: 'open' })), ['warn: Agent circuit open: the agent is skipped (no shadows, no serving) until a probe succeeds']);
  assert.deepEqual(texts(route({ flags: { ...route().flags, serve: flag('orders.serve', 0, false), shadow: flag('orders.shadow', 0, false) } })), ['info: No serve flag orders.serve in the flag source: shadow only']);
});

test('killAction: Kill, Unkill for the local kill, and no Unkill that cannot help against the flag', () => {
  assert.deepEqual(killAction(route()).action, 'kill');
  assert.deepEqual(killAction(route({ killed: { by: 'a', why: '', at: '' } })), { action: 'unkill', enabled: true, why: 'Lift the kill switch on this pod; the serve flag decides again.' });
  const byFlag = killAction(route({ flags: { ...route().flags, kill: flag('orders.kill', 100) } }));
  assert.equal(byFlag.action, 'unkill');
  assert.equal(byFlag.enabled, false);
  assert.match(byFlag.why, /orders\.kill: turn it off in the flag source/);
  assert.equal(killAction(route({ flags: { ...route().flags, kill: flag('orders.kill', 30) } })).action, 'kill', 'a partial kill flag still leaves a local kill to use');
});
