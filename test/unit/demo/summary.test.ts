import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCounters, summaryLine, type RouteView } from '../../../src/demo/summary.js';

const EXPOSITION = (agent: number, legacy: number, fallbacks: number) => `# HELP shadowgate_requests_total Client requests answered.
# TYPE shadowgate_requests_total counter
shadowgate_requests_total{route="orders",method="GET",status_class="2xx",served_by="agent"} ${agent}
shadowgate_requests_total{route="orders",method="GET",status_class="2xx",served_by="legacy"} ${legacy}
shadowgate_requests_total{route="orders",method="GET",status_class="5xx",served_by="legacy"} 1
shadowgate_requests_total{route="quote",method="POST",status_class="2xx",served_by="legacy"} 50
shadowgate_fallbacks_total{route="orders",reason="gate_confidence"} ${fallbacks}
shadowgate_fallbacks_total{route="orders",reason="agent_error"} 1
shadowgate_shadow_dropped_total{route="orders",reason="sampled_out"} 7
`;

describe('parseCounters', () => {
  test('sums requests by route and by who served them, and fallbacks over reasons', () => {
    const c = parseCounters(EXPOSITION(87, 12, 12));
    assert.deepEqual(c.requests.get('orders'), { total: 100, agent: 87 });
    assert.deepEqual(c.requests.get('quote'), { total: 50, agent: 0 });
    assert.equal(c.fallbacks.get('orders'), 13);
    assert.equal(c.fallbacks.get('quote'), undefined);
  });
});

describe('summaryLine', () => {
  const routes: RouteView[] = [
    { name: 'quote', mode: 'shadow', agreement: 0.952, flags: { serve: { effectivePercent: 0 } } },
    { name: 'orders', mode: 'full', agreement: 0.9, flags: { serve: { effectivePercent: 100 } } },
  ];
  const at = new Date('2025-01-01T12:00:42Z');

  test('the ramp (users routed) and the agent share (requests it answered) are told apart (regression: "100 % of users served by the agent" while it served 87 %)', () => {
    const line = summaryLine(at, routes, parseCounters(EXPOSITION(87, 12, 12)), null);
    assert.equal(line, '[12:00:42] quote: shadow, ramp 0 %, agent 0 % of 50, fallbacks 0, agreement 95.2 %  |  orders: full, ramp 100 %, agent 87 % of 100, fallbacks 13, agreement 90 %');
  });

  test('counts are since the previous line', () => {
    const before = parseCounters(EXPOSITION(87, 12, 12));
    const now = parseCounters(EXPOSITION(127, 22, 17));
    assert.match(summaryLine(at, routes, now, before), /orders: full, ramp 100 %, agent 80 % of 50, fallbacks 5,/);
    assert.match(summaryLine(at, routes, now, before), /quote: shadow, ramp 0 %, agent - of 0, fallbacks 0,/);
  });

  test('fields the admin API does not give show as "-", never as a made-up number', () => {
    const line = summaryLine(at, [{ name: 'x' }], parseCounters(''), null);
    assert.equal(line, '[12:00:42] x: ?, ramp -, agent - of 0, fallbacks 0, agreement -');
  });

  test('no URL on the summary line (they are printed once at start)', () => {
    assert.ok(!summaryLine(at, routes, parseCounters(EXPOSITION(1, 1, 1)), null).includes('http'));
  });
});
