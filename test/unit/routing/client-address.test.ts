// The client's address behind load balancers, as a table: a wrong answer would let a client
// pick its own address (untrusted header) or give every client the ingress's address.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  clientAddress, normalizeAddress, parseCidr, parseForwarded, parseForwardedFor, parseTrustedProxies,
} from '../../../src/routing/client-address.js';

const TRUSTED = parseTrustedProxies(['10.0.0.0/8', '127.0.0.1/32', 'fd00::/8', '::1']);
const NONE = parseTrustedProxies([]);

describe('clientAddress', () => {
  const cases: [string, string | undefined, string[], string | undefined][] = [
    ['untrusted peer: the peer, header ignored', '203.0.113.9', ['1.1.1.1'], '203.0.113.9'],
    ['trusted peer, no header: the peer', '10.1.2.3', [], '10.1.2.3'],
    ['trusted peer: the right-most untrusted entry', '10.1.2.3', ['198.51.100.7'], '198.51.100.7'],
    ['trusted hops skipped from the right', '10.1.2.3', ['198.51.100.7', '10.9.9.9', '127.0.0.1'], '198.51.100.7'],
    ['a client-written entry left of the real client is ignored', '10.1.2.3', ['6.6.6.6', '198.51.100.7', '10.9.9.9'], '198.51.100.7'],
    ['every entry trusted: the left-most', '10.1.2.3', ['10.0.0.5', '10.0.0.6'], '10.0.0.5'],
    ['garbage stops the walk at the last trusted hop', '10.1.2.3', ['198.51.100.7', 'unknown', '10.0.0.6'], '10.0.0.6'],
    ['garbage right next to the peer: the peer', '10.1.2.3', ['198.51.100.7', 'not-an-ip'], '10.1.2.3'],
    ['IPv4-mapped peer is the IPv4 address', '::ffff:127.0.0.1', ['198.51.100.7'], '198.51.100.7'],
    ['IPv4-mapped untrusted peer normalised', '::ffff:203.0.113.9', [], '203.0.113.9'],
    ['IPv4-mapped entry normalised', '127.0.0.1', ['::ffff:198.51.100.7'], '198.51.100.7'],
    ['IPv6 peer trusted by range', 'fd12::1', ['2001:db8::5'], '2001:db8::5'],
    ['IPv6 loopback trusted as a bare address', '::1', ['2001:DB8::5'], '2001:db8::5'],
    ['IPv6 untrusted peer', '2001:db8::9', ['198.51.100.7'], '2001:db8::9'],
    ['entries with ports and brackets', '10.0.0.1', ['[2001:db8::7]:443', '198.51.100.8:5678'], '198.51.100.8'],
    ['bracketed IPv6 hop without port', '10.0.0.1', ['[2001:db8::7]'], '2001:db8::7'],
    ['no trusted proxies configured: always the peer', '10.1.2.3', ['198.51.100.7'], '10.1.2.3'],
    ['no peer (socket gone): undefined', undefined, ['198.51.100.7'], undefined],
  ];
  for (const [name, peer, hops, expected] of cases) {
    test(name, () => assert.equal(clientAddress(peer, hops, name.startsWith('no trusted') ? NONE : TRUSTED), expected));
  }
});

describe('header parsing', () => {
  test('x-forwarded-for: lists and repeated header lines, in order', () => {
    assert.deepEqual(parseForwardedFor('1.1.1.1, 2.2.2.2,3.3.3.3'), ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
    assert.deepEqual(parseForwardedFor(['1.1.1.1', '2.2.2.2, 3.3.3.3']), ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
    assert.deepEqual(parseForwardedFor(undefined), []);
    assert.deepEqual(parseForwardedFor(' , '), []);
  });
  test('forwarded: the for= node of each element', () => {
    assert.deepEqual(parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"'), ['192.0.2.60', '"[2001:db8:cafe::17]:4711"']);
    assert.deepEqual(parseForwarded(['For=unknown', 'proto=https;for=10.0.0.1']), ['unknown', '10.0.0.1']);
    const hops = parseForwarded('for=198.51.100.7, for="[::ffff:10.0.0.9]"');
    assert.equal(clientAddress('10.0.0.1', hops, TRUSTED), '198.51.100.7');
  });
});

describe('normalizeAddress and CIDRs', () => {
  for (const [raw, expected] of [
    ['1.2.3.4', '1.2.3.4'], ['::FFFF:1.2.3.4', '1.2.3.4'], ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'], ['[::1]:80', '::1'],
    ['"1.2.3.4"', '1.2.3.4'], ['1.2.3.4:80', '1.2.3.4'], ['2001:DB8::1', '2001:db8::1'], ['unknown', undefined], ['_hidden', undefined],
    ['1.2.3', undefined], ['[::1', undefined], ['[::1]x', undefined],
  ] as const) {
    test(`${raw} => ${expected}`, () => assert.equal(normalizeAddress(raw), expected));
  }
  test('parseCidr: ranges, bare addresses, mapped ranges, bad entries', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseCidr('127.0.0.1'), { address: '127.0.0.1', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseCidr('fd00::/8'), { address: 'fd00::', prefix: 8, family: 'ipv6' });
    assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    for (const bad of ['10.0.0.0/33', '::/129', 'example.com', '10.0.0.0/x', '', '10.0.0.0/']) assert.equal(parseCidr(bad), undefined, bad);
  });
  test('parseTrustedProxies names a bad entry', () => {
    assert.throws(() => parseTrustedProxies(['10.0.0.0/8', 'lb.internal']), /"lb.internal" is not an IP address or CIDR range/);
  });
  test('a range covers its members only', () => {
    const t = parseTrustedProxies(['10.0.0.0/8']);
    assert.equal(t.has('10.255.0.1'), true);
    assert.equal(t.has('11.0.0.1'), false);
    assert.equal(t.has('::1'), false);
    assert.equal(t.has('nonsense'), false);
  });
});
