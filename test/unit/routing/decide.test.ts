import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decideShadow, decideServe, type ShadowInputs, type ServeInputs } from '../../../src/routing/decide.js';

const base: ShadowInputs = { route: 'r', method: 'GET', sideEffects: false, flag: undefined, percent: 100, userKey: 'u1', circuitOpen: false };
const never = () => { throw new Error('random must not be used when a user key is known'); };

describe('decideShadow', () => {
  const cases: [name: string, inputs: Partial<ShadowInputs>, expected: ReturnType<typeof decideShadow>][] = [
    ['safe GET at 100 %', {}, { mirror: true }],
    ['HEAD and OPTIONS are safe', { method: 'HEAD' }, { mirror: true }],
    ['OPTIONS', { method: 'OPTIONS' }, { mirror: true }],
    ['POST without sideEffects', { method: 'POST' }, { mirror: false, reason: 'side_effects' }],
    ['PUT without sideEffects', { method: 'PUT' }, { mirror: false, reason: 'side_effects' }],
    ['DELETE without sideEffects', { method: 'DELETE' }, { mirror: false, reason: 'side_effects' }],
    ['PATCH without sideEffects', { method: 'PATCH' }, { mirror: false, reason: 'side_effects' }],
    ['POST with sideEffects', { method: 'POST', sideEffects: true }, { mirror: true }],
    ['flag off', { flag: false }, { mirror: false, reason: 'flag_off' }],
    ['flag on', { flag: true }, { mirror: true }],
    ['flag unknown leaves the percentage in charge', { flag: undefined, percent: 0 }, { mirror: false, reason: 'sampled_out' }],
    ['0 %', { percent: 0 }, { mirror: false, reason: 'sampled_out' }],
    ['circuit open', { circuitOpen: true }, { mirror: false, reason: 'circuit_open' }],
    ['side effects are checked before the flag', { method: 'POST', flag: false }, { mirror: false, reason: 'side_effects' }],
    ['the flag before sampling', { flag: false, percent: 0 }, { mirror: false, reason: 'flag_off' }],
    ['sampling before the circuit', { percent: 0, circuitOpen: true }, { mirror: false, reason: 'sampled_out' }],
  ];
  for (const [name, inputs, expected] of cases) {
    test(name, () => assert.deepEqual(decideShadow({ ...base, ...inputs }, never), expected));
  }

  test('without a user key, sampling uses the random source', () => {
    assert.deepEqual(decideShadow({ ...base, userKey: undefined, percent: 50 }, () => 0.2), { mirror: true });
    assert.deepEqual(decideShadow({ ...base, userKey: undefined, percent: 50 }, () => 0.7), { mirror: false, reason: 'sampled_out' });
  });
});

describe('decideServe', () => {
  const ok: ServeInputs = { flag: true, killed: false, demoted: false, probation: false, circuitOpen: false };
  const cases: [name: string, inputs: Partial<ServeInputs>, expected: ReturnType<typeof decideServe>][] = [
    ['flag on, all clear', {}, { serve: true }],
    ['flag off', { flag: false }, { serve: false, reason: 'flag_off' }],
    ['killed', { killed: true }, { serve: false, reason: 'killed' }],
    ['demoted', { demoted: true }, { serve: false, reason: 'demoted' }],
    ['circuit open', { circuitOpen: true }, { serve: false, reason: 'circuit_open' }],
    ['probation', { probation: true }, { serve: false, reason: 'probation' }],
    ['demotion before probation', { demoted: true, probation: true }, { serve: false, reason: 'demoted' }],
    ['probation before circuit', { probation: true, circuitOpen: true }, { serve: false, reason: 'probation' }],
    ['flag off wins over everything', { flag: false, killed: true, demoted: true, probation: true, circuitOpen: true }, { serve: false, reason: 'flag_off' }],
    ['kill switch before guardrail', { killed: true, demoted: true }, { serve: false, reason: 'killed' }],
    ['guardrail before circuit', { demoted: true, circuitOpen: true }, { serve: false, reason: 'demoted' }],
  ];
  for (const [name, inputs, expected] of cases) {
    test(name, () => assert.deepEqual(decideServe({ ...ok, ...inputs }), expected));
  }
});
