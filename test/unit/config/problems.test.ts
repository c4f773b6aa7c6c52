import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { nearest, show } from '../../../src/config/problems.js';

describe('nearest', () => {
  const cases: [word: string, candidates: string[], expected: string | undefined][] = [
    ['minSample', ['minAgreement', 'maxErrorRate', 'minSamples', 'window', 'coolDownMs'], 'minSamples'],
    ['timeoutMS', ['url', 'timeoutMs', 'streamIdleTimeoutMs'], 'timeoutMs'],
    ['ignroe', ['status', 'headers', 'ignore', 'numericTolerance'], 'ignore'],
    ['uri', ['url', 'timeoutMs'], 'url'],
    ['paralel', ['on-failure', 'parallel'], 'parallel'],
    ['bogus', ['port', 'host', 'servedByHeader'], undefined],
    ['x', ['y', 'z'], 'y'],
    ['completelydifferent', ['minSamples'], undefined],
  ];
  for (const [word, candidates, expected] of cases) {
    test(`${word} => ${expected ?? 'nothing'}`, () => assert.equal(nearest(word, candidates), expected));
  }
});

describe('show', () => {
  test('values are JSON, cut at 60 characters, URL passwords masked', () => {
    assert.equal(show('abc'), '"abc"');
    assert.equal(show(42), '42');
    assert.equal(show('x'.repeat(100)), `"${'x'.repeat(56)}...`);
    assert.equal(show('https://me:hunter2@host/x'), '"https://me:***@host/x"');
  });
});
