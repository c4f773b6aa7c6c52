import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { buildRequestContext, readCookie } from '../../../src/routing/context.js';

const req = (headers: Record<string, string | string[]>, remoteAddress = '10.0.0.1') => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;
const CONTEXT = { userId: { header: 'x-user-id', cookie: 'uid' }, sessionId: { header: 'x-session-id' }, properties: [] as string[] };

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
    assert.equal(buildRequestContext(req({ 'x-user-id': ['a', 'b'] }), CONTEXT).userId, 'a');
  });
  test('configured headers become properties', () => {
    const ctx = buildRequestContext(req({ 'x-tenant': 'acme', 'x-other': 'no' }), { ...CONTEXT, properties: ['x-tenant', 'x-plan'] });
    assert.deepEqual(ctx.properties, { 'x-tenant': 'acme' });
  });
});
