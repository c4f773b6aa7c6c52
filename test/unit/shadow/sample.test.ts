import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { bucketOf, fnv1a, shouldSample } from '../../../src/shadow/sample.js';

const users = Array.from({ length: 5000 }, (_, i) => `user-${i}`);
const noRandom = () => { throw new Error('random must not be used when a user key is known'); };

describe('fnv1a', () => {
  for (const [text, hash] of [['', 0x811c9dc5], ['a', 0xe40c292c], ['foobar', 0xbf9cf968]] as const) {
    test(`fnv1a(${JSON.stringify(text)}) = 0x${hash.toString(16)}`, () => assert.equal(fnv1a(text), hash));
  }
});

describe('bucketOf', () => {
  test('is in [0, 100) and deterministic', () => {
    for (const u of users.slice(0, 500)) {
      const b = bucketOf('quote', u);
      assert.ok(b >= 0 && b < 100);
      assert.equal(bucketOf('quote', u), b);
    }
  });
  test('depends on the route, so routes sample independently', () => {
    const same = users.filter((u) => (bucketOf('quote', u) < 50) === (bucketOf('orders', u) < 50)).length / users.length;
    assert.ok(same > 0.4 && same < 0.6, `decisions agree for ${same} of users`);
  });
});

describe('shouldSample', () => {
  test('0 % never and 100 % always, whatever the key or the random source', () => {
    for (const u of [undefined, 'u1', 'u2']) {
      assert.equal(shouldSample(0, 'r', u, () => 0), false);
      assert.equal(shouldSample(100, 'r', u, () => 0.999), true);
      assert.equal(shouldSample(-5, 'r', u, () => 0), false);
      assert.equal(shouldSample(150, 'r', u, () => 0.999), true);
    }
  });

  test('sticky: the same user always gets the same decision', () => {
    for (const u of users.slice(0, 200)) {
      const first = shouldSample(37, 'quote', u, noRandom);
      for (let i = 0; i < 5; i++) assert.equal(shouldSample(37, 'quote', u, noRandom), first);
    }
  });

  test('monotonic in percent: a user in at 25 % is in at 50 %, and at every higher percentage', () => {
    const percents = [1, 5, 10, 25, 33.3, 50, 75, 99, 99.99];
    for (const u of users) {
      let wasIn = false;
      for (const p of percents) {
        const isIn = shouldSample(p, 'quote', u, noRandom);
        assert.ok(!wasIn || isIn, `${u} was in below ${p} % and out at ${p} %`);
        wasIn = isIn;
      }
    }
    const at25 = users.filter((u) => shouldSample(25, 'quote', u, noRandom));
    assert.ok(at25.every((u) => shouldSample(50, 'quote', u, noRandom)));
  });

  test('the share of users sampled is close to the percentage', () => {
    for (const p of [10, 30, 50, 80]) {
      const share = users.filter((u) => shouldSample(p, 'quote', u, noRandom)).length / users.length;
      assert.ok(Math.abs(share - p / 100) < 0.03, `${p} %: sampled ${share}`);
    }
  });

  test('without a user key, the random source decides (bucket = random * 100)', () => {
    assert.equal(shouldSample(30, 'r', undefined, () => 0.29), true);
    assert.equal(shouldSample(30, 'r', undefined, () => 0.3), false);
    assert.equal(shouldSample(30, 'r', undefined, () => 0.9), false);
  });
});
