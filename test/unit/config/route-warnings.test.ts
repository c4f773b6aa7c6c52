import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { routeWarnings, type WarnableRoute } from '../../../src/config/route-warnings.js';

const r = (name: string, path: string, methods?: string[]): WarnableRoute => ({ name, match: { path, methods }, flags: {} });

describe('routeWarnings: shadowed routes', () => {
  // [routes in config order, names of routes that get a "shadowed" warning]
  const cases: [label: string, routes: WarnableRoute[], shadowed: string[]][] = [
    ['a broader any-method route first shadows a narrower any-method one', [r('api', '/api/*'), r('order', '/api/orders/:id')], ['order']],
    ['the narrower route first is fine', [r('order', '/api/orders/:id'), r('api', '/api/*')], []],
    ['an any-method route is not shadowed by a route with a method list', [r('get', '/api/*', ['GET']), r('order', '/api/orders/:id')], []],
    ['a method-list route is shadowed by an any-method route over it', [r('api', '/api/*'), r('order', '/api/orders/:id', ['GET'])], ['order']],
    ['the same path for other methods is fine', [r('read', '/api/q', ['GET']), r('write', '/api/q', ['POST'])], []],
    ['methods taken one by one by two earlier routes shadow it all', [r('g', '/api/*', ['GET']), r('p', '/api/orders/*', ['POST']), r('o', '/api/orders/:id', ['GET', 'POST'])], ['o']],
    ['one method of two taken: a partial warning', [r('g', '/api/*', ['GET']), r('o', '/api/orders/:id', ['GET', 'POST'])], ['o']],
    ['a duplicate of an earlier route', [r('a', '/x'), r('b', '/x')], ['b']],
    ['partly overlapping paths are fine', [r('a', '/api/:x'), r('b', '/api/*')], []],
    ['"/*" first shadows everything after it', [r('all', '/*'), r('q', '/api/quote', ['POST']), r('o', '/api/orders/:id')], ['q', 'o']],
    ['a literal does not cover a parameter', [r('one', '/api/orders/42'), r('any', '/api/orders/:id')], []],
  ];
  for (const [label, routes, shadowed] of cases) {
    test(label, () => {
      const warnings = routeWarnings(routes, null);
      assert.deepEqual(warnings.filter((w) => w.kind === 'shadowed').map((w) => w.route), shadowed);
    });
  }

  test('messages say which earlier route takes the requests and what to do', () => {
    const [full] = routeWarnings([r('api', '/api/*'), r('order', '/api/orders/:id')], null);
    assert.equal(full!.message, 'route "order" never matches: route "api" (any method /api/*) comes first and takes every request it would match; move "order" above it or narrow it');
    const [partial] = routeWarnings([r('g', '/api/*', ['GET']), r('o', '/api/orders/:id', ['GET', 'POST'])], null);
    assert.equal(partial!.message, 'route "o" never receives GET requests: they go to earlier routes (GET to "g" (GET /api/*))');
    const [both] = routeWarnings([r('g', '/api/*', ['GET']), r('p', '/api/orders/*', ['POST']), r('o', '/api/orders/:id', ['GET', 'POST'])], null);
    assert.match(both!.message, /^route "o" never matches: earlier routes take every request it would match \(GET to "g" \(GET \/api\/\*\); POST to "p" \(POST \/api\/orders\/\*\)\)/);
  });
});

describe('routeWarnings: flags missing from the flag source', () => {
  const quote: WarnableRoute = { name: 'quote', match: { path: '/q' }, flags: { shadow: 'quote.shadow', serve: 'quote.serve' }, shadow: { percent: 25 } };

  test('each missing flag is named, with what it means for the route', () => {
    const warnings = routeWarnings([quote], (name) => name === 'other');
    assert.deepEqual(warnings, [
      { route: 'quote', kind: 'flag_missing', message: 'route "quote": flag "quote.shadow" is not in the flag source, so shadow.percent (25 %) alone decides what is mirrored' },
      { route: 'quote', kind: 'flag_missing', message: 'route "quote": flag "quote.serve" is not in the flag source, so the agent never serves this route' },
    ]);
  });

  test('flags the source knows give no warning', () => {
    assert.deepEqual(routeWarnings([quote], (name) => name.startsWith('quote.')), []);
  });

  test('no flag source (null): no flag warnings, rather than a guess', () => {
    assert.deepEqual(routeWarnings([quote], null), []);
  });
});

describe('routeWarnings: a guardrail window too small for a probation to end', () => {
  const route = (guardrail: WarnableRoute['guardrail']): WarnableRoute => ({ name: 'q', match: { path: '/q' }, flags: {}, guardrail });

  test('a window whose every entry matching still gives a lower bound below minAgreement is named, with the size needed', () => {
    const [w] = routeWarnings([route({ minAgreement: 0.9, window: 10, confidence: 0.95 })], null);
    assert.equal(w?.kind, 'probation_unreachable');
    // 10/10: (10 + 1.92) / (10 + 3.84) - half width = 0.722; n/(n + z²) >= 0.9 first holds at 35.
    assert.equal(w?.message, 'route "q": guardrail.window 10 is too small for a probation to end: even 10 matches in 10 give an agreement lower bound of 0.722 < minAgreement 0.9 (confidence 0.95); a window of at least 35 is needed (or reset with force)');
  });

  test('the defaults, and a window just large enough, are fine; minAgreement 1 never ends', () => {
    assert.deepEqual(routeWarnings([route({ minAgreement: 0.9, window: 200, confidence: 0.95 })], null), []);
    assert.deepEqual(routeWarnings([route({ minAgreement: 0.9, window: 35, confidence: 0.95 })], null), []);
    assert.equal(routeWarnings([route({ minAgreement: 0.9, window: 34, confidence: 0.95 })], null).length, 1);
    assert.match(routeWarnings([route({ minAgreement: 1, window: 200, confidence: 0.95 })], null)[0]!.message, /minAgreement 1 means a probation never ends/);
    assert.deepEqual(routeWarnings([route({ minAgreement: 0, window: 1, confidence: 0.95 })], null), []);
  });
});
