import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor, REDACTED } from '../../../src/store/redact.js';
import { ByteBudget } from '../../../src/shadow/capture.js';
import { ShadowJob } from '../../../src/shadow/job.js';
import type { RouteRuntime } from '../../../src/routing/runtime.js';
import type { Comparison } from '../../../src/shadow/record.js';

const HEADERS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];
const redactor = (fields: string[] = [], maxBodyBytes = 1024) => new Redactor({ headers: HEADERS, fields, maxBodyBytes });

describe('Redactor.headers', () => {
  test('masks the configured headers, whatever their case, and keeps the rest', () => {
    const out = redactor().headers({ Authorization: 'Bearer t', cookie: 'a=b', 'set-cookie': ['x=1', 'y=2'], 'x-ok': 'v', 'x-none': undefined });
    assert.deepEqual(out, { Authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, 'x-ok': 'v', 'x-none': undefined });
  });
});

describe('Redactor.body', () => {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));

  test('masks JSON fields by pointer pattern (exact, * and **)', () => {
    const r = redactor(['/user/ssn', '/cards/*/number', '/**/password']);
    const out = r.body(json({
      user: { name: 'Ann', ssn: '123', password: 'p1' }, cards: [{ number: 'visa-secret', exp: '12/30' }, { number: 'amex-secret' }],
      deep: { a: { password: 'p2' } }, password: 'p3',
    }), 'application/json; charset=utf-8');
    assert.equal(out.encoding, 'utf8');
    assert.deepEqual(JSON.parse(out.body), {
      user: { name: 'Ann', ssn: REDACTED, password: REDACTED }, cards: [{ number: REDACTED, exp: '12/30' }, { number: REDACTED }],
      deep: { a: { password: REDACTED } }, password: REDACTED,
    });
  });

  test('a masked object or array is replaced whole', () => {
    const out = redactor(['/secret']).body(json({ secret: { nested: [1, 2] }, ok: 1 }), 'application/json');
    assert.deepEqual(JSON.parse(out.body), { secret: REDACTED, ok: 1 });
  });

  test('+json media types count as JSON', () => {
    const out = redactor(['/token']).body(json({ token: 't' }), 'application/problem+json');
    assert.deepEqual(JSON.parse(out.body), { token: REDACTED });
  });

  test('a JSON body that cannot be parsed is withheld when fields are configured', () => {
    const out = redactor(['/token']).body(Buffer.from('{"token": "abc", '), 'application/json');
    assert.ok(!out.body.includes('abc'));
    assert.ok(out.body.startsWith(REDACTED));
  });

  test('without redact.fields, JSON is stored as text', () => {
    assert.equal(redactor().body(Buffer.from('{"a":1}'), 'application/json').body, '{"a":1}');
  });

  test('bodies are cut at samples.maxBodyBytes and marked truncated', () => {
    const out = redactor([], 10).body(Buffer.from('0123456789abcdef'), 'text/plain');
    assert.deepEqual(out, { body: '0123456789', encoding: 'utf8', truncated: true });
    const masked = redactor(['/x'], 10).body(json({ x: 1, long: 'aaaaaaaaaaaaaaa' }), 'application/json');
    assert.equal(masked.truncated, true);
    assert.equal(masked.body.length, 10);
    assert.ok(!masked.body.includes('1,'), 'masking happens before the cut');
  });

  test('binary bodies are stored as base64; text types and a missing type as utf-8', () => {
    const bin = Buffer.from([0, 1, 2, 255]);
    assert.deepEqual(redactor().body(bin, 'application/octet-stream'), { body: bin.toString('base64'), encoding: 'base64', truncated: false });
    assert.equal(redactor().body(Buffer.from('<a/>'), 'application/xml').encoding, 'utf8');
    assert.equal(redactor().body(Buffer.from('a=1'), 'application/x-www-form-urlencoded').encoding, 'utf8');
    assert.equal(redactor().body(Buffer.from('hi'), undefined).encoding, 'utf8');
    assert.equal(redactor().body(Buffer.from('hi'), ['text/html']).encoding, 'utf8');
  });
});

describe('Redactor.sample', () => {
  const route = { name: 'r', config: { shadow: { maxBodyBytes: 10_000 } } } as unknown as RouteRuntime;
  const newJob = () => new ShadowJob(route, 'POST', '/api/p', {
    host: 'shop', authorization: 'Bearer sekret', cookie: 'sid=sekret', 'content-type': 'application/json',
  }, new ByteBudget(100_000), 10_000, () => {});

  test('headers, JSON fields and the values of differences on secret headers or fields are masked', () => {
    const job = newJob();
    job.request.push(Buffer.from('{"card":"visa-secret","q":1}'));
    job.setLegacy(200, { 'content-type': 'application/json', 'set-cookie': 'sid=sekret' }, Buffer.from('{"card":"visa-secret","v":1}'), 5, false);
    job.settleAgent({ ok: true, status: 200, headers: { 'content-type': 'application/json', 'set-cookie': 'sid=other' }, body: Buffer.from('{"card":"amex-secret","v":2}'), truncated: false, durationMs: 7 });
    const comparison: Comparison = {
      result: 'mismatch',
      outcome: {
        result: 'mismatch', comparator: 'json',
        differences: [
          { pointer: 'header:set-cookie', field: 'header:set-cookie', kind: 'header', legacy: 'sid=sekret', agent: 'sid=other' },
          { pointer: '/card', field: '/card', kind: 'changed', legacy: 'visa-secret', agent: 'amex-secret' },
          { pointer: '/v', field: '/v', kind: 'changed', legacy: 1, agent: 2 },
        ],
      },
    };
    const sample = redactor(['/card']).sample(job, comparison);
    const text = JSON.stringify(sample);
    for (const secret of ["sekret", "visa-secret", "amex-secret", "sid=other"]) assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.equal(sample.request.headers.authorization, REDACTED);
    assert.equal(sample.request.headers.host, 'shop');
    assert.deepEqual(JSON.parse(sample.request.body), { card: REDACTED, q: 1 });
    assert.equal(sample.legacy.status, 200);
    assert.deepEqual(JSON.parse(sample.agent.body), { card: REDACTED, v: 2 });
    assert.deepEqual(sample.differences, [
      { pointer: 'header:set-cookie', field: 'header:set-cookie', kind: 'header', legacy: REDACTED, agent: REDACTED },
      { pointer: '/card', field: '/card', kind: 'changed', legacy: REDACTED, agent: REDACTED },
      { pointer: '/v', field: '/v', kind: 'changed', legacy: 1, agent: 2 },
    ]);
    assert.equal(sample.comparator, 'json');
    assert.equal(sample.id, job.id);
    assert.equal(sample.route, 'r');
    assert.equal(sample.request.path, '/api/p');
  });

  test('an agent failure is stored with its kind and no body', () => {
    const job = newJob();
    job.setLegacy(200, { 'content-type': 'text/plain' }, Buffer.from('ok'), 5, false);
    job.settleAgent({ ok: false, kind: 'timeout', message: 'x', durationMs: 300 });
    const sample = redactor().sample(job, { result: 'agent_error', reason: 'timeout' });
    assert.equal(sample.result, 'agent_error');
    assert.deepEqual(sample.agent, { headers: {}, body: '', encoding: 'utf8', truncated: false, error: 'timeout', durationMs: 300 });
    assert.equal(sample.legacy.body, 'ok');
  });

  test('a legacy body cut at the capture limit is marked truncated', () => {
    const job = newJob();
    job.setLegacy(200, { 'content-type': 'text/plain' }, Buffer.from('partial'), 5, true);
    job.settleAgent({ ok: true, status: 200, headers: {}, body: Buffer.from('x'), truncated: true, durationMs: 1 });
    const sample = redactor().sample(job, { result: 'mismatch' });
    assert.equal(sample.legacy.truncated, true);
    assert.equal(sample.agent.truncated, true);
  });
});
