import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/metrics/definitions.js';
import { SuiteWriter } from '../../../src/suites/writer.js';
import type { SuiteCase } from '../../../src/suites/format.js';
import { FakeLogger } from '../../fixtures/flags/fake-logger.js';

const dir = () => mkdtempSync(join(tmpdir(), 'sg-suites-'));
const metrics = () => createMetrics(new Registry(), { defaultMetrics: false });

async function counter(m: ReturnType<typeof metrics>, route: string, result: string): Promise<number> {
  const metric = await m.suiteRecords.get();
  const value = metric.values.find((v) => v.labels.route === route && v.labels.result === result);
  if (!value) throw new Error(`no shadowgate_suite_records_total{route="${route}",result="${result}"}`);
  return value.value;
}

const kase = (id: string, route = 'orders', pad = 0): SuiteCase => ({
  id, route, recordedAt: '2025-01-02T03:04:05.000Z',
  request: { method: 'GET', path: `/api/orders/${id}`, query: '', headers: {}, body: 'x'.repeat(pad), bodyEncoding: 'utf8' },
  expected: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}', bodyEncoding: 'utf8' },
  agent: null, result: 'match', verdict: null,
});
const lineBytes = (c: SuiteCase) => Buffer.byteLength(`${JSON.stringify(c)}\n`);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string });

describe('SuiteWriter', () => {
  test('one JSON object per line in <dir>/<route>.jsonl, in order, counted as written', async () => {
    const d = dir();
    const m = metrics();
    const w = new SuiteWriter({ dir: join(d, 'nested'), maxFileBytes: 1 << 20, maxFiles: 3, routes: ['orders', 'quote'] }, m, new FakeLogger());
    assert.equal(await counter(m, 'quote', 'dropped'), 0, 'series start at 0');
    for (const id of ['a', 'b']) assert.equal(w.write(kase(id)), true);
    w.write(kase('q', 'quote'));
    w.verdict('orders', { id: 'a', verdict: 'agent_correct', at: '2025-01-02T04:00:00.000Z' });
    await w.close();
    assert.deepEqual(readdirSync(join(d, 'nested')).sort(), ['orders.jsonl', 'quote.jsonl']);
    const orders = readFileSync(join(d, 'nested', 'orders.jsonl'), 'utf8').split('\n');
    assert.equal(orders.length, 4, 'three lines and the final newline');
    assert.deepEqual(JSON.parse(orders[0]!), kase('a'));
    assert.deepEqual(JSON.parse(orders[2]!), { id: 'a', verdict: 'agent_correct', at: '2025-01-02T04:00:00.000Z' });
    assert.equal(await counter(m, 'orders', 'written'), 2, 'verdict lines are not cases');
    assert.equal(await counter(m, 'quote', 'written'), 1);
  });

  test('rotation: at most maxFiles files, none over maxFileBytes, rotated before a line would overrun, oldest removed', async () => {
    const d = dir();
    const size = lineBytes(kase('c00'));
    const maxFileBytes = size * 3 + 10; // room for 3 lines
    const w = new SuiteWriter({ dir: d, maxFileBytes, maxFiles: 3 }, metrics(), new FakeLogger());
    for (let i = 0; i < 20; i++) { w.write(kase(`c${String(i).padStart(2, '0')}`)); if (i % 4 === 0) await w.flush(); }
    await w.close();
    assert.deepEqual(readdirSync(d).sort(), ['orders.1.jsonl', 'orders.2.jsonl', 'orders.jsonl']);
    for (const name of readdirSync(d)) assert.ok(statSync(join(d, name)).size <= maxFileBytes, `${name} is ${statSync(join(d, name)).size} bytes`);
    // 20 lines, 3 per file: live holds c18-c19, .1 c15-c17, .2 c12-c14; older files are gone.
    assert.deepEqual(lines(join(d, 'orders.jsonl')).map((l) => l.id), ['c18', 'c19']);
    assert.deepEqual(lines(join(d, 'orders.1.jsonl')).map((l) => l.id), ['c15', 'c16', 'c17']);
    assert.deepEqual(lines(join(d, 'orders.2.jsonl')).map((l) => l.id), ['c12', 'c13', 'c14']);
  });

  test('maxFiles 1 keeps only the live file; a restart appends to it and knows its size', async () => {
    const d = dir();
    const size = lineBytes(kase('a'));
    writeFileSync(join(d, 'orders.jsonl'), `${JSON.stringify(kase('old'))}\n`);
    writeFileSync(join(d, 'orders.7.jsonl'), 'left by a larger maxFiles\n');
    const w = new SuiteWriter({ dir: d, maxFileBytes: size * 2 + 5, maxFiles: 1 }, metrics(), new FakeLogger());
    w.write(kase('a'));
    await w.flush();
    assert.deepEqual(lines(join(d, 'orders.jsonl')).map((l) => l.id), ['old', 'a']);
    w.write(kase('b'));
    await w.close();
    assert.deepEqual(readdirSync(d), ['orders.jsonl']);
    assert.deepEqual(lines(join(d, 'orders.jsonl')).map((l) => l.id), ['b']);
  });

  test('a case larger than maxFileBytes is dropped and counted, never written', async () => {
    const d = dir();
    const m = metrics();
    const w = new SuiteWriter({ dir: d, maxFileBytes: 2048, maxFiles: 2 }, m, new FakeLogger());
    assert.equal(w.write(kase('big', 'orders', 4096)), false);
    await w.close();
    assert.equal(await counter(m, 'orders', 'dropped'), 1);
    assert.deepEqual(readdirSync(d), []);
  });

  test('recording under load stays bounded: a burst beyond the queue is dropped and counted, the rest written', async () => {
    const d = dir();
    const m = metrics();
    const log = new FakeLogger();
    const w = new SuiteWriter({ dir: d, maxFileBytes: 64 << 20, maxFiles: 2, maxQueue: 100 }, m, log);
    let accepted = 0;
    for (let i = 0; i < 5000; i++) if (w.write(kase(`c${i}`))) accepted++;
    assert.ok(w.pending <= 100, `queue holds ${w.pending}`);
    await w.close();
    const written = await counter(m, 'orders', 'written');
    const dropped = await counter(m, 'orders', 'dropped');
    assert.equal(written + dropped, 5000);
    assert.equal(written, accepted);
    assert.ok(dropped >= 4800, `dropped ${dropped}`);
    assert.equal(lines(join(d, 'orders.jsonl')).length, written);
    assert.equal(log.entries.filter((e) => e.level === 'warn').length, 1, 'the first drop is logged once');
  });

  test('the queue is also bounded by bytes', async () => {
    const m = metrics();
    const w = new SuiteWriter({ dir: dir(), maxFileBytes: 64 << 20, maxFiles: 2, maxQueueBytes: 10_000 }, m, new FakeLogger());
    let accepted = 0;
    for (let i = 0; i < 100; i++) if (w.write(kase(`c${i}`, 'orders', 1000))) accepted++;
    assert.ok(accepted <= 10, `accepted ${accepted}`);
    await w.close();
    assert.equal(await counter(m, 'orders', 'dropped'), 100 - accepted);
  });

  test('a write failure drops and counts the cases, logs once, and does not stop the writer', async () => {
    const parent = dir();
    const blocker = join(parent, 'suites');
    writeFileSync(blocker, 'a file where the folder should be');
    const m = metrics();
    const log = new FakeLogger();
    const w = new SuiteWriter({ dir: join(blocker, 'inner'), maxFileBytes: 1 << 20, maxFiles: 2 }, m, log);
    w.write(kase('a')); w.write(kase('b'));
    await w.flush();
    assert.equal(await counter(m, 'orders', 'dropped'), 2);
    rmSync(blocker);
    w.write(kase('c'));
    await w.close();
    assert.deepEqual(lines(join(blocker, 'inner', 'orders.jsonl')).map((l) => l.id), ['c']);
    assert.equal(log.entries.filter((e) => e.level === 'error').length, 1);
  });

  test('after close nothing more is queued; close is idempotent', async () => {
    const m = metrics();
    const w = new SuiteWriter({ dir: dir(), maxFileBytes: 1 << 20, maxFiles: 2 }, m, new FakeLogger());
    const first = w.close();
    assert.equal(w.close(), first);
    await first;
    assert.equal(w.write(kase('late')), false);
    assert.equal(await counter(m, 'orders', 'dropped'), 1);
  });
});
