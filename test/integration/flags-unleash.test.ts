// Unleash mode against a real Unleash server + PostgreSQL, started by test/support.
// Requires scripts/install-test-deps.sh; there is no skip: missing binaries fail loudly.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFlagSource, type FlagSource, type FlagsConfig } from '../../src/flags/index.js';
import { FakeLogger } from '../fixtures/flags/fake-logger.js';
import { userIds, waitFor } from '../fixtures/flags/wait.js';
import { startUnleash, type RunningUnleash } from '../support/unleash-server.js';

const REFRESH_MS = 1000;
/** A change reaches the client in ~1–2 s (server revision tick + one poll); allow for a busy machine. */
const PROPAGATION_MS = 15_000;
const USERS = userIds(2000);
const BOOTSTRAP = fileURLToPath(new URL('../fixtures/flags/rollout.json', import.meta.url));

function config(url: string, token: string, file?: string): FlagsConfig {
  return {
    unleash: { url, token, appName: 'shadowgate-it', environment: 'development', refreshIntervalMs: REFRESH_MS },
    file,
    watch: false,
  };
}

function enabledUsers(source: FlagSource, flag: string): string[] {
  return USERS.filter((userId) => source.isEnabled(flag, { userId }));
}

/** Waits until the client's copy of `flag` shows this rollout (not merely the next event). */
function waitForRollout(source: FlagSource, flag: string, rollout: number): Promise<true> {
  return waitFor(
    `${flag} at rollout ${rollout} in the client`,
    () => {
      const s = source.state(flag);
      return s.known && s.enabled && s.rolloutPercent === rollout;
    },
    PROPAGATION_MS,
    50,
  );
}

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

// The three groups are independent (own server, or none) and run side by side to keep the
// file short: most of the time is spent waiting for servers to start and fetches to fail.
describe('unleash flag source with a real Unleash server', { concurrency: true }, () => {
  describe('against a running server', () => {
    let unleash: RunningUnleash;
    before(async () => {
      unleash = await startUnleash();
    });
    after(() => unleash?.stop());

    it('ramps a flexibleRollout 0 → 25 → 100: share tracks the rollout, sticky and monotonic', async () => {
      const flag = 'agent-ramp';
      await unleash.admin.createFlag(flag);
      const strategyId = await unleash.admin.addFlexibleRollout(flag, 0);
      await unleash.admin.enable(flag);

      const log = new FakeLogger();
      const source = await createFlagSource(config(unleash.url, unleash.backendToken), log);
      try {
        let changes = 0;
        source.onChange(() => changes++);
        await waitForRollout(source, flag, 0);
        assert.deepEqual(source.state(flag), { name: flag, known: true, enabled: true, rolloutPercent: 0, strategies: ['flexibleRollout'] });
        assert.equal(enabledUsers(source, flag).length, 0);
        assert.equal(source.status().ready, true);
        assert.equal(source.status().lastError, null);
        assert.equal(typeof source.status().lastGoodAt, 'number');

        await unleash.admin.setRollout(flag, strategyId, 25);
        await waitForRollout(source, flag, 25);
        const at25 = enabledUsers(source, flag);
        const share25 = at25.length / USERS.length;
        assert.ok(Math.abs(share25 - 0.25) <= 0.04, `share at 25 %: ${share25}`);
        assert.deepEqual(enabledUsers(source, flag), at25, 'same users on a second pass (sticky)');

        await unleash.admin.setRollout(flag, strategyId, 100);
        await waitForRollout(source, flag, 100);
        const at100 = new Set(enabledUsers(source, flag));
        assert.equal(at100.size, USERS.length, 'everyone at 100 %');
        assert.ok(at25.every((u) => at100.has(u)), 'ramping up only adds users');
        assert.ok(changes >= 3, `onChange per new flag set (got ${changes})`);

        await unleash.admin.disable(flag);
        await waitFor('flag disabled in the client', () => !source.state(flag).enabled, PROPAGATION_MS, 50);
        assert.equal(enabledUsers(source, flag).length, 0);
        assert.equal(log.at('error').length, 0);
      } finally {
        await source.close();
      }
    });

    it('a token the server rejects is surfaced as lastError (and never shown)', async () => {
      const badToken = `default:development.${'f'.repeat(32)}`;
      const log = new FakeLogger();
      const source = await createFlagSource(config(unleash.url, badToken), log);
      try {
        const lastError = await waitFor('lastError for a bad token', () => source.status().lastError ?? undefined, PROPAGATION_MS);
        assert.match(lastError, /^unleash rejected the token \(HTTP 40[13]\)$/);
        assert.equal(source.status().ready, false);
        assert.equal(source.isEnabled('agent-ramp', { userId: 'user-1' }), false);
        assert.equal(log.at('error').length, 1);
        assert.ok(!log.text().includes(badToken));
      } finally {
        await source.close();
      }
    });
  });

  describe('when the server goes down mid-run', () => {
    let unleash: RunningUnleash;
    before(async () => {
      unleash = await startUnleash();
    });
    after(() => unleash?.stop());

    it('keeps the last known flags and reports the failure', async () => {
      const flag = 'agent-steady';
      await unleash.admin.createFlag(flag);
      await unleash.admin.addFlexibleRollout(flag, 40);
      await unleash.admin.enable(flag);
      const log = new FakeLogger();
      const source = await createFlagSource(config(unleash.url, unleash.backendToken), log);
      try {
        await waitForRollout(source, flag, 40);
        const before = enabledUsers(source, flag);
        const goodAt = source.status().lastGoodAt;

        await unleash.stopUnleash();
        const lastError = await waitFor('lastError after Unleash stopped', () => source.status().lastError ?? undefined, 30_000, 100);
        assert.match(lastError, /^unleash fetch failed: /);
        assert.ok(!lastError.includes(unleash.backendToken));

        // A few more refresh intervals with the server still gone: nothing changes.
        await new Promise((resolve) => setTimeout(resolve, 3 * REFRESH_MS + 500));
        assert.deepEqual(enabledUsers(source, flag), before);
        assert.equal(source.state(flag).rolloutPercent, 40);
        assert.equal(source.status().ready, true);
        assert.ok((source.status().lastGoodAt ?? 0) >= (goodAt ?? 0));
        assert.ok(log.at('warn').some((e) => e.msg === 'flags: Unleash unreachable; keeping the last known flags'));
      } finally {
        await source.close();
      }
    });
  });

  describe('when the server is down at start', () => {
    it('resolves from the bootstrap file without waiting for the server', async () => {
      const url = `http://127.0.0.1:${await closedPort()}/api/`;
      const log = new FakeLogger();
      const opening = createFlagSource(config(url, 'default:development.unused', BOOTSTRAP), log);
      const source = await Promise.race([
        opening,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('createFlagSource waited for the server')), 5000).unref()),
      ]);
      try {
        assert.equal(source.status().ready, true);
        assert.equal(source.isEnabled('agent-everyone', {}), true);
        assert.equal(source.isEnabled('agent-allowlist', { userId: 'alice' }), true);
        assert.equal(source.isEnabled('agent-allowlist', { userId: 'mallory' }), false);
        assert.equal(source.state('agent-rollout').rolloutPercent, 30);
        const lastError = await waitFor('lastError for the closed port', () => source.status().lastError ?? undefined, 20_000, 100);
        assert.match(lastError, /^unleash fetch failed: .*ECONNREFUSED/);
        assert.equal(source.status().lastGoodAt, null, 'bootstrap is not a fetch from the server');
        assert.equal(source.isEnabled('agent-everyone', {}), true, 'bootstrap flags stay');
      } finally {
        await source.close();
      }
    });
  });
});
