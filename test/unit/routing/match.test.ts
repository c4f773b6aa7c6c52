import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, createRouteMatcher, pathOf, UNMATCHED } from '../../../src/routing/match.js';

type R = { name: string; match: { path: string; methods?: ('GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[] } };

describe('compilePattern', () => {
  const cases: [pattern: string, path: string, matches: boolean][] = [
    ['/api/quote', '/api/quote', true],
    ['/api/quote', '/api/quote/', true],
    ['/api/quote', '/api/quotes', false],
    ['/api/quote', '/api/quote/1', false],
    ['/api/quote', '/API/quote', false],
    ['/api/orders/:id', '/api/orders/42', true],
    ['/api/orders/:id', '/api/orders/42/', true],
    ['/api/orders/:id', '/api/orders/', false],
    ['/api/orders/:id', '/api/orders/42/items', false],
    ['/api/orders/:id/items/:item', '/api/orders/42/items/7', true],
    ['/api/*', '/api', true],
    ['/api/*', '/api/', true],
    ['/api/*', '/api/x/y/z', true],
    ['/api/*', '/apiary', false],
    ['/api/*', '/apiary/x', false],
    ['/api/*', '/other/api/x', false],
    ['/*', '/', true],
    ['/*', '/anything/at/all', true],
    ['/v1.0/q', '/v1.0/q', true],
    ['/v1.0/q', '/v1x0/q', false, ],
    ['/a+b', '/a+b', true],
    ['/a+b', '/aab', false],
  ];
  for (const [pattern, path, matches] of cases) {
    test(`${pattern} ${matches ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(compilePattern(pattern).test(path), matches);
    });
  }
});

describe('createRouteMatcher', () => {
  const routes: R[] = [
    { name: 'quote-post', match: { path: '/api/quote', methods: ['POST'] } },
    { name: 'order', match: { path: '/api/orders/:id', methods: ['GET', 'HEAD'] } },
    { name: 'orders-any', match: { path: '/api/orders/*' } },
    { name: 'api', match: { path: '/api/*' } },
    { name: 'apiary', match: { path: '/apiary' } },
  ];
  const matcher = createRouteMatcher(routes);
  const cases: [method: string, path: string, route: string | undefined][] = [
    ['POST', '/api/quote', 'quote-post'],
    ['GET', '/api/quote', 'api'],                 // method not listed: the next route may take it
    ['GET', '/api/orders/7', 'order'],
    ['HEAD', '/api/orders/7', 'order'],
    ['DELETE', '/api/orders/7', 'orders-any'],      // first match wins, in config order
    ['GET', '/api/orders/7/lines', 'orders-any'],
    ['GET', '/api', 'api'],
    ['GET', '/apiary', 'apiary'],                    // '/api/*' never takes '/apiary'
    ['GET', '/apiary/hive', undefined],
    ['GET', '/', undefined],
  ];
  for (const [method, path, route] of cases) {
    test(`${method} ${path} => ${route ?? 'no route'}`, () => {
      assert.equal(matcher.match(method, path)?.name, route);
    });
  }

  test('first match wins even when a later route is more specific', () => {
    const m = createRouteMatcher<R>([{ name: 'all', match: { path: '/*' } }, { name: 'specific', match: { path: '/api/quote' } }]);
    assert.equal(m.match('GET', '/api/quote')?.name, 'all');
  });

  test('an empty table matches nothing', () => {
    assert.equal(createRouteMatcher<R>([]).match('GET', '/'), undefined);
  });

  test('the reserved name for unmatched requests', () => {
    assert.equal(UNMATCHED, 'unmatched');
  });
});

describe('pathOf', () => {
  for (const [url, path] of [
    [undefined, '/'], ['', '/'], ['/a', '/a'], ['/a?x=1', '/a'], ['/a?x=1?y', '/a'], ['/?q', '/'],
  ] as const) {
    test(`${JSON.stringify(url)} => ${path}`, () => assert.equal(pathOf(url), path));
  }
});
