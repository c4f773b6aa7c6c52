import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFlag, evaluate } from '../../../src/flags/flag-state.js';

type Def = Parameters<typeof describeFlag>[1];

const strategy = (name: string, parameters: Record<string, unknown> = {}) => ({ name, parameters, constraints: [] });
const def = (enabled: boolean, strategies: ReturnType<typeof strategy>[]): Def => ({ name: 'f', enabled, strategies });

describe('describeFlag', () => {
  const table: Array<{ what: string; def: Def; enabled: boolean; rolloutPercent: number | null; strategies: string[] }> = [
    { what: 'single flexibleRollout', def: def(true, [strategy('flexibleRollout', { rollout: '25' })]), enabled: true, rolloutPercent: 25, strategies: ['flexibleRollout'] },
    { what: 'gradualRolloutUserId percentage', def: def(true, [strategy('gradualRolloutUserId', { percentage: '40' })]), enabled: true, rolloutPercent: 40, strategies: ['gradualRolloutUserId'] },
    { what: 'rollout next to a non-rollout strategy', def: def(true, [strategy('userWithId', { userIds: 'a' }), strategy('flexibleRollout', { rollout: 5 })]), enabled: true, rolloutPercent: 5, strategies: ['userWithId', 'flexibleRollout'] },
    { what: 'two rollout strategies', def: def(true, [strategy('flexibleRollout', { rollout: '10' }), strategy('gradualRolloutRandom', { percentage: '20' })]), enabled: true, rolloutPercent: null, strategies: ['flexibleRollout', 'gradualRolloutRandom'] },
    { what: 'no rollout strategy', def: def(false, [strategy('default')]), enabled: false, rolloutPercent: null, strategies: ['default'] },
    { what: 'no strategies', def: def(true, []), enabled: true, rolloutPercent: null, strategies: [] },
    { what: 'unparsable rollout', def: def(true, [strategy('flexibleRollout', { rollout: 'x' })]), enabled: true, rolloutPercent: null, strategies: ['flexibleRollout'] },
  ];
  for (const row of table) {
    it(row.what, () => {
      assert.deepEqual(describeFlag('f', row.def), {
        name: 'f',
        known: true,
        enabled: row.enabled,
        rolloutPercent: row.rolloutPercent,
        strategies: row.strategies,
      });
    });
  }

  it('unknown flag', () => {
    assert.deepEqual(describeFlag('nope', undefined), { name: 'nope', known: false, enabled: false, rolloutPercent: null, strategies: [] });
  });
});

it('evaluate: an SDK that throws makes the flag off for that request, and says why', () => {
  const def = { name: 'f', enabled: true, strategies: [{ name: 'userWithId', parameters: { userIds: 'a' }, constraints: [] }] };
  const client = { getFeatureToggleDefinition: () => def, isEnabled: () => { throw new TypeError('boom'); }, count: () => undefined } as unknown as Parameters<typeof evaluate>[0];
  const seen: unknown[] = [];
  assert.equal(evaluate(client, true, 'f', { userId: 'a' }, (err) => seen.push(err)), false);
  assert.equal((seen[0] as Error).message, 'boom');
});
