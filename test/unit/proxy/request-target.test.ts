// The request target as a table (RFC 9112 §3.2): routing always sees the path, whatever the
// form; legacy always gets origin-form (regression: absolute-form targets were routed as
// "unmatched" and escaped kill, serve and shadow decisions).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestTarget, removeDotSegments } from '../../../src/proxy/request-target.js';

describe('parseRequestTarget', () => {
  const ok: [method: string, url: string, path: string, forward: string, authority: string | undefined][] = [
    ['GET', '/', '/', '/', undefined],
    ['GET', '/api/items', '/api/items', '/api/items', undefined],
    ['GET', '/api/items?q=1&r=/x/../y', '/api/items', '/api/items?q=1&r=/x/../y', undefined],
    ['GET', '/api/./items', '/api/items', '/api/./items', undefined],
    ['GET', '/static/../api/items', '/api/items', '/static/../api/items', undefined],
    ['GET', '/../../api/items', '/api/items', '/../../api/items', undefined],
    ['GET', '/api/items/.', '/api/items/', '/api/items/.', undefined],
    ['GET', '/api/items/..', '/api/', '/api/items/..', undefined],
    ['GET', '/api/.hidden', '/api/.hidden', '/api/.hidden', undefined],
    // percent-encoded dots are dots (RFC 3986 §6.2.2.2): no route escapes through them
    ['GET', '/api/%2e%2e/admin', '/admin', '/api/%2e%2e/admin', undefined],
    ['GET', '/api/%2E./admin', '/admin', '/api/%2E./admin', undefined],
    ['GET', '/api/.%2e/admin', '/admin', '/api/.%2e/admin', undefined],
    ['GET', '/%2e/api/items', '/api/items', '/%2e/api/items', undefined],
    ['GET', '/api/%2e%2e%2e/x', '/api/%2e%2e%2e/x', '/api/%2e%2e%2e/x', undefined],
    ['GET', '/api/%2ehidden', '/api/%2ehidden', '/api/%2ehidden', undefined],
    ['GET', '/api/items%2F..%2Fadmin', '/api/items%2F..%2Fadmin', '/api/items%2F..%2Fadmin', undefined],
    ['GET', 'http://h/api/items', '/api/items', '/api/items', 'h'],
    ['GET', 'HTTP://h:8080/api/items?q=1', '/api/items', '/api/items?q=1', 'h:8080'],
    ['GET', 'https://h/api/items#frag', '/api/items', '/api/items', 'h'],
    ['GET', 'http://h', '/', '/', 'h'],
    ['GET', 'http://h?q=1', '/', '/?q=1', 'h'],
    ['GET', 'http://h/a/../api/items', '/api/items', '/a/../api/items', 'h'],
    ['GET', 'http://[::1]:8080/api', '/api', '/api', '[::1]:8080'],
    ['OPTIONS', '*', '*', '*', undefined],
  ];
  for (const [method, url, path, forward, authority] of ok) {
    test(`${method} ${url} => route on ${path}, forward ${forward}${authority ? `, Host ${authority}` : ''}`, () => {
      assert.deepEqual(parseRequestTarget(method, url), { ok: true, path, forward, authority });
    });
  }

  const refused: [method: string, url: string, status: 400 | 405, reason: string][] = [
    ['CONNECT', 'h:443', 405, 'connect'],
    ['CONNECT', '/x', 405, 'connect'],
    ['GET', 'h:443', 400, 'bad_target'],
    ['GET', 'h', 400, 'bad_target'],
    ['GET', '*', 400, 'bad_target'],
    ['GET', 'http://', 400, 'bad_target'],
    ['GET', 'http:///api', 400, 'bad_target'],
    ['GET', 'http://user@h/api', 400, 'bad_target'],
    ['GET', 'ftp://h/api', 400, 'bad_target'],
    ['GET', '', 400, 'bad_target'],
  ];
  for (const [method, url, status, reason] of refused) {
    test(`${method} ${JSON.stringify(url)} => ${status} ${reason}`, () => {
      const t = parseRequestTarget(method, url);
      assert.equal(t.ok, false);
      if (!t.ok) { assert.equal(t.status, status); assert.equal(t.reason, reason); assert.ok(t.message.length > 0); }
    });
  }
});

describe('removeDotSegments (RFC 3986 §5.2.4)', () => {
  const cases: [string, string][] = [
    ['/a/b/c/./../../g', '/a/g'],
    ['/mid/content=5/../6', '/mid/6'],
    ['/./a', '/a'],
    ['/a/.', '/a/'],
    ['/a/..', '/'],
    ['/..', '/'],
    ['/a//b/../c', '/a//c'], // an empty segment is a segment
    ['/a/b/', '/a/b/'],
    ['/a/%2e%2e/b', '/b'],
    ['/a/%2e', '/a/'],
    ['/a/%2E%2E', '/'],
    ['/a/%2e%2e%2e', '/a/%2e%2e%2e'],
    ['/a/%41', '/a/%41'],
  ];
  for (const [input, want] of cases) {
    test(`${input} => ${want}`, () => assert.equal(removeDotSegments(input), want));
  }
});
