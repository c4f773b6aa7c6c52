import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { compileRedactPatterns, luhnValid, maskQuery } from '../../../src/store/redact-patterns.js';
import { Redactor, REDACTED } from '../../../src/store/redact.js';
import { ByteBudget } from '../../../src/shadow/capture.js';
import { ShadowJob } from '../../../src/shadow/job.js';
import { createLogger } from '../../../src/log.js';
import type { RouteRuntime } from '../../../src/routing/runtime.js';

const ALL = ['email', 'card', 'bearer', { name: 'order', regex: 'ORD-\\d+' }] as const;
const masker = compileRedactPatterns(ALL);

// Secrets of every kind; each test checks none of them survives in what is written.
const CARD = '4111 1111 1111 1111';          // Luhn-valid test Visa, grouped
const CARD_PLAIN = '5500005555555559';       // Luhn-valid test Mastercard
const SECRETS = ['ann@example.com', 'bob.smith+shop@mail.example.co.uk', CARD, CARD_PLAIN, 'eyJhbGciOi.secret-token_x', 'ORD-12345'];
const assertClean = (text: string, where: string) => {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in ${where}: ${text}`);
  assert.ok(!text.includes('4111111111111111') && !text.includes('ann%40example.com'), `${where}: ${text}`);
};

describe('built-in and custom patterns', () => {
  test('luhnValid', () => {
    assert.deepEqual(['4111111111111111', '5500005555555559', '79927398713', '4111111111111112', '', '12a4'].map(luhnValid), [true, true, true, false, false, false]);
  });

  test('email, card, bearer and a custom pattern are masked by name', () => {
    assert.equal(masker.text('mail ann@example.com now'), 'mail [redacted:email] now');
    assert.equal(masker.text(`card ${CARD}, exp 12/30`), 'card [redacted:card], exp 12/30');
    assert.equal(masker.text(`card ${CARD_PLAIN}`), 'card [redacted:card]');
    assert.equal(masker.text('4111-1111-1111-1111'), '[redacted:card]');
    assert.equal(masker.text('Authorization: Bearer eyJhbGciOi.secret-token_x=='), 'Authorization: Bearer [redacted:bearer]');
    assert.equal(masker.text('order ORD-12345 shipped'), 'order [redacted:order] shipped');
  });

  test('card: only 13-19 digits that pass Luhn; longer digit runs and ids stay', () => {
    assert.equal(masker.text('id 4111111111111112'), 'id 4111111111111112', 'Luhn-invalid');
    assert.equal(masker.text('ts 1700000000000'), 'ts 1700000000000', '13 digits, Luhn-invalid');
    assert.equal(masker.text('run 41111111111111110000'), 'run 41111111111111110000', 'part of a 22-digit run');
    assert.equal(masker.text('pin 123456789012'), 'pin 123456789012', '12 digits');
  });

  test('value(): every string of a JSON value, keys included; other values untouched', () => {
    assert.deepEqual(masker.value({ to: ['ann@example.com', 3, null, true], 'ann@example.com': { note: 'ORD-1' } }),
      { to: ['[redacted:email]', 3, null, true], '[redacted:email]': { note: '[redacted:order]' } });
  });

  test('maskQuery masks decoded names and values and re-encodes only what changed', () => {
    assert.equal(maskQuery('email=ann%40example.com&page=2&q=a+b&flag', masker), 'email=%5Bredacted%3Aemail%5D&page=2&q=a+b&flag');
    assert.equal(maskQuery('bad=%E0%A4%A', masker), 'bad=%E0%A4%A', 'undecodable values are masked raw');
  });

  test('no patterns: everything passes unchanged, and value() returns the same object', () => {
    const none = compileRedactPatterns([]);
    const v = { a: 'ann@example.com' };
    assert.equal(none.value(v), v);
    assert.equal(none.text('ann@example.com'), 'ann@example.com');
  });
});

describe('Redactor with redact.patterns', () => {
  const redactor = (fields: string[] = []) => new Redactor({ headers: ['authorization', 'cookie'], fields, maxBodyBytes: 4096, patterns: ALL });

  test('header values, kept headers, query, JSON, text and binary bodies', () => {
    const r = redactor();
    assert.deepEqual(r.headers({ 'x-user': 'ann@example.com', authorization: 'Bearer t', 'x-list': ['ORD-1', 'ok'] }),
      { 'x-user': '[redacted:email]', authorization: REDACTED, 'x-list': ['[redacted:order]', 'ok'] });
    assert.deepEqual(r.keptHeaders({ 'X-User': 'ann@example.com', authorization: 'Bearer t', cookie: 'a=b' }), { 'x-user': '[redacted:email]' });
    assert.equal(r.query('to=ann%40example.com'), 'to=%5Bredacted%3Aemail%5D');
    const json = r.body(Buffer.from(JSON.stringify({ email: 'ann@example.com', card: CARD, n: 1 })), 'application/json');
    assert.deepEqual(JSON.parse(json.body), { email: '[redacted:email]', card: '[redacted:card]', n: 1 });
    assert.equal(r.body(Buffer.from(`to ann@example.com, ${CARD}`), 'text/plain').body, 'to [redacted:email], [redacted:card]');
    assert.equal(r.body(Buffer.from('{"email": "ann@example.com", '), 'application/json').body, '{"email": "[redacted:email]", ', 'unparseable JSON is masked as text when only patterns are set');
    const binary = r.body(Buffer.concat([Buffer.from([0, 255]), Buffer.from('ann@example.com')]), 'application/octet-stream');
    assert.ok(binary.body.startsWith(REDACTED) && binary.encoding === 'utf8', 'a binary body holding a match is withheld');
    assert.equal(r.body(Buffer.from([0, 1, 2]), 'application/octet-stream').encoding, 'base64');
  });

  test('fields and patterns together; masked before the cut', () => {
    const r = new Redactor({ headers: [], fields: ['/ssn'], maxBodyBytes: 20, patterns: ALL });
    const out = r.body(Buffer.from(`note: ${'x'.repeat(10)} ann@example.com`), 'text/plain');
    assert.equal(out.truncated, true);
    assert.ok(!out.body.includes('ann@'), out.body);
    const json = new Redactor({ headers: [], fields: ['/ssn'], maxBodyBytes: 4096, patterns: ALL }).body(Buffer.from('{"ssn":"1","to":"ann@example.com"}'), 'application/json');
    assert.deepEqual(JSON.parse(json.body), { ssn: REDACTED, to: '[redacted:email]' });
  });

  test('a sample: nothing configured as secret survives anywhere in it (grep of the whole JSON)', () => {
    const route = { name: 'r', config: { shadow: { maxBodyBytes: 10_000 } } } as unknown as RouteRuntime;
    const job = new ShadowJob(route, 'POST', '/api/users/ann@example.com', { 'content-type': 'application/json', 'x-card': CARD, authorization: 'Bearer eyJhbGciOi.secret-token_x' }, new ByteBudget(100_000), 10_000, () => {});
    job.request.push(Buffer.from(JSON.stringify({ email: 'bob.smith+shop@mail.example.co.uk', order: 'ORD-12345' })));
    job.setLegacy(200, { 'content-type': 'text/plain', 'x-order': 'ORD-12345' }, Buffer.from(`paid with ${CARD_PLAIN}`), 5, false);
    job.settleAgent({ ok: true, status: 200, headers: { 'content-type': 'text/plain' }, body: Buffer.from('paid by ann@example.com'), truncated: false, durationMs: 7 });
    const sample = redactor().sample(job, { result: 'mismatch', outcome: { result: 'mismatch', comparator: 'text', differences: [{ pointer: '', field: 'body', kind: 'text', legacy: `paid with ${CARD_PLAIN}`, agent: 'paid by ann@example.com' }] } });
    assertClean(JSON.stringify(sample), 'sample');
    assert.equal(sample.request.path, '/api/users/[redacted:email]');
  });
});

test('logger with the mask: nothing configured as secret reaches a log line', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(chunk.toString()); cb(); } });
  const log = createLogger('debug', sink, 'json', { mask: masker.value });
  log.info({ event: 'x', user: 'ann@example.com', nested: { card: CARD, list: ['ORD-12345'] } }, 'comparison for bob.smith+shop@mail.example.co.uk');
  log.warn('token Bearer eyJhbGciOi.secret-token_x seen, card %s', CARD_PLAIN);
  log.debug({ plain: 1 }, 'ok');
  const text = lines.join('');
  assert.equal(lines.length, 3);
  assertClean(text, 'log');
  assert.match(text, /\[redacted:email\]/);
  assert.match(text, /"plain":1/);
});
