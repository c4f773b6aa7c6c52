import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createComparator, DEFAULT_COMPARE_OPTIONS, type CompareOptions } from '../../../src/compare/index.js';
import { canonicalContentType } from '../../../src/compare/media-type.js';
import { captured, CTX } from '../../fixtures/compare/responses.js';

async function run(
  legacy: Parameters<typeof captured>[2],
  agent: Parameters<typeof captured>[2],
  options: Partial<CompareOptions> = {},
) {
  const compare = await createComparator({ ...DEFAULT_COMPARE_OPTIONS, ...options });
  return compare(captured('', undefined, legacy), captured('', undefined, agent), CTX);
}

describe('status', () => {
  it('a different status is a status difference', async () => {
    const outcome = await run({ status: 200 }, { status: 503 });
    assert.deepEqual(outcome.differences, [{ pointer: 'status', field: 'status', kind: 'status', legacy: 200, agent: 503 }]);
    assert.equal(outcome.result, 'mismatch');
  });

  it('the same status matches', async () => {
    assert.equal((await run({ status: 404 }, { status: 404 })).result, 'match');
  });

  it('status: false skips the check', async () => {
    assert.equal((await run({ status: 200 }, { status: 500 }, { status: false })).result, 'match');
  });
});

describe('content-type header', () => {
  const cases: Array<[legacy: string | undefined, agent: string | undefined, equal: boolean]> = [
    ['application/json', 'application/json', true],
    ['application/json', 'Application/JSON', true],
    ['application/json; charset=utf-8', 'application/json;charset=UTF-8', true],
    ['application/json; charset=utf-8', 'application/json', true], // missing charset = utf-8
    ['application/json', 'application/json; charset=utf8', true],
    ['text/html; charset=iso-8859-1', 'text/html', false],
    ['text/html; charset=iso-8859-1', 'text/html; charset=utf-8', false],
    ['multipart/mixed; boundary=x; charset=utf-8', 'multipart/mixed;charset=utf-8;  boundary=x', true], // param order
    ['multipart/mixed; boundary="x"', 'multipart/mixed; boundary=x', true],
    ['multipart/mixed; boundary=abc', 'multipart/mixed; boundary=ABC', false], // boundary is case-sensitive
    ['application/json', 'application/problem+json', false],
    ['application/json', 'text/json', false],
    ['application/json', undefined, false],
    [undefined, 'application/json', false],
    [undefined, undefined, true],
  ];
  for (const [legacy, agent, equal] of cases) {
    it(`${String(legacy)} vs ${String(agent)}: ${equal ? 'equal' : 'different'}`, async () => {
      const headers = (value: string | undefined) => (value === undefined ? {} : { 'content-type': value });
      const outcome = await run({ headers: headers(legacy) }, { headers: headers(agent) });
      if (equal) {
        assert.deepEqual(outcome.differences, []);
      } else {
        assert.deepEqual(outcome.differences, [
          { pointer: 'header:content-type', field: 'header:content-type', kind: 'header', legacy, agent },
        ].map((d) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined))));
      }
    });
  }

  it('canonical form sorts parameters and lower-cases the essence', () => {
    assert.equal(canonicalContentType(' Text/HTML ; b=2;a=1 '), 'text/html;a=1;b=2;charset=utf-8');
  });
});

describe('other configured headers', () => {
  it('compares only the configured headers, names case-insensitively', async () => {
    const legacy = { headers: { 'cache-control': 'no-store', etag: '"a"', 'x-request-id': '1' } };
    const agent = { headers: { 'cache-control': 'max-age=60', etag: '"b"', 'x-request-id': '2' } };
    const outcome = await run(legacy, agent, { headers: ['Cache-Control', 'ETag', 'cache-control'] });
    assert.deepEqual(
      outcome.differences.map((d) => [d.pointer, d.legacy, d.agent]),
      [
        ['header:cache-control', 'no-store', 'max-age=60'],
        ['header:etag', '"a"', '"b"'],
      ],
    );
  });

  it('joins repeated headers and trims values', async () => {
    const outcome = await run(
      { headers: { vary: ['accept', 'origin'] } },
      { headers: { vary: ' accept, origin ' } },
      { headers: ['vary'] },
    );
    assert.equal(outcome.result, 'match');
  });

  it('a header present on one side only is a difference', async () => {
    const outcome = await run({ headers: { location: '/x' } }, { headers: {} }, { headers: ['location'] });
    assert.deepEqual(outcome.differences, [
      { pointer: 'header:location', field: 'header:location', kind: 'header', legacy: '/x' },
    ]);
  });

  it('no configured headers compares none', async () => {
    const outcome = await run({ headers: { 'content-type': 'a/b' } }, { headers: { 'content-type': 'c/d' } }, { headers: [] });
    assert.equal(outcome.differences.some((d) => d.kind === 'header'), false);
  });
});
