import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSuiteFile, readSuites } from '../../../src/suites/read.js';
import { ShadowgateError } from '../../../src/errors.js';
import type { SuiteCase } from '../../../src/suites/format.js';

const kase = (id: string, verdict: SuiteCase['verdict'] = null): SuiteCase => ({
  id, route: 'orders', recordedAt: '2025-01-02T03:04:05.000Z',
  request: { method: 'GET', path: '/api/orders/1', query: '', headers: {}, body: '', bodyEncoding: 'utf8' },
  expected: { status: 200, headers: {}, body: '{}', bodyEncoding: 'utf8' }, agent: null, result: 'match', verdict,
});
const file = (name: string, lines: unknown[]) => {
  const path = join(mkdtempSync(join(tmpdir(), 'sg-read-')), name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
};

async function failure(promise: Promise<unknown>): Promise<string> {
  try { await promise; } catch (err) {
    assert.ok(err instanceof ShadowgateError && err.code === 'SG_SUITE_INVALID', String(err));
    return err.message;
  }
  assert.fail('expected SG_SUITE_INVALID');
}

describe('readSuiteFile', () => {
  test('cases and verdict lines; blank lines and CRLF are fine', async () => {
    const path = file('s.jsonl', [kase('a'), '', { id: 'a', verdict: 'both_ok', at: '2025-01-03T00:00:00Z' }, JSON.stringify(kase('b')) + '\r']);
    const content = await readSuiteFile(path);
    assert.deepEqual(content.cases.map((c) => c.id), ['a', 'b']);
    assert.deepEqual(content.verdicts, [{ id: 'a', verdict: 'both_ok', at: '2025-01-03T00:00:00Z' }]);
  });

  test('a case without a verdict key reads as verdict null', async () => {
    const { verdict: _v, ...rest } = kase('a');
    assert.equal((await readSuiteFile(file('s.jsonl', [rest]))).cases[0]!.verdict, null);
  });

  const bad: [string, unknown[], RegExp][] = [
    ['not JSON', [kase('a'), '{"id": "b", '], /^.+s\.jsonl:2: not valid JSON \(/],
    ['not an object', [kase('a'), kase('b'), '[1,2]'], /s\.jsonl:3: expected a JSON object \(a case or a verdict line\)$/],
    ['a case missing its expected answer', [{ ...kase('a'), expected: undefined }], /s\.jsonl:1: invalid case: expected: /],
    ['a bad method type', [{ ...kase('a'), request: { ...kase('a').request, method: 7 } }], /s\.jsonl:1: invalid case: request\.method: /],
    ['an unknown verdict', [kase('a'), { id: 'a', verdict: 'maybe', at: '2025-01-01T00:00:00Z' }], /s\.jsonl:2: invalid verdict line: verdict: /],
    ['a verdict line without a time', [{ id: 'a', verdict: 'both_ok', at: 'yesterday' }], /s\.jsonl:1: invalid verdict line: at: expected an ISO 8601 time/],
  ];
  for (const [what, lines, message] of bad) {
    test(`${what}: SG_SUITE_INVALID naming file and line`, async () => {
      const path = file('s.jsonl', lines);
      const msg = await failure(readSuiteFile(path));
      assert.match(msg, message);
      assert.ok(msg.startsWith(path), msg);
    });
  }

  test('an unreadable file names the file', async () => {
    assert.match(await failure(readSuiteFile('/nonexistent/x.jsonl')), /^\/nonexistent\/x\.jsonl: cannot read suite file \(ENOENT\)$/);
  });
});

describe('readSuites: which verdict counts', () => {
  test('the latest verdict line by time wins over the case\'s own, whatever the file order', async () => {
    const one = file('orders.1.jsonl', [kase('a', 'legacy_correct'), kase('b'), { id: 'b', verdict: 'both_wrong', at: '2025-01-05T00:00:00Z' }]);
    const live = file('orders.jsonl', [kase('c', 'agent_correct'), { id: 'a', verdict: 'both_ok', at: '2025-01-04T00:00:00Z' }, { id: 'b', verdict: 'agent_correct', at: '2025-01-03T00:00:00Z' }]);
    for (const order of [[one, live], [live, one]]) {
      const loaded = await readSuites(order);
      const byId = Object.fromEntries(loaded.map((l) => [l.case.id, l.verdict]));
      assert.deepEqual(byId, { a: 'both_ok', b: 'both_wrong', c: 'agent_correct' });
    }
  });

  test('equal times: the line read last wins', async () => {
    const path = file('s.jsonl', [kase('a'), { id: 'a', verdict: 'both_ok', at: '2025-01-04T00:00:00Z' }, { id: 'a', verdict: 'both_wrong', at: '2025-01-04T00:00:00Z' }]);
    assert.equal((await readSuites([path]))[0]!.verdict, 'both_wrong');
  });
});
