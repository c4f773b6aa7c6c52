// `shadowgate replay` on the golden suite recorded from the demo (test/fixtures/suites), against
// real candidate agents on 127.0.0.1:0.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/replay.js';
import { withoutTimings, type ReplayReport } from '../../src/replay/report.js';
import { createAgentService, legacyAnswer, listen } from '../../src/demo/services.js';
import { FakeUpstream } from '../fixtures/fake-upstream.js';

const SUITES = fileURLToPath(new URL('../fixtures/suites/', import.meta.url));
const QUOTE = join(SUITES, 'quote.jsonl');
const ORDERS = join(SUITES, 'orders.jsonl');
const CONFIG = join(SUITES, 'demo-replay.yaml');
const CASES = readFileSync(QUOTE, 'utf8').split('\n').filter((l) => l.includes('"request"')).length
  + readFileSync(ORDERS, 'utf8').split('\n').filter((l) => l.includes('"request"')).length;

class Sink { text = ''; isTTY = false; write(t: string) { this.text += t; return true; } }

async function replay(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await run(args, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'sg-replay-'));
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ReplayReport;

const servers: http.Server[] = [];
let perfect = '';
let wrong = '';
let failing = '';
before(async () => {
  const start = async (s: http.Server) => { servers.push(s); return listen(s); };
  perfect = await start(createAgentService({ differ: 0, slow: 0, fail: 0, slowMs: 0 }));
  wrong = await start(createAgentService({ differ: 1, slow: 0, fail: 0, slowMs: 0 }));
  failing = await start(createAgentService({ differ: 0, slow: 0, fail: 1, slowMs: 0 }));
});
after(async () => { await Promise.all(servers.map((s) => new Promise((r) => s.close(r)))); });

describe('replay of the demo golden suite', () => {
  test(`a deterministic agent: exit 0, and two replays give identical reports apart from timings (${CASES} cases)`, async () => {
    const dir = tmp();
    const first = await replay([QUOTE, ORDERS, '--agent', perfect, '--config', CONFIG, '--report', join(dir, 'a.json')]);
    const second = await replay([ORDERS, QUOTE, '--agent', perfect, '--config', CONFIG, '--concurrency', '1', '--report', join(dir, 'b.json')]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const a = readReport(join(dir, 'a.json'));
    const b = readReport(join(dir, 'b.json'));
    assert.deepEqual(Object.keys(a), ['total', 'match', 'mismatch', 'agent_error', 'skipped', 'excluded', 'agreement', 'durationMs', 'p50Ms', 'p99Ms', 'startedAt', 'finishedAt', 'routes', 'cases']);
    assert.deepEqual(Object.keys(a.routes), ['orders', 'quote']);
    assert.deepEqual(Object.keys(a.routes.quote!), ['total', 'match', 'mismatch', 'agent_error', 'skipped', 'excluded', 'agreement', 'durationMs', 'p50Ms', 'p99Ms', 'startedAt', 'finishedAt']);
    assert.deepEqual(Object.keys(a.cases[0]!), ['id', 'route', 'result', 'differences']);
    assert.equal(a.total, CASES);
    assert.equal(a.excluded, 2, 'legacy_correct and both_wrong');
    assert.equal(a.match, CASES - 2);
    assert.equal(a.agreement, 1);
    assert.equal(a.total, a.match + a.mismatch + a.agent_error + a.skipped + a.excluded);
    const byId = Object.fromEntries(a.cases.map((c) => [c.id, c.result]));
    assert.equal(byId['demo-quote-000'], 'excluded');
    assert.equal(byId['demo-orders-001'], 'match', 'agent_correct: compared with the recorded agent answer');
    // Same files in another order and one call at a time: the same report, cases in file order.
    const sameOrder = (r: ReplayReport) => ({ ...withoutTimings(r), cases: [...r.cases].sort((x, y) => x.id.localeCompare(y.id)) });
    assert.deepEqual(sameOrder(a), sameOrder(b));
    const again = await replay([QUOTE, ORDERS, '--agent', perfect, '--config', CONFIG, '--report', join(dir, 'c.json')]);
    assert.equal(again.code, 0);
    assert.deepEqual(withoutTimings(readReport(join(dir, 'c.json'))), withoutTimings(a), 'identical apart from timings');
    assert.ok(typeof a.p50Ms === 'number' && typeof a.durationMs === 'number' && !Number.isNaN(Date.parse(a.startedAt!)));
  });

  test('the table per route, and a plain progress line per 10 % when stderr is not a terminal', async () => {
    const r = await replay([QUOTE, ORDERS, '--agent', perfect, '--config', CONFIG]);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^route\s+cases\s+match\s+mismatch\s+agent_error\s+agreement\s+p50 ms\s+p99 ms$/);
    assert.match(lines[1]!, /^orders\s+20\s+20\s+0\s+0\s+1\.0000\s+\d+\.\d\s+\d+\.\d$/);
    assert.match(lines[2]!, /^quote\s+20\s+18\s+0\s+0\s+1\.0000\s/);
    assert.match(lines[3]!, /^all\s+40\s+38\s+0\s+0\s+1\.0000\s/);
    assert.equal(lines[4], 'excluded 2 (verdict legacy_correct or both_wrong), skipped 0');
    assert.equal(lines[5], 'agreement 1.0000 >= 1 (--min-agreement): pass');
    const progress = r.stderr.split('\n').filter(Boolean);
    assert.deepEqual(progress, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((p) => `replay: ${p} % (${(p * 40) / 100}/40 cases)`));
  });

  test('without --config the built-in rules see every requestId differ: exit 1, differences named', async () => {
    const dir = tmp();
    const r = await replay([ORDERS, '--agent', perfect, '--report', join(dir, 'r.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /agreement 0\.0000 < 1 \(--min-agreement\): fail/);
    const report = readReport(join(dir, 'r.json'));
    const mismatch = report.cases.find((c) => c.result === 'mismatch')!;
    assert.ok(mismatch.differences.includes('/meta/requestId'), JSON.stringify(mismatch));
  });

  test('a wrong agent is below --min-agreement (exit 1); a low enough threshold passes (exit 0)', async () => {
    const r = await replay([QUOTE, ORDERS, '--agent', wrong, '--config', CONFIG, '--min-agreement', '0.95']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /agreement 0\.\d{4} < 0\.95 \(--min-agreement\): fail/);
    assert.equal((await replay([QUOTE, '--agent', wrong, '--config', CONFIG, '--min-agreement', '0'])).code, 0);
  });

  test('a failing or unreachable agent counts as agent_error', async () => {
    const dir = tmp();
    const r = await replay([QUOTE, '--agent', failing, '--config', CONFIG, '--report', join(dir, 'f.json')]);
    assert.equal(r.code, 1);
    assert.equal(readReport(join(dir, 'f.json')).agent_error, 18, 'the 20 quote cases but the 2 excluded');
    const closed = await replay([QUOTE, '--agent', 'http://127.0.0.1:9', '--config', CONFIG, '--timeout-ms', '2000', '--report', join(dir, 'c.json')]);
    assert.equal(closed.code, 1);
    assert.equal(readReport(join(dir, 'c.json')).agent_error, 18);
  });

  test('--route replays one route; the others count as skipped', async () => {
    const dir = tmp();
    const r = await replay([QUOTE, ORDERS, '--agent', perfect, '--config', CONFIG, '--route', 'orders', '--report', join(dir, 'r.json')]);
    assert.equal(r.code, 0);
    const report = readReport(join(dir, 'r.json'));
    assert.equal(report.skipped, 20);
    assert.equal(report.routes.quote!.skipped, 20);
    assert.equal(report.routes.orders!.match, 20);
  });

  test('every request carries x-shadowgate-replay: 1, with the recorded method, path, query and body', async () => {
    const fake = await new FakeUpstream().start();
    fake.handler = (req, res, body) => {
      const answer = legacyAnswer(req.url ?? '/', body.toString());
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    };
    try {
      const r = await replay([QUOTE, ORDERS, '--agent', `${fake.url}/`, '--config', CONFIG]);
      assert.equal(r.code, 0, r.stdout);
      assert.equal(fake.seen.length, CASES - 2, 'excluded cases are not sent');
      assert.ok(fake.seen.every((s) => s.headers['x-shadowgate-replay'] === '1'));
      assert.ok(fake.seen.every((s) => s.headers.authorization === undefined), 'redacted headers were never recorded');
      const order = fake.seen.find((s) => s.url.startsWith('/api/orders/'))!;
      assert.match(order.url, /^\/api\/orders\/\d+\?expand=items$/);
      const quote = fake.seen.find((s) => s.method === 'POST')!;
      assert.match(quote.body.toString(), /"customer":"\[redacted:email\]"/);
    } finally {
      await fake.stop();
    }
  });

  test('the HTML report is one self-contained file', async () => {
    const dir = tmp();
    const r = await replay([QUOTE, '--agent', wrong, '--config', CONFIG, '--report', join(dir, 'r.html')]);
    assert.equal(r.code, 1);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<table>/);
    assert.match(html, /agreement 0\.\d{4} &lt; 1|agreement 0\.\d{4} < 1/);
    assert.ok(!/<script|<link|src=|href=|url\(/i.test(html), 'no script and no external resource');
  });
});

describe('exit 2: usage and input errors', () => {
  test('a malformed line is named by file and line number', async () => {
    const dir = tmp();
    const broken = join(dir, 'broken.jsonl');
    copyFileSync(QUOTE, broken);
    appendFileSync(broken, '{"id": "x", "route": \n');
    const lines = readFileSync(broken, 'utf8').split('\n').length - 1;
    const r = await replay([broken, '--agent', perfect]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lines}: not valid JSON \\(`));
    assert.equal(r.stdout, '');
  });

  const cases: [string, string[], RegExp][] = [
    ['no suite', ['--agent', 'http://127.0.0.1:1'], /replay needs at least one SUITE\.jsonl/],
    ['no --agent', [QUOTE], /replay needs --agent URL/],
    ['an unreadable file', ['/nonexistent/s.jsonl', '--agent', 'http://127.0.0.1:1'], /\/nonexistent\/s\.jsonl: cannot read suite file \(ENOENT\)/],
    ['a bad --min-agreement', [QUOTE, '--agent', 'http://127.0.0.1:1', '--min-agreement', '1.5'], /--min-agreement: expected a number from 0 to 1/],
    ['a bad --report name', [QUOTE, '--agent', 'http://127.0.0.1:1', '--report', 'out.txt'], /--report: expected a file ending in \.json or \.html/],
    ['an unknown option', [QUOTE, '--agent', 'http://127.0.0.1:1', '--frobnicate'], /shadowgate replay: unknown option --frobnicate\nusage: shadowgate replay SUITE\.jsonl/],
    ['an invalid config', [QUOTE, '--agent', 'http://127.0.0.1:1', '--config', QUOTE], /configuration problem|not valid YAML/],
    ['a --route with no case', [QUOTE, '--agent', 'http://127.0.0.1:1', '--route', 'nope'], /--route nope: no case of that route in the suites \(routes: quote\)/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await replay(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  test('--help: exit 0 with the usage on stdout', async () => {
    const r = await replay(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: shadowgate replay SUITE\.jsonl/);
  });
});
