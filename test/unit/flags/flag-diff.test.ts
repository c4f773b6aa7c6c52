import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeFlagChanges } from '../../../src/flags/flag-diff.js';

type F = Parameters<typeof describeFlagChanges>[0][number];
const flex = (name: string, rollout: string, enabled = true, extra: object = {}) =>
  ({ name, enabled, strategies: [{ name: 'flexibleRollout', parameters: { rollout, stickiness: 'default', groupId: name }, constraints: [], ...extra }] }) as unknown as F;

it('says what changed in the words of a ramp', () => {
  const before = [flex('orders.serve', '0'), flex('orders.shadow', '100'), flex('quote.serve', '10'), flex('old', '5')];
  const after = [
    flex('orders.serve', '50'),
    flex('orders.shadow', '100'),
    flex('quote.serve', '10', true, { constraints: [{ contextName: 'tenantId', operator: 'IN', values: ['acme'] }] }),
    flex('orders.kill', '100', false),
    { name: 'new', enabled: true, strategies: [{ name: 'default', parameters: {} }] } as unknown as F,
  ];
  assert.deepEqual(describeFlagChanges(before, after), [
    'orders.serve 0 % → 50 %',
    'quote.serve changed (10 %; strategies, constraints or variants differ)',
    'orders.kill added (off)',
    'new added (on)',
    'old removed',
  ]);
  assert.deepEqual(describeFlagChanges(after, after), []);
});
