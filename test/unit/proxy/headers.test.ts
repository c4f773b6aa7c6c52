// Header hygiene as tables: what a Connection header may nominate, and the exact header
// lists legacy and the client get (regression: nominating content-length dropped the
// framing and legacy read the body as a second request).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientResponseHeaders, forwardedRequestHeaders, headerObject, isHopByHop, nominated, PROTECTED, stripHopByHop, unsupportedCodings } from '../../../src/proxy/headers.js';

/** The parts of an IncomingMessage forwardedRequestHeaders reads, built from raw lines as node would. */
function request(raw: [string, string][]): IncomingMessage {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of raw) {
    const lower = name.toLowerCase();
    const prev = headers[lower];
    if (prev === undefined) headers[lower] = value;
    else if (lower === 'set-cookie') headers[lower] = [...(Array.isArray(prev) ? prev : [prev]), value];
    else if (lower !== 'host' && lower !== 'content-length') headers[lower] = `${String(prev)}, ${value}`;
  }
  return { rawHeaders: raw.flat(), headers } as unknown as IncomingMessage;
}

const pairs = (flat: readonly string[]) => {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
};
const named = (flat: readonly string[], name: string) => pairs(flat).filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);

describe('nominated: what a Connection header takes out', () => {
  const cases: [string | string[] | undefined, string[] | null][] = [
    [undefined, null],
    ['', null],
    ['close', null],
    ['keep-alive', null],
    ['Keep-Alive, close', null],
    ['x-a', ['x-a']],
    ['X-A , x-b,,', ['x-a', 'x-b']],
    [['x-a', 'x-b'], ['x-a', 'x-b']],
    // framing and routing are never nominated away (the smuggling regression)
    ['keep-alive, content-length', null],
    ['Content-Length', null],
    ['transfer-encoding', null],
    ['host', null],
    ['HOST, x-a, Transfer-Encoding', ['x-a']],
    ['upgrade', ['upgrade']],
    ['te, trailer', ['te', 'trailer']],
  ];
  for (const [value, want] of cases) {
    test(`${JSON.stringify(value)} => ${JSON.stringify(want)}`, () => {
      const got = nominated(value);
      assert.deepEqual(got === null ? null : [...got].sort(), want);
    });
  }

  test('PROTECTED is exactly framing and routing', () => {
    assert.deepEqual([...PROTECTED].sort(), ['content-length', 'host', 'transfer-encoding']);
  });

  test('isHopByHop: fixed hop-by-hop names and nominated ones', () => {
    const n = nominated('x-a');
    assert.equal(isHopByHop('connection', n), true);
    assert.equal(isHopByHop('keep-alive', null), true);
    assert.equal(isHopByHop('x-a', n), true);
    assert.equal(isHopByHop('x-b', n), false);
    assert.equal(isHopByHop('content-length', nominated('content-length')), false);
  });
});

describe('stripHopByHop (whole answers: agent and held legacy answers)', () => {
  const cases: [Record<string, string>, Record<string, string>][] = [
    [{ connection: 'x-a', 'x-a': '1', 'x-b': '2' }, { 'x-b': '2' }],
    [{ connection: 'content-length, host', 'content-length': '5', host: 'h' }, { 'content-length': '5', host: 'h' }],
    [{ 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', te: 'trailers', trailer: 'x', upgrade: 'h2c', 'x-e': '1' }, { 'x-e': '1' }],
  ];
  for (const [input, want] of cases) {
    test(`${JSON.stringify(input)} => ${JSON.stringify(want)}`, () => {
      const h = { ...input };
      stripHopByHop(h);
      assert.deepEqual(h, want);
    });
  }
});

describe('forwardedRequestHeaders: what legacy gets', () => {
  test('a nominated content-length is kept, once, with the length node parsed (smuggling regression)', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a'], ['Connection', 'keep-alive, content-length'], ['Content-Length', '35']]), '127.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'content-length'), ['35']);
    assert.deepEqual(named(fwd.headers, 'connection'), []);
    assert.equal(fwd.hasBody, true);
  });

  test('a nominated transfer-encoding: no length, a body, the coding left to the client library (chunked)', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a'], ['Connection', 'transfer-encoding'], ['Transfer-Encoding', 'chunked']]), '127.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'transfer-encoding'), []);
    assert.deepEqual(named(fwd.headers, 'content-length'), []);
    assert.equal(fwd.hasBody, true);
  });

  test('a nominated host is kept', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'shop.example'], ['Connection', 'host']]), '127.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'host'), ['shop.example']);
  });

  test('content-length: 0 is sent as such and means no body', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a'], ['Content-Length', '0']]), '127.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'content-length'), ['0']);
    assert.equal(fwd.hasBody, false);
  });

  test('no framing header: no body, and none invented', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a']]), '127.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'content-length'), []);
    assert.equal(fwd.hasBody, false);
  });

  test('two Host headers: null (RFC 9112 §3.2: a request no proxy may forward)', () => {
    assert.equal(forwardedRequestHeaders(request([['Host', 'a'], ['Host', 'b']]), '127.0.0.1', undefined), null);
  });

  test('the absolute-form authority replaces Host (RFC 9112 §3.2.2)', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'other'], ['Connection', 'keep-alive']]), '127.0.0.1', 'h:8080')!;
    assert.deepEqual(named(fwd.headers, 'host'), ['h:8080']);
    assert.deepEqual(named(fwd.headers, 'x-forwarded-host'), ['h:8080']);
    assert.deepEqual(named(fwd.headers, 'x-forwarded-port'), ['8080']);
  });

  test('hop-by-hop headers, nominated ones and expect stay behind; end-to-end ones keep their case and order', () => {
    const fwd = forwardedRequestHeaders(request([
      ['Host', 'a'], ['X-First', '1'], ['Connection', 'x-private, te'], ['X-Private', 'p'], ['Keep-Alive', 'timeout=5'], ['TE', 'trailers'],
      ['Proxy-Connection', 'keep-alive'], ['Trailer', 'x'], ['Upgrade', 'h2c'], ['Expect', '100-continue'], ['x-last', '2'],
    ]), '10.0.0.1', undefined)!;
    const names = pairs(fwd.headers).map(([n]) => n);
    assert.deepEqual(names.slice(0, 2), ['X-First', 'x-last']);
    for (const gone of ['connection', 'x-private', 'keep-alive', 'te', 'proxy-connection', 'trailer', 'upgrade', 'expect']) {
      assert.deepEqual(named(fwd.headers, gone), [], gone);
    }
  });

  test('forwarding headers: appended to what the client sent, one forwarded element for this hop', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a'], ['X-Forwarded-For', '203.0.113.9'], ['Forwarded', 'for=203.0.113.9']]), '10.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'x-forwarded-for'), ['203.0.113.9,10.0.0.1']);
    assert.deepEqual(named(fwd.headers, 'forwarded'), ['for=203.0.113.9, for=10.0.0.1;proto=http;host="a"']);
    assert.deepEqual(named(fwd.headers, 'x-forwarded-proto'), ['http']);
  });

  test('a client cannot nominate away the forwarding headers this hop adds', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a'], ['Connection', 'x-forwarded-for, forwarded'], ['X-Forwarded-For', '6.6.6.6']]), '10.0.0.1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'x-forwarded-for'), ['10.0.0.1'], "the nominated client value is dropped, this hop's is added");
    assert.equal(named(fwd.headers, 'forwarded').length, 1);
  });

  test('an IPv6 peer is quoted in forwarded (RFC 7239 §6)', () => {
    const fwd = forwardedRequestHeaders(request([['Host', 'a']]), '::1', undefined)!;
    assert.deepEqual(named(fwd.headers, 'forwarded'), ['for="[::1]";proto=http;host="a"']);
  });
});

describe('clientResponseHeaders: what the client gets of an upstream answer', () => {
  const raw = (lines: [string, string][]) => lines.flat().map((s) => Buffer.from(s, 'latin1'));

  test('legacy nominating content-length in its Connection header keeps the framing', () => {
    const out = clientResponseHeaders(raw([['Connection', 'content-length, x-hop'], ['Content-Length', '2'], ['X-Hop', '1'], ['X-Keep', 'k']]), 'x-shadowgate-served-by', 'legacy');
    assert.deepEqual(pairs(out), [['Content-Length', '2'], ['X-Keep', 'k'], ['x-shadowgate-served-by', 'legacy']]);
  });

  test('transfer-encoding never passes (node frames the answer itself); trailer does (RFC 9110 §6.6.2)', () => {
    const out = clientResponseHeaders(raw([['Transfer-Encoding', 'chunked'], ['Trailer', 'x-t'], ['Keep-Alive', 'timeout=9']]), false, 'legacy');
    assert.deepEqual(pairs(out), [['Trailer', 'x-t']]);
  });

  test("an upstream's own served-by header is replaced, not doubled", () => {
    const out = clientResponseHeaders(raw([['X-Shadowgate-Served-By', 'agent']]), 'x-shadowgate-served-by', 'legacy');
    assert.deepEqual(pairs(out), [['x-shadowgate-served-by', 'legacy']]);
  });

  test('headerObject joins repeats, keeps set-cookie as a list', () => {
    assert.deepEqual(headerObject(['A', '1', 'a', '2', 'Set-Cookie', 'x=1', 'set-cookie', 'y=2']), { a: '1, 2', 'set-cookie': ['x=1', 'y=2'] });
  });
});

describe('unsupportedCodings: request transfer codings the proxy cannot carry (RFC 9112 §6.1)', () => {
  const cases: [string | undefined, string | null][] = [
    [undefined, null],
    ['chunked', null],
    ['Chunked', null],
    [' chunked ', null],
    ['gzip, chunked', 'gzip'],
    ['gzip, deflate, chunked', 'gzip, deflate'],
    ['identity, chunked', 'identity'],
  ];
  for (const [te, want] of cases) test(`${JSON.stringify(te)} => ${JSON.stringify(want)}`, () => assert.equal(unsupportedCodings(te), want));
});
