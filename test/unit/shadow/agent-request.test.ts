import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { buildAgentHeaders, SAMPLE_ID_HEADER, SHADOW_MARKER } from '../../../src/shadow/agent-request.js';

const REDACTED = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];
const req = (headers: Record<string, string | string[]>) => ({ headers }) as unknown as IncomingMessage;

test('the agent gets its own Host, the original in x-forwarded-host, the shadow marker and the sample id', () => {
  const out = buildAgentHeaders(req({ host: 'shop.example', accept: 'application/json' }), 'agent:4000', REDACTED, [], 'id-1');
  assert.deepEqual(out, { host: 'agent:4000', accept: 'application/json', 'x-forwarded-host': 'shop.example', [SHADOW_MARKER]: '1', [SAMPLE_ID_HEADER]: 'id-1' });
});

test('an existing x-forwarded-host is kept (the original client host, set by an earlier hop)', () => {
  const out = buildAgentHeaders(req({ host: 'proxy.internal', 'x-forwarded-host': 'shop.example' }), 'agent', REDACTED, [], 'id');
  assert.equal(out['x-forwarded-host'], 'shop.example');
});

test('redacted headers are dropped unless the route forwards them', () => {
  const headers = { host: 'h', authorization: 'Bearer t', cookie: 'a=b', 'proxy-authorization': 'Basic x', 'x-keep': '1' };
  const dropped = buildAgentHeaders(req(headers), 'agent', REDACTED, [], 'id');
  assert.equal(dropped.authorization, undefined);
  assert.equal(dropped.cookie, undefined);
  assert.equal(dropped['proxy-authorization'], undefined);
  assert.equal(dropped['x-keep'], '1');
  const forwarded = buildAgentHeaders(req(headers), 'agent', REDACTED, ['authorization'], 'id');
  assert.equal(forwarded.authorization, 'Bearer t');
  assert.equal(forwarded.cookie, undefined);
});

test('framing and hop-by-hop headers are left to the agent client', () => {
  const out = buildAgentHeaders(req({
    host: 'h', 'content-length': '10', expect: '100-continue', connection: 'keep-alive', 'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked', upgrade: 'h2c', te: 'trailers', trailer: 'x', 'proxy-connection': 'keep-alive', 'content-type': 'text/plain',
  }), 'agent', REDACTED, [], 'id');
  assert.deepEqual(Object.keys(out).sort(), ['content-type', 'host', SAMPLE_ID_HEADER, SHADOW_MARKER, 'x-forwarded-host'].sort());
});

test('a client cannot spoof the marker or the sample id', () => {
  const out = buildAgentHeaders(req({ host: 'h', [SHADOW_MARKER]: '0', [SAMPLE_ID_HEADER]: 'forged' }), 'agent', REDACTED, [], 'real');
  assert.equal(out[SHADOW_MARKER], '1');
  assert.equal(out[SAMPLE_ID_HEADER], 'real');
});

test('multi-valued headers pass as arrays', () => {
  const out = buildAgentHeaders(req({ host: 'h', 'x-multi': ['a', 'b'] }), 'agent', REDACTED, [], 'id');
  assert.deepEqual(out['x-multi'], ['a', 'b']);
});
