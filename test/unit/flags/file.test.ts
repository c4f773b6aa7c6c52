import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFlagSource, FlagsError, type FlagSource } from '../../../src/flags/index.js';
import { FakeLogger } from '../../fixtures/flags/fake-logger.js';
import { userIds, waitFor } from '../../fixtures/flags/wait.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/flags/rollout.json', import.meta.url));
const USERS = userIds(2000);

interface Feature {
  name: string;
  enabled: boolean;
  strategies: Array<{ name: string; parameters?: Record<string, string>; constraints?: unknown[] }>;
}

const doc = (features: Feature[], version = 1) => JSON.stringify({ version, features });
const rolloutFlag = (name: string, rollout: number): Feature => ({
  name,
  enabled: true,
  strategies: [{ name: 'flexibleRollout', parameters: { rollout: String(rollout), stickiness: 'userId', groupId: name } }],
});

function share(source: FlagSource, flag: string, users = USERS): number {
  return users.filter((userId) => source.isEnabled(flag, { userId })).length / users.length;
}

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'shadowgate-flags-'));
}

describe('file flag source: evaluation', () => {
  let source: FlagSource;
  before(async () => {
    source = await createFlagSource({ file: FIXTURE, watch: false }, new FakeLogger());
  });
  after(() => source.close());

  it('is ready with the file loaded, and reports itself', () => {
    const status = source.status();
    assert.equal(source.kind, 'file');
    assert.equal(status.kind, 'file');
    assert.equal(status.ready, true);
    assert.equal(status.lastError, null);
    assert.equal(typeof status.lastGoodAt, 'number');
  });

  it('enables about the rollout share of many users (flexibleRollout 30 %)', () => {
    const s = share(source, 'agent-rollout');
    assert.ok(Math.abs(s - 0.3) <= 0.04, `share ${s}`);
  });

  it('is sticky: the same user gets the same answer every time', () => {
    for (const userId of USERS.slice(0, 200)) {
      const first = source.isEnabled('agent-rollout', { userId });
      for (let i = 0; i < 5; i++) assert.equal(source.isEnabled('agent-rollout', { userId }), first);
    }
  });

  it('a disabled flag is off for everyone, even at rollout 100', () => {
    assert.equal(share(source, 'agent-disabled'), 0);
    assert.deepEqual(source.state('agent-disabled'), {
      name: 'agent-disabled', known: true, enabled: false, rolloutPercent: 100, strategies: ['flexibleRollout'],
    });
  });

  it('an unknown flag is off and reported unknown', () => {
    assert.equal(source.isEnabled('no-such-flag', { userId: 'alice' }), false);
    assert.equal(source.state('no-such-flag').known, false);
  });

  it('constraints: userId IN [alice, bob] only', () => {
    assert.equal(source.isEnabled('agent-allowlist', { userId: 'alice' }), true);
    assert.equal(source.isEnabled('agent-allowlist', { userId: 'bob' }), true);
    assert.equal(source.isEnabled('agent-allowlist', { userId: 'mallory' }), false);
    assert.equal(source.isEnabled('agent-allowlist', {}), false);
  });

  it('the default strategy is on for everyone, with no user at all', () => {
    assert.equal(source.isEnabled('agent-everyone', {}), true);
    assert.equal(share(source, 'agent-everyone'), 1);
  });

  it('state() reports the rollout percentage and strategies', () => {
    assert.deepEqual(source.state('agent-rollout'), {
      name: 'agent-rollout', known: true, enabled: true, rolloutPercent: 30, strategies: ['flexibleRollout'],
    });
  });
});

describe('file flag source: start-up', () => {
  it('a bad file at start is a FlagsError naming the file and the JSON path', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    await writeFile(file, doc([rolloutFlag('a', 10), { ...rolloutFlag('b', 10), enabled: 'yes' as unknown as boolean }]));
    await assert.rejects(createFlagSource({ file, watch: true }, new FakeLogger()), (err: unknown) => {
      assert.ok(err instanceof FlagsError);
      assert.equal(err.code, 'FLAGS_FILE_INVALID');
      assert.ok(err.message.startsWith(`${file}: features[1].enabled: `), err.message);
      return true;
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('a missing file at start is a FlagsError naming the file', async () => {
    const file = join(tmpdir(), 'shadowgate-no-such-dir', 'flags.json');
    await assert.rejects(createFlagSource({ file, watch: false }, new FakeLogger()), {
      name: 'FlagsError',
      message: `${file}: file not found`,
    });
  });

  it('invalid JSON at start names the file', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    await writeFile(file, '{"version": 1, "features": [');
    await assert.rejects(createFlagSource({ file, watch: false }, new FakeLogger()), (err: unknown) => {
      assert.ok(err instanceof FlagsError);
      assert.ok(err.message.startsWith(`${file}: not valid JSON`), err.message);
      return true;
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('an empty flag set is valid: everything off, ready', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    await writeFile(file, doc([]));
    const source = await createFlagSource({ file, watch: false }, new FakeLogger());
    assert.equal(source.status().ready, true);
    assert.equal(source.isEnabled('anything', { userId: 'u' }), false);
    await source.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('close() is idempotent and safe to call concurrently', async () => {
    const source = await createFlagSource({ file: FIXTURE, watch: true }, new FakeLogger());
    await Promise.all([source.close(), source.close()]);
    await source.close();
  });
});

describe('file flag source: live reload', () => {
  let dir: string;
  let file: string;
  let source: FlagSource;
  let log: FakeLogger;
  let changes = 0;

  before(async () => {
    dir = await tempDir();
    file = join(dir, 'flags.json');
    await writeFile(file, doc([rolloutFlag('agent', 0)], 1));
    log = new FakeLogger();
    source = await createFlagSource({ file, watch: true }, log);
    source.onChange(() => changes++);
  });
  after(async () => {
    await source.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `text` and waits until an onChange has fired for it. */
  async function writeAndWaitForChange(text: string, write = (t: string) => writeFile(file, t)): Promise<void> {
    const before = changes;
    await write(text);
    await waitFor('onChange after the file changed', () => changes > before);
  }

  async function writeAndWaitForError(text: string | null): Promise<string> {
    if (text === null) await unlink(file);
    else await writeFile(file, text);
    return waitFor('lastError after a bad file', () => source.status().lastError ?? undefined);
  }

  it('applies an edited file and calls onChange, ramping monotonically', async () => {
    assert.equal(share(source, 'agent'), 0);
    await writeAndWaitForChange(doc([rolloutFlag('agent', 25)], 2));
    const at25 = USERS.filter((userId) => source.isEnabled('agent', { userId }));
    assert.ok(Math.abs(at25.length / USERS.length - 0.25) <= 0.04, `share ${at25.length / USERS.length}`);
    assert.equal(source.state('agent').rolloutPercent, 25);
    // The log line says what changed (issue 10), not only that something did.
    assert.ok(log.at('info').some((e) => e.msg === 'flags reloaded: agent 0 % → 25 %' && (e.obj as { version?: number }).version === 2), JSON.stringify(log.at('info')));

    await writeAndWaitForChange(doc([rolloutFlag('agent', 100)], 3));
    assert.ok(at25.every((userId) => source.isEnabled('agent', { userId })), 'users enabled at 25 % stay enabled at 100 %');
    assert.equal(share(source, 'agent'), 1);
  });

  it('applies a file replaced atomically by rename', async () => {
    await writeAndWaitForChange(doc([rolloutFlag('agent', 0), rolloutFlag('renamed', 100)], 4), async (text) => {
      const tmp = join(dir, '.flags.json.tmp');
      await writeFile(tmp, text);
      await rename(tmp, file);
    });
    assert.equal(source.isEnabled('renamed', { userId: 'u1' }), true);
    assert.equal(share(source, 'agent'), 0);
  });

  it('keeps the last good flags on bad JSON, a schema error or a deleted file, and recovers', async () => {
    const good = doc([rolloutFlag('agent', 100)], 5);
    await writeAndWaitForChange(good);
    const firstGoodAt = source.status().lastGoodAt;

    const bad: Array<[string | null, RegExp]> = [
      ['{"version": 5, "features": [', /not valid JSON/],
      [doc([rolloutFlag('agent', 250)]), /features\[0\]\.strategies\[0\]\.parameters\.rollout: expected a number-like string 0\.\.100/],
      [null, /file not found/],
    ];
    let version = 5;
    for (const [text, reason] of bad) {
      const goodAt = source.status().lastGoodAt;
      const lastError = await writeAndWaitForError(text);
      assert.match(lastError, reason);
      assert.ok(lastError.includes(file), 'the error names the file');
      assert.equal(share(source, 'agent'), 1, 'last good flags still apply');
      assert.equal(source.status().ready, true);
      assert.equal(source.status().lastGoodAt, goodAt);
      // Recover before the next bad case, so that each case shows its own error.
      await writeAndWaitForChange(doc([rolloutFlag('agent', 100)], ++version));
      assert.equal(source.status().lastError, null);
    }
    assert.ok(log.at('warn').some((e) => e.msg === 'flags file rejected; keeping the last good flags'));

    await writeFile(file, '{ broken');
    await waitFor('lastError', () => source.status().lastError !== null);
    await writeAndWaitForChange(doc([rolloutFlag('agent', 0)], 7));
    assert.equal(source.status().lastError, null);
    assert.equal(share(source, 'agent'), 0);
    assert.ok((source.status().lastGoodAt ?? 0) >= (firstGoodAt ?? 0));
  });

  it('rewriting identical content clears a previous error without an onChange', async () => {
    const current = await readFile(file, 'utf8');
    await writeFile(file, 'nope');
    await waitFor('lastError', () => source.status().lastError !== null);
    const before = changes;
    await writeFile(file, current);
    await waitFor('recovery', () => source.status().lastError === null);
    assert.equal(changes, before);
  });

  it('unsubscribed listeners are not called', async () => {
    let calls = 0;
    const off = source.onChange(() => calls++);
    off();
    await writeAndWaitForChange(doc([rolloutFlag('agent', 1)], 8));
    assert.equal(calls, 0);
  });
});

describe('file flag source: watching', () => {
  it('ignores other files in the same directory, and stops watching on close()', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    await copyFile(FIXTURE, file);
    const source = await createFlagSource({ file, watch: true }, new FakeLogger());
    let changes = 0;
    source.onChange(() => changes++);
    await writeFile(join(dir, 'other.json'), '{ not flags');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(source.status().lastError, null);
    await source.close();
    await writeFile(file, doc([rolloutFlag('agent-rollout', 100)]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(changes, 0);
    assert.equal(source.isEnabled('agent-rollout', { userId: 'x' }), false, 'a closed source answers off');
    await rm(dir, { recursive: true, force: true });
  });
});

describe('file flag source: SDK-conformant validation, static context, status', () => {
  it('loads a set with an unknown operator, strategy, segment and parent, evaluates it as the SDK, and warns once per version', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    const features = [
      { name: 'op', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId', operator: 'FUTURE_OP', values: ['u1'] }] }] },
      { name: 'inverted-op', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId', operator: 'FUTURE_OP', values: ['u1'], inverted: true }] }] },
      { name: 'custom', enabled: true, strategies: [{ name: 'myCustom', parameters: {} }, { name: 'userWithId', parameters: { userIds: 'u2' } }] },
      { name: 'seg', enabled: true, strategies: [{ name: 'default', segments: [404] }] },
      { name: 'child', enabled: true, strategies: [], dependencies: [{ feature: 'gone' }] },
    ];
    await writeFile(file, JSON.stringify({ version: 1, features }));
    const log = new FakeLogger();
    const kinds: string[] = [];
    const source = await createFlagSource({ file, watch: true }, log, { onWarning: (w) => kinds.push(w.kind) });
    try {
      // unleash-client: an unknown operator is false even when inverted; the rest is off.
      for (const name of ['op', 'inverted-op', 'seg', 'child']) assert.equal(source.isEnabled(name, { userId: 'u1' }), false, name);
      assert.equal(source.isEnabled('custom', { userId: 'u1' }), false);
      assert.equal(source.isEnabled('custom', { userId: 'u2' }), true, 'the next known strategy still applies');
      assert.deepEqual(kinds.sort(), ['missing_dependency', 'missing_segment', 'unknown_operator', 'unknown_operator', 'unknown_strategy']);
      let changes = 0;
      source.onChange(() => changes++);
      await writeFile(file, JSON.stringify({ version: 2, features: [...features, { name: 'plain', enabled: true, strategies: [] }] }));
      await waitFor('reload', () => changes > 0);
      assert.equal(kinds.length, 5, 'unchanged flags do not warn again on reload');
    } finally {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('constraints on appName and environment see flags.appName / flags.environment', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    const on = (contextName: string, value: string) => ({ name: `${contextName}-${value}`, enabled: true, strategies: [{ name: 'default', constraints: [{ contextName, operator: 'IN', values: [value] }] }] });
    await writeFile(file, JSON.stringify({ version: 1, features: [on('appName', 'shadowgate'), on('appName', 'checkout'), on('environment', 'default'), on('environment', 'production')] }));
    const defaults = await createFlagSource({ file, watch: false }, new FakeLogger());
    const named = await createFlagSource({ file, watch: false, appName: 'checkout', environment: 'production' }, new FakeLogger());
    try {
      assert.deepEqual(['appName-shadowgate', 'appName-checkout', 'environment-default', 'environment-production'].map((f) => defaults.isEnabled(f, {})), [true, false, true, false]);
      assert.deepEqual(['appName-shadowgate', 'appName-checkout', 'environment-default', 'environment-production'].map((f) => named.isEnabled(f, {})), [false, true, false, true]);
    } finally {
      await defaults.close();
      await named.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a rejected file is a status change at that moment (so source_up drops now), and so is its recovery', async () => {
    const dir = await tempDir();
    const file = join(dir, 'flags.json');
    const good = doc([rolloutFlag('agent', 10)]);
    await writeFile(file, good);
    const source = await createFlagSource({ file, watch: true }, new FakeLogger());
    try {
      const seen: (string | null)[] = [];
      source.onStatusChange(() => seen.push(source.status().lastError));
      await writeFile(file, '{ nope');
      await waitFor('status change on rejection', () => seen.length === 1);
      assert.match(seen[0] ?? '', /not valid JSON: .* at line 1, column 3/);
      await writeFile(file, good);
      await waitFor('status change on recovery', () => seen.length === 2);
      assert.equal(seen[1], null);
    } finally {
      await source.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
