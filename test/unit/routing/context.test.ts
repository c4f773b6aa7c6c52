import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { buildConfig } from '../../../src/config/load.js';
import { buildRequestContext, readCookie } from '../../../src/routing/context.js';

const req = (headers: Record<string, string | string[]>, remoteAddress = '10.0.0.1') => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

/** The context section as the schema produces it (defaults, list form normalised). */
function contextConfig(context: Record<string, unknown> = {}) {
  return buildConfig({ legacy: { url: 'http://l' }, agent: { url: 'http://a' }, routes: [{ name: 'r', match: { path: '/' } }], flags: { context } }).flags.context;
}
const CONTEXT = contextConfig({ userId: { header: 'x-user-id', cookie: 'uid' }, sessionId: { header: 'x-session-id' } });

describe('readCookie', () => {
  for (const [header, name, value] of [
    [undefined, 'a', undefined], ['', 'a', undefined], ['a=1', 'a', '1'], ['x=0; a=1; b=2', 'a', '1'], [' a = 1 ', 'a', '1'],
    ['ab=1', 'a', undefined], ['a=hello%20world', 'a', 'hello world'], ['a=%E0%A4%A', 'a', '%E0%A4%A'], ['a=x=y', 'a', 'x=y'],
  ] as const) {
    test(`${JSON.stringify(header)} / ${name} => ${JSON.stringify(value)}`, () => assert.equal(readCookie(header, name), value));
  }
});

describe('buildRequestContext', () => {
  test('user id from the header, else the cookie; session id; remote address', () => {
    assert.deepEqual(buildRequestContext(req({ 'x-user-id': 'u1', cookie: 'uid=u2', 'x-session-id': 's1' }), CONTEXT), { remoteAddress: '10.0.0.1', userId: 'u1', sessionId: 's1' });
    assert.deepEqual(buildRequestContext(req({ cookie: 'uid=u2' }), CONTEXT), { remoteAddress: '10.0.0.1', userId: 'u2' });
    assert.deepEqual(buildRequestContext(req({ 'x-user-id': '' }), CONTEXT), { remoteAddress: '10.0.0.1' }, 'an empty header is no user');
    assert.deepEqual(buildRequestContext(req({ cookie: 'uid=' }), CONTEXT), { remoteAddress: '10.0.0.1' }, 'an empty cookie is no user either');
    assert.equal(buildRequestContext(req({ 'x-user-id': ['a', 'b'] }), CONTEXT).userId, 'a');
  });

  test('list form: each header becomes a property named after it', () => {
    const ctx = buildRequestContext(req({ 'x-tenant': 'acme', 'x-other': 'no' }), contextConfig({ properties: ['x-tenant', 'X-Plan'] }));
    assert.deepEqual(ctx.properties, { 'x-tenant': 'acme' });
    assert.deepEqual(contextConfig({ properties: ['X-Plan'] }).properties, { 'x-plan': { header: 'x-plan' } }, 'normalised to the map form');
  });

  test('map form: named properties from headers or cookies (header first), case kept', () => {
    const config = contextConfig({ properties: { tenantId: { header: 'X-Tenant-Id' }, plan: { cookie: 'plan' }, region: { header: 'x-region', cookie: 'region' } } });
    const ctx = buildRequestContext(req({ 'x-tenant-id': 'acme', cookie: 'plan=gold%20plus; region=eu', 'x-region': 'us' }), config);
    assert.deepEqual(ctx.properties, { tenantId: 'acme', plan: 'gold plus', region: 'us' });
    assert.deepEqual(buildRequestContext(req({ cookie: 'region=eu' }), config).properties, { region: 'eu' });
    assert.equal(buildRequestContext(req({}), config).properties, undefined, 'nothing sent: no properties object');
  });

  test('remoteAddress: the peer unless it is a trusted proxy', () => {
    const config = contextConfig({ remoteAddress: { trustedProxies: ['10.0.0.0/8', '127.0.0.1/32'] } });
    assert.equal(buildRequestContext(req({ 'x-forwarded-for': '198.51.100.7, 10.2.3.4' }, '10.0.0.1'), config).remoteAddress, '198.51.100.7');
    assert.equal(buildRequestContext(req({ 'x-forwarded-for': '198.51.100.7' }, '203.0.113.1'), config).remoteAddress, '203.0.113.1', 'untrusted peer');
    assert.equal(buildRequestContext(req({ 'x-forwarded-for': '198.51.100.7' }, '::ffff:127.0.0.1'), config).remoteAddress, '198.51.100.7', 'IPv4-mapped peer');
    assert.equal(buildRequestContext(req({ 'x-forwarded-for': '198.51.100.7' }, '10.0.0.1'), CONTEXT).remoteAddress, '10.0.0.1', 'nothing trusted by default');
    assert.equal(buildRequestContext(req({}, '::ffff:192.0.2.1'), CONTEXT).remoteAddress, '192.0.2.1', 'mapped peers are reported as IPv4');
  });

  test('remoteAddress from an RFC 7239 forwarded header', () => {
    const config = contextConfig({ remoteAddress: { header: 'forwarded', trustedProxies: ['10.0.0.0/8'] } });
    assert.equal(buildRequestContext(req({ forwarded: 'for=198.51.100.7;proto=https, for="[2001:db8::1]"' }, '10.0.0.1'), config).remoteAddress, '2001:db8::1');
  });
});

describe('flags.context config', () => {
  const problems = (context: Record<string, unknown>): string[] => {
    try {
      contextConfig(context);
      return [];
    } catch (err) {
      return (err as { details: string[] }).details;
    }
  };
  test('bad trusted proxies, property sources and names are config errors with their key paths', () => {
    assert.match(problems({ remoteAddress: { trustedProxies: ['10.0.0.0/8', 'lb.internal'] } }).join('\n'), /flags\.context\.remoteAddress\.trustedProxies\[1\]: expected an IP address or CIDR range/);
    assert.match(problems({ properties: { tenantId: {} } }).join('\n'), /flags\.context\.properties\.tenantId: expected a header, a cookie or both/);
    assert.match(problems({ properties: { userId: { header: 'x-u' } } }).join('\n'), /flags\.context\.properties\.userId: .*standard Unleash context field/);
    assert.match(problems({ properties: { tenantId: { header: 'x-t', query: 't' } } }).join('\n'), /flags\.context\.properties\.tenantId\.query: unknown key/);
  });
});
