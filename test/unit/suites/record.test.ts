import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/metrics/definitions.js';
import { Redactor, REDACTED } from '../../../src/store/redact.js';
import { buildSuiteRecord, suiteRecordFromSample, type SuiteRecordInput } from '../../../src/suites/record.js';
import { SuiteRecorder } from '../../../src/suites/recorder.js';
import { SuiteWriter } from '../../../src/suites/writer.js';
import { readSuiteFile } from '../../../src/suites/read.js';
import type { Sample } from '../../../src/store/samples.js';
import { FakeLogger } from '../../fixtures/flags/fake-logger.js';

const redactor = () => new Redactor({
  headers: ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'], fields: ['/customer/ssn', '/**/password'], maxBodyBytes: 64,
  patterns: ['email', 'card', 'bearer', { name: 'order', regex: 'ORD-\\d+' }],
});

// Everything configured as secret, in every place a case has.
const SECRETS = ['sekret-token', 'sid=sekret', '123-45-6789', 'hunter2', 'ann@example.com', '4111111111111111', '4111 1111 1111 1111', 'ORD-98765', 'Bearer abc.def'];

const input = (over: Partial<SuiteRecordInput> = {}): SuiteRecordInput => ({
  id: 'sample-1', route: 'orders', at: new Date('2025-01-02T03:04:05.678Z'),
  request: {
    method: 'POST', path: '/api/orders/ann@example.com', query: 'ref=ORD-98765&page=2',
    headers: { host: 'shop', 'content-type': 'application/json', 'content-length': '99', authorization: 'Bearer sekret-token', cookie: 'sid=sekret', 'x-note': 'card 4111 1111 1111 1111', 'x-shadowgate-sample-id': 'sample-1', 'X-Mixed': 'v' },
    body: Buffer.from(JSON.stringify({ customer: { ssn: '123-45-6789', email: 'ann@example.com' }, login: { password: 'hunter2' }, qty: 2 })),
  },
  legacy: { status: 200, headers: { 'content-type': 'text/plain', 'content-length': '30', 'content-encoding': 'gzip', 'set-cookie': 'sid=sekret' }, body: Buffer.from('order ORD-98765 for ann@example.com') },
  agent: { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 3]) },
  result: 'mismatch',
  ...over,
});

describe('buildSuiteRecord', () => {
  test('the issue\'s line format, redacted: headers dropped, fields and patterns masked everywhere', () => {
    const built = buildSuiteRecord(input(), redactor(), 65_536);
    assert.ok(built.ok);
    const r = built.record;
    assert.deepEqual(Object.keys(r), ['id', 'route', 'recordedAt', 'request', 'expected', 'agent', 'result', 'verdict']);
    assert.deepEqual(Object.keys(r.request), ['method', 'path', 'query', 'headers', 'body', 'bodyEncoding']);
    assert.deepEqual(Object.keys(r.expected), ['status', 'headers', 'body', 'bodyEncoding']);
    assert.equal(r.recordedAt, '2025-01-02T03:04:05.678Z');
    assert.equal(r.request.path, '/api/orders/[redacted:email]');
    assert.equal(r.request.query, 'ref=%5Bredacted%3Aorder%5D&page=2');
    assert.deepEqual(r.request.headers, { 'content-type': 'application/json', 'x-note': 'card [redacted:card]', 'x-mixed': 'v' }, 'redacted, transport and x-shadowgate-* headers are dropped; names lower-cased');
    assert.deepEqual(JSON.parse(r.request.body), { customer: { ssn: REDACTED, email: '[redacted:email]' }, login: { password: REDACTED }, qty: 2 });
    assert.deepEqual(r.expected, { status: 200, headers: { 'content-type': 'text/plain' }, body: 'order [redacted:order] for [redacted:email]', bodyEncoding: 'utf8' });
    assert.deepEqual(r.agent, { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 3]).toString('base64'), bodyEncoding: 'base64' });
    assert.equal(r.result, 'mismatch');
    assert.equal(r.verdict, null);
    const text = JSON.stringify(r);
    for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in ${text}`);
  });

  test('bodies are not cut at samples.maxBodyBytes; over record.maxBodyBytes the case is not recorded', () => {
    const built = buildSuiteRecord(input(), redactor(), 65_536);
    assert.ok(built.ok && built.record.expected.body.length > 40);
    assert.deepEqual(buildSuiteRecord(input(), redactor(), 40), { ok: false, reason: 'body_too_large' });
  });

  test('no query gives "", a failed agent gives null', () => {
    const built = buildSuiteRecord(input({ agent: null, request: { ...input().request, query: '' }, result: 'agent_error' }), redactor(), 65_536);
    assert.ok(built.ok);
    assert.equal(built.record.request.query, '');
    assert.equal(built.record.agent, null);
  });
});

describe('SuiteRecorder: sampling, writing and verdicts, grepped on disk', () => {
  const setup = (percent = 100) => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-rec-'));
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const writer = new SuiteWriter({ dir, maxFileBytes: 1 << 20, maxFiles: 3 }, metrics, new FakeLogger());
    const recorder = new SuiteRecorder({ writer, redactor: redactor(), routes: { orders: { percent, maxBodyBytes: 65_536 }, quote: undefined }, random: () => 0.5 });
    return { dir, writer, recorder };
  };
  const sample = (id: string, over: Partial<Sample> = {}): Sample => ({
    id, route: 'orders', at: '2025-01-02T03:04:05.000Z', result: 'mismatch', servedBy: 'legacy',
    request: { method: 'GET', path: '/api/orders/7', headers: { authorization: REDACTED, 'x-user': 'u1', host: 'shop' }, body: '', encoding: 'utf8', truncated: false },
    legacy: { status: 200, headers: { 'content-type': 'application/json', 'set-cookie': REDACTED }, body: '{"a":1}', encoding: 'utf8', truncated: false, durationMs: 3 },
    agent: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"a":2}', encoding: 'utf8', truncated: false, durationMs: 4 },
    differences: [], ...over,
  });

  test('record.percent samples; routes without `record` write nothing', () => {
    const { recorder } = setup(40);
    assert.equal(recorder.record(input()), 'sampled_out', '0.5 × 100 = 50 is not below 40');
    assert.equal(setup(60).recorder.record(input()), 'written');
    assert.equal(recorder.record(input({ route: 'quote' })), 'off');
  });

  test('a verdict on a recorded case is a verdict line; on an unrecorded one the case is written with it', async () => {
    const { dir, writer, recorder } = setup();
    assert.equal(recorder.record(input({ id: 's1' })), 'written');
    assert.equal(recorder.verdict(sample('s1'), 'agent_correct', '2025-01-02T05:00:00.000Z'), 'line');
    assert.equal(recorder.verdict(sample('s2'), 'legacy_correct', '2025-01-02T05:01:00.000Z', 'page=2'), 'case');
    assert.equal(recorder.verdict(sample('s2'), 'both_ok', '2025-01-02T05:02:00.000Z'), 'line', 're-judging appends a line');
    assert.equal(recorder.verdict(sample('s3', { legacy: { ...sample('s3').legacy, truncated: true } }), 'both_wrong', '2025-01-02T05:03:00.000Z'), 'line_only', 'a cut case cannot be replayed; its verdict is still kept');
    assert.equal(recorder.verdict(sample('s4', { route: 'quote' }), 'both_ok'), 'off');
    await writer.close();
    const content = await readSuiteFile(join(dir, 'orders.jsonl'));
    assert.deepEqual(content.cases.map((c) => [c.id, c.verdict]), [['s1', null], ['s2', 'legacy_correct']]);
    assert.deepEqual(content.verdicts, [
      { id: 's1', verdict: 'agent_correct', at: '2025-01-02T05:00:00.000Z' },
      { id: 's2', verdict: 'both_ok', at: '2025-01-02T05:02:00.000Z' },
      { id: 's3', verdict: 'both_wrong', at: '2025-01-02T05:03:00.000Z' },
    ]);
    const s2 = content.cases[1]!;
    assert.deepEqual(s2.request, { method: 'GET', path: '/api/orders/7', query: 'page=2', headers: { 'x-user': 'u1' }, body: '', bodyEncoding: 'utf8' });
    assert.deepEqual(s2.expected.headers, { 'content-type': 'application/json' }, 'headers masked in the sample are dropped');
    // Nothing configured as secret anywhere in what was written.
    for (const name of readdirSync(dir)) {
      const text = readFileSync(join(dir, name), 'utf8');
      for (const s of SECRETS) assert.ok(!text.includes(s), `${s} in ${name}`);
    }
    for (const c of content.cases) {
      for (const h of [c.request.headers, c.expected.headers, c.agent?.headers ?? {}]) assert.ok(!Object.values(h).includes(REDACTED), 'redacted headers are removed, not masked');
    }
  });

  test('suiteRecordFromSample: an agent error has agent null', () => {
    const r = suiteRecordFromSample(sample('x', { agent: { headers: {}, body: '', encoding: 'utf8', truncated: false, error: 'timeout' } }), 'legacy_correct', redactor());
    assert.equal(r?.agent, null);
  });
});
