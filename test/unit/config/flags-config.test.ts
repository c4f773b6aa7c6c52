// The flags section: appName/environment for both sources (with the flags.unleash aliases),
// and the per-route flag names with their defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../src/config/load.js';

const base = { legacy: { url: 'http://l' }, agent: { url: 'http://a' }, routes: [{ name: 'orders', match: { path: '/orders/*' } }] };
const unleash = { url: 'http://unleash.example/api/', token: 't' };
const flagsOf = (flags: Record<string, unknown>) => buildConfig({ ...base, flags }).flags;
function problems(flags: Record<string, unknown>): string[] {
  try {
    flagsOf(flags);
    return [];
  } catch (err) {
    return (err as { details: string[] }).details;
  }
}

test('appName and environment default to shadowgate / default, for both sources', () => {
  const file = flagsOf({});
  assert.equal(file.appName, 'shadowgate');
  assert.equal(file.environment, 'default');
  const server = flagsOf({ unleash });
  assert.deepEqual([server.appName, server.environment, server.unleash?.appName, server.unleash?.environment], ['shadowgate', 'default', 'shadowgate', 'default']);
});

test('flags.appName / flags.environment reach the unleash block; the old keys stay aliases', () => {
  const top = flagsOf({ appName: 'checkout', environment: 'production', unleash });
  assert.deepEqual([top.unleash?.appName, top.unleash?.environment], ['checkout', 'production']);
  const alias = flagsOf({ unleash: { ...unleash, appName: 'checkout', environment: 'production' } });
  assert.deepEqual([alias.appName, alias.environment, alias.unleash?.appName], ['checkout', 'production', 'checkout']);
  const same = flagsOf({ appName: 'checkout', unleash: { ...unleash, appName: 'checkout' } });
  assert.equal(same.appName, 'checkout', 'the same value under both keys is no conflict');
});

test('a conflict between a key and its alias is a config error naming both keys', () => {
  const list = problems({ appName: 'a', environment: 'prod', unleash: { ...unleash, appName: 'b', environment: 'dev' } }).join('\n');
  assert.match(list, /flags\.unleash\.appName: conflicts with flags\.appName \("b" vs "a"\)/);
  assert.match(list, /flags\.unleash\.environment: conflicts with flags\.environment \("dev" vs "prod"\)/);
});

test('route flags default to <route>.shadow, <route>.serve and <route>.kill', () => {
  const config = buildConfig(base);
  assert.deepEqual(config.routes[0]!.flags, { shadow: 'orders.shadow', serve: 'orders.serve', kill: 'orders.kill' });
  const named = buildConfig({ ...base, routes: [{ name: 'orders', match: { path: '/' }, flags: { kill: 'fleet.kill' } }] });
  assert.equal(named.routes[0]!.flags.kill, 'fleet.kill');
});
