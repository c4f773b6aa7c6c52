import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport, formatTable, percentile, withoutTimings, type CaseOutcome } from '../../../src/replay/report.js';
import { Progress } from '../../../src/replay/progress.js';
import { escapeHtml, renderHtml } from '../../../src/replay/html.js';

const outcome = (id: string, route: string, result: CaseOutcome['result'], durationMs: number | null = null, differences: string[] = []): CaseOutcome =>
  ({ id, route, result, differences, durationMs, startedAt: durationMs === null ? null : 1_700_000_000_000, finishedAt: durationMs === null ? null : 1_700_000_000_000 + durationMs });

describe('buildReport', () => {
  const outcomes = [
    outcome('1', 'quote', 'match', 10), outcome('2', 'quote', 'mismatch', 30, ['/price']), outcome('3', 'orders', 'agent_error', 20),
    outcome('4', 'orders', 'excluded'), outcome('5', 'orders', 'skipped'), outcome('6', 'orders', 'match', 40),
  ];
  const report = buildReport(outcomes, { startedAt: 1_700_000_000_000, finishedAt: 1_700_000_000_050 });

  test('agreement = match / (match + mismatch + agent_error); total = every case', () => {
    assert.equal(report.total, 6);
    assert.equal(report.agreement, 2 / 4);
    assert.equal(report.routes.quote!.agreement, 0.5);
    assert.equal(report.routes.orders!.agreement, 0.5);
    assert.deepEqual([report.match, report.mismatch, report.agent_error, report.skipped, report.excluded], [2, 1, 1, 1, 1]);
  });

  test('timings: overall from the replay window, per route from its calls; percentiles by nearest rank', () => {
    assert.equal(report.durationMs, 50);
    assert.equal(report.startedAt, new Date(1_700_000_000_000).toISOString());
    assert.equal(report.p50Ms, 20);
    assert.equal(report.p99Ms, 40);
    assert.equal(report.routes.quote!.durationMs, 30);
    assert.deepEqual([percentile([], 0.5), percentile([5], 0.99), percentile([1, 2, 3, 4], 0.5), percentile([1, 2, 3, 4], 0.75)], [null, 5, 2, 3]);
  });

  test('routes sorted by name, cases in input order without timings', () => {
    assert.deepEqual(Object.keys(report.routes), ['orders', 'quote']);
    assert.deepEqual(report.cases.map((c) => c.id), ['1', '2', '3', '4', '5', '6']);
    assert.deepEqual(report.cases[1], { id: '2', route: 'quote', result: 'mismatch', differences: ['/price'] });
    const stripped = withoutTimings(report);
    assert.equal(stripped.p50Ms, null);
    assert.equal(stripped.routes.quote!.startedAt, null);
  });

  test('nothing judged: agreement null', () => {
    assert.equal(buildReport([outcome('1', 'q', 'excluded')], { startedAt: 0, finishedAt: 0 }).agreement, null);
  });

  test('the table', () => {
    assert.equal(formatTable(report), [
      'route   cases  match  mismatch  agent_error  agreement  p50 ms  p99 ms',
      'orders      4      1         0            1     0.5000    20.0    40.0',
      'quote       2      1         1            0     0.5000    10.0    30.0',
      'all         6      2         1            1     0.5000    20.0    40.0',
      'excluded 1 (verdict legacy_correct or both_wrong), skipped 1',
      '',
    ].join('\n'));
  });

  test('HTML escapes what it shows', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderHtml(buildReport([outcome('<b>', 'q', 'mismatch', 1, ['/x<y'])], { startedAt: 0, finishedAt: 1 }), { minAgreement: 1 });
    assert.ok(html.includes('&lt;b&gt;') && html.includes('/x&lt;y') && !html.includes('<b>'));
  });
});

describe('Progress', () => {
  const sink = (isTTY: boolean) => ({ text: '', isTTY, write(t: string) { this.text += t; } });
  test('not a terminal: one line per 10 %, each once, also when cases are fewer than 10', () => {
    const out = sink(false);
    const p = new Progress(4, out);
    for (let i = 0; i < 4; i++) p.tick();
    assert.equal(out.text, 'replay: 20 % (1/4 cases)\nreplay: 50 % (2/4 cases)\nreplay: 70 % (3/4 cases)\nreplay: 100 % (4/4 cases)\n');
  });
  test('a terminal: a bar redrawn in place, a newline at the end', () => {
    const out = sink(true);
    const p = new Progress(2, out, 4);
    p.tick(); p.tick();
    assert.equal(out.text, '\r[##..] 50 % 1/2\r[####] 100 % 2/2\n');
  });
});
