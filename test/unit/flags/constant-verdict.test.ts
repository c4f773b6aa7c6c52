// The hot-path shortcut: flags whose answer cannot depend on who asks skip the strategy
// engine. A wrong "constant" would serve the agent to the wrong users, so it is a table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constantVerdict } from '../../../src/flags/flag-state.js';

type Def = Parameters<typeof constantVerdict>[0];
const flex = (rollout: string, extra: Record<string, unknown> = {}) => ({ name: 'flexibleRollout', parameters: { rollout, stickiness: 'userId', groupId: 'g' }, constraints: [], ...extra });
const def = (enabled: boolean, strategies: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'f', enabled, strategies, ...extra }) as unknown as Def;

test('constantVerdict table', () => {
  const cases: [string, Def, boolean | undefined][] = [
    ['disabled', def(false, [flex('50')]), false],
    ['default strategy', def(true, [{ name: 'default', parameters: {}, constraints: [] }]), true],
    ['100 % rollout', def(true, [flex('100')]), true],
    ['0 % rollout', def(true, [flex('0')]), false],
    ['all strategies 0 %', def(true, [flex('0'), flex('0', { constraints: [{ contextName: 'userId', operator: 'IN', values: ['a'] }] })]), false],
    ['25 % depends on the user', def(true, [flex('25')]), undefined],
    ['100 % with a constraint depends on the user', def(true, [flex('100', { constraints: [{ contextName: 'userId', operator: 'IN', values: ['a'] }] })]), undefined],
    ['100 % with a segment depends on the user', def(true, [flex('100', { segments: [1] })]), undefined],
    ['user list depends on the user', def(true, [{ name: 'userWithId', parameters: { userIds: 'a,b' }, constraints: [] }]), undefined],
    ['0 % or a user list depends on the user', def(true, [flex('0'), { name: 'userWithId', parameters: { userIds: 'a' }, constraints: [] }]), undefined],
    ['no strategies: left to the SDK', def(true, []), undefined],
    ['impression data: left to the SDK', def(true, [flex('100')], { impressionData: true }), undefined],
  ];
  for (const [name, d, expected] of cases) assert.equal(constantVerdict(d), expected, name);
});
