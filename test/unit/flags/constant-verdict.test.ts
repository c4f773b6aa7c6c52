// The hot-path shortcut: flags whose answer cannot depend on who asks skip the strategy
// engine. A wrong "constant" would serve the agent to the wrong users, so it is a table and
// a property test against unleash-client itself: wherever the shortcut answers, isEnabled
// gives the same answer for every context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { constantVerdict, evaluate } from '../../../src/flags/flag-state.js';
import { createOfflineClient, destroyClient, waitForReady } from '../../../src/flags/sdk-client.js';
import type { FlagSet } from '../../../src/flags/flag-file.js';

type Def = Parameters<typeof constantVerdict>[0];
const flex = (rollout: string, extra: Record<string, unknown> = {}, stickiness = 'default') => ({ name: 'flexibleRollout', parameters: { rollout, stickiness, groupId: 'g' }, constraints: [], ...extra });
const def = (enabled: boolean, strategies: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'f', enabled, strategies, ...extra }) as unknown as Def;

test('constantVerdict table', () => {
  const cases: [string, Def, boolean | undefined][] = [
    ['disabled', def(false, [flex('50')]), false],
    ['default strategy', def(true, [{ name: 'default', parameters: {}, constraints: [] }]), true],
    ['100 % rollout, default stickiness', def(true, [flex('100')]), true],
    ['100 % rollout, random stickiness', def(true, [flex('100', {}, 'random')]), true],
    ['100 % rollout sticky on userId is off for a request without a user id', def(true, [flex('100', {}, 'userId')]), undefined],
    ['100 % rollout sticky on a property depends on the property', def(true, [flex('100', {}, 'tenantId')]), undefined],
    ['0 % rollout', def(true, [flex('0')]), false],
    ['all strategies 0 %', def(true, [flex('0'), flex('0', {}, 'userId')]), false],
    ['0 % with a constraint: left to the SDK', def(true, [flex('0', { constraints: [{ contextName: 'userId', operator: 'IN', values: ['a'] }] })]), undefined],
    ['25 % depends on the user', def(true, [flex('25')]), undefined],
    ['100 % with a constraint depends on the user', def(true, [flex('100', { constraints: [{ contextName: 'userId', operator: 'IN', values: ['a'] }] })]), undefined],
    ['100 % with a segment depends on the user', def(true, [flex('100', { segments: [1] })]), undefined],
    ['100 % with strategy variants: left to the SDK', def(true, [flex('100', { variants: [{ name: 'v', weight: 1000 }] })]), undefined],
    ['user list depends on the user', def(true, [{ name: 'userWithId', parameters: { userIds: 'a,b' }, constraints: [] }]), undefined],
    ['empty user list is off', def(true, [{ name: 'userWithId', parameters: { userIds: '' }, constraints: [] }]), false],
    ['0 % or a user list depends on the user', def(true, [flex('0'), { name: 'userWithId', parameters: { userIds: 'a' }, constraints: [] }]), undefined],
    ['no strategies: the toggle itself', def(true, []), true],
    ['impression data: left to the SDK', def(true, [flex('100')], { impressionData: true }), undefined],
    ['unknown strategy: left to the SDK (it warns)', def(true, [{ name: 'myCustom', parameters: {} }]), undefined],
    ['unknown strategy next to 100 %: left to the SDK', def(true, [{ name: 'myCustom', parameters: {} }, flex('100')]), undefined],
    ['applicationHostname: left to the SDK', def(true, [{ name: 'applicationHostname', parameters: { hostNames: 'x' } }]), undefined],
    ['gradualRolloutRandom 100 %', def(true, [{ name: 'gradualRolloutRandom', parameters: { percentage: '100' } }]), true],
    ['gradualRolloutRandom 0.5 % never wins a draw of 1..100', def(true, [{ name: 'gradualRolloutRandom', parameters: { percentage: '0.5' } }]), false],
    // Regression (issue 9): a child at 100 % whose parent is off was served by the agent.
    ['a dependency: left to the SDK', def(true, [flex('100')], { dependencies: [{ feature: 'parent' }] }), undefined],
  ];
  for (const [name, d, expected] of cases) assert.equal(constantVerdict(d), expected, name);
});

test('regression: a child flag at 100 % whose parent is disabled is off, as the SDK says', async (t) => {
  const set = { version: 1, segments: [], features: [
    { name: 'parent', enabled: false, strategies: [flex('100')] },
    { name: 'child', enabled: true, strategies: [flex('100')], dependencies: [{ feature: 'parent' }] },
  ] } as unknown as FlagSet;
  const client = createOfflineClient(set, { appName: 'shadowgate', environment: 'default' }, () => undefined);
  t.after(() => destroyClient(client));
  assert.ok(await waitForReady(client, 5000));
  assert.equal(evaluate(client, true, 'child', { userId: 'u1' }), false);
  assert.equal(client.isEnabled('child', { userId: 'u1' }), false);
});

// ---------------------------------------------------------------- the property

const percent = fc.constantFrom('0', '1', '0.5', '25', '50', '99', '99.9', '100', '100.0', '150', '-5', 'abc', '', ' 100 ');
const stickiness = fc.constantFrom(undefined, '', 'default', 'random', 'userId', 'sessionId', 'remoteAddress', 'tenantId');
const constraint = fc.record({
  contextName: fc.constantFrom('userId', 'sessionId', 'tenantId', 'appName', 'environment'),
  operator: fc.constantFrom('IN', 'NOT_IN', 'STR_STARTS_WITH', 'NUM_GT', 'FUTURE_OP'),
  values: fc.subarray(['u1', 'acme', 'shadowgate', 'default', '5']),
  value: fc.constant('3'),
  inverted: fc.boolean(),
});
const strategy = fc.oneof(
  fc.record({ name: fc.constant('default'), parameters: fc.constant({}) }),
  fc.record({ name: fc.constant('flexibleRollout'), parameters: fc.record({ rollout: percent, stickiness, groupId: fc.constantFrom('g', '') }, { requiredKeys: ['rollout'] }) }),
  fc.record({ name: fc.constantFrom('gradualRolloutRandom', 'gradualRolloutUserId', 'gradualRolloutSessionId'), parameters: fc.record({ percentage: percent, groupId: fc.constant('g') }) }),
  fc.record({ name: fc.constant('userWithId'), parameters: fc.record({ userIds: fc.constantFrom('', 'u1', 'u1, u2', 'nobody') }) }),
  fc.record({ name: fc.constant('remoteAddress'), parameters: fc.record({ IPs: fc.constantFrom('', '10.0.0.0/8', '192.0.2.1') }) }),
  fc.record({ name: fc.constantFrom('applicationHostname', 'myCustomStrategy'), parameters: fc.record({ hostNames: fc.constantFrom('', 'localhost') }) }),
).chain((s) => fc.record({
  name: fc.constant(s.name),
  parameters: fc.constant(s.parameters as Record<string, unknown>),
  constraints: fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.array(constraint, { minLength: 1, maxLength: 2 }) }),
  segments: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom([1], [404]) }),
  variants: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constant([{ name: 'v', weight: 1000, stickiness: 'default' }]) }),
}, { requiredKeys: ['name', 'parameters', 'constraints'] }));
const feature = fc.record({
  enabled: fc.boolean(),
  strategies: fc.array(strategy, { maxLength: 3 }),
  impressionData: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.boolean() }),
  dependsOnPrevious: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ enabled: fc.option(fc.boolean(), { nil: undefined }) }) }),
});
const context = fc.record({
  userId: fc.option(fc.oneof(fc.constantFrom('u1', 'u2', 'acme'), fc.string({ minLength: 1, maxLength: 8 })), { nil: undefined }),
  sessionId: fc.option(fc.constantFrom('s1', 's2', 'xyz'), { nil: undefined }),
  remoteAddress: fc.option(fc.constantFrom('10.1.2.3', '192.0.2.1', '2001:db8::1'), { nil: undefined }),
  properties: fc.option(fc.record({ tenantId: fc.constantFrom('acme', 'globex', '5') }, { requiredKeys: [] }), { nil: undefined }),
}, { requiredKeys: [] });

test('property: wherever the fast path answers, unleash-client isEnabled gives that answer for every context', async () => {
  const seen = { true: 0, false: 0, sdk: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(feature, { minLength: 1, maxLength: 8 }), fc.array(context, { minLength: 1, maxLength: 12 }), async (features, contexts) => {
      const defs = features.map((f, i) => ({
        name: `f${i}`,
        enabled: f.enabled,
        strategies: f.strategies,
        ...(f.impressionData === undefined ? {} : { impressionData: f.impressionData }),
        ...(f.dependsOnPrevious === undefined || i === 0 ? {} : { dependencies: [{ feature: `f${i - 1}`, ...(f.dependsOnPrevious.enabled === undefined ? {} : { enabled: f.dependsOnPrevious.enabled }) }] }),
      }));
      const set = { version: 1, features: defs, segments: [{ id: 1, constraints: [{ contextName: 'userId', operator: 'IN', values: ['u1'] }] }] } as unknown as FlagSet;
      const client = createOfflineClient(set, { appName: 'shadowgate', environment: 'default' }, () => undefined);
      client.on('warn', () => undefined);
      try {
        assert.ok(await waitForReady(client, 5000), 'the SDK loads the set');
        for (const d of defs) {
          const loaded = client.getFeatureToggleDefinition(d.name)!;
          const verdict = constantVerdict(loaded);
          seen[verdict === undefined ? 'sdk' : String(verdict) as 'true' | 'false']++;
          for (const ctx of contexts) {
            if (verdict !== undefined) assert.equal(client.isEnabled(d.name, ctx), verdict, `${JSON.stringify(loaded)} with ${JSON.stringify(ctx)}`);
            // evaluate() is what the sources call: for a constant it must agree too.
            if (verdict !== undefined) assert.equal(evaluate(client, true, d.name, ctx), verdict);
          }
        }
      } finally {
        destroyClient(client);
      }
    }),
    { numRuns: 150 },
  );
  // Not vacuous: the fast path answers often, both ways, and leaves many to the SDK.
  assert.ok(seen.true > 50 && seen.false > 50 && seen.sdk > 50, JSON.stringify(seen));
});
