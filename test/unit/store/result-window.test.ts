import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultWindow, COMPARISON_RESULTS, type ComparisonResult } from '../../../src/store/result-window.js';

test('empty: no ratios (null, not 0)', () => {
  assert.deepEqual(new ResultWindow(10).snapshot(), {
    total: 0, match: 0, mismatch: 0, agentError: 0, legacyError: 0, agreement: null, agentErrorRate: null,
  });
});

test('agreement = match / (match + mismatch); agentErrorRate = agent_error / (match + mismatch + agent_error)', () => {
  const w = new ResultWindow(100);
  for (const r of ['match', 'match', 'match', 'mismatch', 'agent_error', 'legacy_error'] as const) w.record(r);
  const s = w.snapshot();
  assert.equal(s.total, 6);
  assert.equal(s.agreement, 0.75);
  assert.equal(s.agentErrorRate, 0.2);
  assert.equal(s.legacyError, 1);
});

test('only agent errors: agreement stays null, error rate 1', () => {
  const w = new ResultWindow(5);
  w.record('agent_error');
  assert.equal(w.snapshot().agreement, null);
  assert.equal(w.snapshot().agentErrorRate, 1);
});

test('skipped says nothing about the agent and takes no slot', () => {
  const w = new ResultWindow(2);
  w.record('match');
  w.record('skipped');
  w.record('skipped');
  w.record('mismatch');
  assert.deepEqual(w.snapshot(), { total: 2, match: 1, mismatch: 1, agentError: 0, legacyError: 0, agreement: 0.5, agentErrorRate: 0 });
});

test('the oldest result falls out once the window is full', () => {
  const w = new ResultWindow(3);
  for (const r of ['mismatch', 'match', 'match', 'match'] as const) w.record(r);
  assert.equal(w.snapshot().mismatch, 0);
  assert.equal(w.snapshot().agreement, 1);
  assert.equal(w.snapshot().total, 3);
});

test('matches a naive model over a long pseudo-random sequence', () => {
  let seed = 42;
  const next = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  for (const size of [1, 7, 50]) {
    const w = new ResultWindow(size);
    const kept: ComparisonResult[] = [];
    for (let i = 0; i < 2000; i++) {
      const r = COMPARISON_RESULTS[Math.floor(next() * COMPARISON_RESULTS.length)]!;
      w.record(r);
      if (r !== 'skipped') { kept.push(r); if (kept.length > size) kept.shift(); }
      const n = (x: ComparisonResult) => kept.filter((k) => k === x).length;
      const s = w.snapshot();
      assert.deepEqual([s.total, s.match, s.mismatch, s.agentError, s.legacyError], [kept.length, n('match'), n('mismatch'), n('agent_error'), n('legacy_error')], `size ${size} step ${i}`);
    }
  }
});
