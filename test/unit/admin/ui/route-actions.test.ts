import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actionText } from '../../../../src/admin/ui/route-actions.js';

test('actionText: each action says what it does; Reset names what ends the probation', () => {
  assert.match(actionText('kill', undefined).body, /on this pod at once[\s\S]*kill flag/);
  assert.match(actionText('unkill', undefined).body, /serve flag decides again/);
  const guardrail = { minAgreement: 0.8, maxErrorRate: 0.25, minSamples: 30, window: 100, coolDownMs: 30_000, agreement: null, errorRate: null, comparisons: 0, calls: 0 };
  const reset = actionText('reset', guardrail);
  assert.deepEqual([reset.title, reset.confirm, reset.done], ['Reset guardrail', 'Reset', 'guardrail reset']);
  assert.match(reset.body, /goes on probation[\s\S]*once 30 comparisons agree at ≥ 80%\.$/);
  assert.match(actionText('reset', undefined).body, /once the window passes\.$/);
});
