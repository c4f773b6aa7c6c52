import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, createRouteMatcher, pathOf, patternCovers, patternProblem, UNMATCHED } from '../../../src/routing/match.js';

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

describe('patternProblem', () => {
  for (const pattern of ['/', '/*', '/api/quote', '/api/orders/:id', '/api/orders/:id/items/:item', '/api/*', '/v1/things:batchGet', '/a+b', '/v1.0/q', '/api/:_x9']) {
    test(`${pattern} is supported`, () => assert.equal(patternProblem(pattern), undefined));
  }
  for (const pattern of ['/api/price/{sku}', '/api/*/price', '/api/price/:sku(\\d+)', '/api/**', '/api/price/:', '/api/p*', '/**', '/a/:id.json', '/a/:9', 'api', '/q?x=1', '/q#f', '/a/{']) {
    test(`${pattern} is rejected, naming the supported forms`, () => {
      const problem = patternProblem(pattern);
      assert.ok(problem?.includes('exact /api/quote, parameters /api/orders/:id, a trailing wildcard /api/*'), problem);
    });
  }
});

describe('patternCovers', () => {
  const cases: [outer: string, inner: string, covers: boolean][] = [
    ['/api/*', '/api/orders/:id', true],
    ['/api/*', '/api', true],
    ['/api/*', '/api/*', true],
    ['/api/*', '/api/orders/*', true],
    ['/api/*', '/apiary', false],
    ['/api/*', '/*', false],
    ['/*', '/anything/:x/*', true],
    ['/*', '/', true],
    ['/api/orders/:id', '/api/orders/42', true],
    ['/api/orders/:id', '/api/orders/:other', true],
    ['/api/orders/42', '/api/orders/:id', false],
    ['/api/orders/:id', '/api/orders/:id/items', false],
    ['/api/orders/:id', '/api/orders/*', false],
    ['/api/orders/:id', '/api/orders', false],
    ['/api/:x/*', '/api/orders/:id', true],
    ['/api/:x/*', '/api', false],
    ['/api/quote', '/api/quote', true],
    ['/api/quote', '/api/quote/', false],
    ['/:x', '/', false],
  ];
  for (const [outer, inner, covers] of cases) {
    test(`${outer} ${covers ? 'covers' : 'does not cover'} ${inner}`, () => assert.equal(patternCovers(outer, inner), covers));
  }

  test('agrees with the matcher: whenever outer covers inner, every path inner matches, outer matches', () => {
    const patterns = [...new Set(cases.flatMap(([a, b]) => [a, b]))];
    const paths = ['/', '//', '/api', '/api/', '/apiary', '/api/quote', '/api/quote/', '/api/quote//', '/api/orders', '/api/orders/', '/api/orders/42', '/api/orders/42/', '/api/orders/42/items', '/api/x/y/z', '/anything/1/2'];
    for (const a of patterns) {
      for (const b of patterns) {
        if (!patternCovers(a, b)) continue;
        for (const p of paths) {
          if (compilePattern(b).test(p)) assert.ok(compilePattern(a).test(p), `${a} covers ${b} but does not match ${p}`);
        }
      }
    }
  });
});
