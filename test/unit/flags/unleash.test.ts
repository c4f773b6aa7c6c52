// Unleash mode against a fake client API: the edge cases a real server won't produce on
// demand. The real server is exercised in test/integration/flags-unleash.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFlagSource, FlagsError, type FlagsConfig } from '../../../src/flags/index.js';
import { classify } from '../../../src/flags/unleash.js';
import { FakeLogger } from '../../fixtures/flags/fake-logger.js';
import { FakeUnleashServer } from '../../fixtures/flags/fake-unleash-server.js';
import { waitFor } from '../../fixtures/flags/wait.js';

const BOOTSTRAP = fileURLToPath(new URL('../../fixtures/flags/rollout.json', import.meta.url));
const TOKEN = 'default:development.s3cr3t-token-value';

const features = (rollout: number) => ({
  version: 2,
  features: [
    {
      name: 'agent',
      enabled: true,
      strategies: [{ name: 'flexibleRollout', constraints: [], parameters: { rollout: String(rollout), stickiness: 'userId', groupId: 'agent' } }],
    },
  ],
});

function config(url: string, extra: Partial<FlagsConfig> = {}): FlagsConfig {
  return { unleash: { url, token: TOKEN, appName: 'shadowgate-test', refreshIntervalMs: 1000 }, watch: false, ...extra };
}

describe('classify (unleash-client error and warning texts)', () => {
  const table: Array<[string, ReturnType<typeof classify>]> = [
    [
      'Unleash Repository error: http://h/api/client/features responded 401 which means your API key is not allowed to connect. Stopping refresh of toggles',
      { kind: 'auth', status: 401 },
    ],
    ['http://h/api/client/features responded 403 which means your API key is not allowed', { kind: 'auth', status: 403 }],
    ['http://h/api/client/features responded 503. Backing off', { kind: 'fetch', reason: 'HTTP 503' }],
    ['http://h/api/client/features responded TOO_MANY_CONNECTIONS (429). Backing off', { kind: 'fetch', reason: 'HTTP 429' }],
    [
      'Unleash Repository error: request to http://h/api/client/features failed, reason: connect ECONNREFUSED',
      { kind: 'fetch', reason: 'request to http://h/api/client/features failed, reason: connect ECONNREFUSED' },
    ],
    ['http://h/api/client/metrics returning 503. Backing off to 1 times normal interval', undefined],
    ['Socket keep alive error, retrying in 1000ms', undefined],
  ];
  for (const [message, expected] of table) {
    it(message.slice(0, 80), () => assert.deepEqual(classify(message), expected));
  }
});

describe('unleash flag source', () => {
  let fake: FakeUnleashServer;
  before(async () => {
    fake = await FakeUnleashServer.start();
  });
  after(() => fake.close());

  it('rejects an unusable config with every problem named', async () => {
    await assert.rejects(
      createFlagSource({ unleash: { url: 'ftp:/x', token: ' ', appName: 'a', refreshIntervalMs: 0 }, watch: false }, new FakeLogger()),
      (err: unknown) => {
        assert.ok(err instanceof FlagsError);
        assert.equal(err.code, 'FLAGS_CONFIG_INVALID');
        assert.deepEqual(err.problems.map((p) => p.split(':')[0]), [
          'flags.unleash.url',
          'flags.unleash.token',
          'flags.unleash.refreshIntervalMs',
        ]);
        return true;
      },
    );
  });

  it('without bootstrap: resolves at once, everything off until the first fetch, then onChange', async () => {
    fake.reply = { kind: 'hang' };
    const log = new FakeLogger();
    const source = await createFlagSource(config(fake.url), log);
    try {
      assert.equal(source.kind, 'unleash');
      assert.deepEqual(source.status(), { kind: 'unleash', lastGoodAt: null, lastError: null, ready: false });
      assert.equal(source.isEnabled('agent', { userId: 'u1' }), false);
      assert.equal(source.state('agent').known, false);

      let changes = 0;
      source.onChange(() => {
        changes++;
        // Listeners may evaluate at once: the new set must already be in effect.
        assert.equal(source.isEnabled('agent', { userId: 'u1' }), true);
      });
      fake.reply = { kind: 'features', body: features(100) };
      fake.release(503); // the hung first fetch fails; the retry gets the flags
      await waitFor('onChange after the first fetch', () => changes > 0, 15_000);
      assert.equal(source.status().ready, true);
      assert.equal(typeof source.status().lastGoodAt, 'number');
      assert.equal(source.state('agent').rolloutPercent, 100);
    } finally {
      await source.close();
    }
  });

  it('a rejected token (401) is surfaced as lastError, logged once, token never shown', async () => {
    fake.reply = { kind: 'status', status: 401 };
    const log = new FakeLogger();
    const source = await createFlagSource(config(fake.url, { file: BOOTSTRAP }), log);
    try {
      const lastError = await waitFor('lastError', () => source.status().lastError ?? undefined);
      assert.equal(lastError, 'unleash rejected the token (HTTP 401)');
      assert.equal(log.at('error').length, 1);
      assert.ok(!log.text().includes(TOKEN), 'token not logged');
      assert.ok(!log.text().includes('s3cr3t'), 'token secret not logged');
      assert.equal(source.isEnabled('agent-everyone', {}), true, 'bootstrap flags still serve');
      assert.equal(source.status().lastGoodAt, null, 'bootstrap is not a good fetch');
    } finally {
      await source.close();
    }
  });

  it('regression: close() while a fetch is in flight does not crash when the fetch then fails', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      fake.reply = { kind: 'hang' };
      const source = await createFlagSource(config(fake.url), new FakeLogger());
      await waitFor('a fetch in flight', () => fake.heldCount > 0);
      await source.close();
      await source.close();
      // 418 is neither retried nor classified by the SDK: it emits 'error' on the stopped repository.
      fake.release(418);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(rejections.map(String), []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('unleash flag source: what the server sends, checked like a file', () => {
  it('logs what changed, counts an unchecked rollout as invalid once per version, and is a status change when the server fails', async () => {
    const fake = await FakeUnleashServer.start();
    const log = new FakeLogger();
    const kinds: string[] = [];
    fake.reply = { kind: 'features', body: features(0) };
    const source = await createFlagSource(config(fake.url), log, { onWarning: (w) => kinds.push(w.kind) });
    try {
      await waitFor('first fetch', () => source.state('agent').known);
      const lots = { version: 3, features: [{ ...features(0).features[0]!, strategies: [{ name: 'flexibleRollout', constraints: [], parameters: { rollout: 'lots', stickiness: 'userId', groupId: 'agent' } }] }] };
      fake.reply = { kind: 'features', body: lots };
      await waitFor('the unchecked rollout arrives', () => kinds.includes('invalid'), 10_000);
      assert.equal(source.isEnabled('agent', { userId: 'u1' }), false, 'unleash-client: Number("lots") is no rollout: off');
      assert.ok(log.at('error').some((e) => e.msg?.includes('parameters.rollout: expected a number-like string 0..100')), JSON.stringify(log.at('error')));
      assert.ok(log.at('info').some((e) => e.msg === 'flags changed: agent 0 % → rollout "lots"'), JSON.stringify(log.at('info')));
      fake.reply = { kind: 'features', body: { ...lots, version: 4, meta: 'same flags' } };
      const fetches = fake.featureRequests.length;
      await waitFor('another fetch', () => fake.featureRequests.length > fetches + 1, 10_000);
      assert.deepEqual(kinds, ['invalid'], 'the same definition does not count again');

      let statusChanges = 0;
      source.onStatusChange(() => statusChanges++);
      fake.reply = { kind: 'status', status: 503 };
      await waitFor('status change on failure', () => statusChanges === 1 && source.status().lastError !== null, 10_000);
    } finally {
      await source.close();
      await fake.close();
    }
  });
});
