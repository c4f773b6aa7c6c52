// The dashboards and alert rules against a real Prometheus scraping a real shadowgate.
// Traffic covers every outcome the panels show (agreement, mismatches, agent 500s, a hung
// agent with backpressure drops, an open circuit, legacy 5xx, a throwing comparator, a
// served route with fallbacks, a review verdict, a demotion, a reset into probation, a kill
// flag); then every panel query and every alert
// expression is evaluated through the HTTP API; two overview panels are drawn from their range
// queries to test-output/dashboard-*.png (the README's screenshots: no Grafana here).
// Requires scripts/install-prometheus.sh and scripts/install-chromium.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { FakeUpstream } from '../fixtures/fake-upstream.js';
import { tempFlagFile } from '../fixtures/flag-files.js';
import { startTestShadowgate, eventually, type StartedShadowgate } from '../support/shadowgate.js';
import {
  dashboardQueries, grafanaToPromQL, prometheusBinary, startPrometheus, PrometheusQueryError, type PrometheusServer,
} from '../support/prometheus.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { renderPanelPng, type PanelSeries, type PanelUnit } from '../support/panel-render.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARDS = ['dashboards/shadowgate.json', 'dashboards/shadowgate-route.json'];
const ALERTS = join(ROOT, 'dashboards/alerts.yml');
const ALERT_TESTS = join(ROOT, 'dashboards/alerts.test.yml');
const OUTPUT = join(ROOT, 'test-output/agreement-panel.json');

/**
 * Metrics that shadowgate does not emit yet: a panel query that reads one of them may come
 * back empty. When the feature lands the query returns data and this test fails, asking for
 * the entry to be removed. (Empty: agent self-report and review verdicts are emitted now.)
 */
const EXPECT_EMPTY_UNTIL_FEATURE: readonly string[] = [];

/**
 * Per alert: `fires` — with this traffic the expression (threshold and traffic guard
 * included) returns a series for exactly these routes now (its `for:` is not waited out, so
 * the alert is pending); `runs` — it must evaluate without error, and why it cannot fire here.
 */
const ALERT_EXPECTATIONS: Record<string, { fires: string[] } | { runs: string }> = {
  ShadowgateAgreementLow: { fires: ['disagree'] },
  ShadowgateAgentErrorRateHigh: { fires: ['failing', 'hung'] },
  ShadowgateFallbackRateHigh: { fires: ['serve'] },
  ShadowgateGuardrailTripped: { fires: ['disagree'] },
  ShadowgateShadowDropsSustained: { fires: ['hung'] },
  ShadowgateLegacyErrorRateChanged: { runs: 'its baseline is the 24h before the last 30m: a test has no such history (promtool covers it)' },
  ShadowgateCircuitOpen: { fires: ['tripping'] },
};

const ITEM = { id: 7, name: 'widget', price: 10, currency: 'EUR', stock: 5, tags: ['a'] };
const OTHER = { id: 7, name: 'gadget', price: 12, currency: 'USD', stock: 0, tags: ['b'] }; // 5 fields differ
const MAX_IN_FLIGHT = 6;
const DISAGREE_SERVE = { name: 'disagree.serve', userIds: ['disagree-served'] };
// probation: served (to one user, so a trip demotes it), wrong until it is reset, then right.
const PROBATION_SERVE = { name: 'probation.serve', userIds: ['probation-served'] };
/** The flags file at wave n: the serve ramp at 2, the kill flag on for the plugin route at 3. */
const flagsAt = (n: number) => [
  { name: 'serve.serve', rollout: n >= 2 ? 100 : 50 }, DISAGREE_SERVE, PROBATION_SERVE,
  { name: 'plugin.kill', rollout: n >= 3 ? 100 : 0 },
];
const VERDICTS = ['agent_correct', 'legacy_correct', 'both_ok', 'both_wrong'];

interface Rig { legacy: FakeUpstream; agent: FakeUpstream; sg: StartedShadowgate; flags: ReturnType<typeof tempFlagFile>; dir: string; fixProbationAgent(): void }

async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'sg-prom-it-'));
  const plugin = join(dir, 'throwing-compare.mjs');
  writeFileSync(plugin, 'export default () => { throw new Error("comparator broke"); };\n');

  let legacyCalls = 0;
  const legacy = await new FakeUpstream().start();
  legacy.handler = (req, res) => {
    const body = JSON.stringify(ITEM);
    if (req.url!.startsWith('/flaky/') && ++legacyCalls % 3 === 0) { res.writeHead(500, { 'content-type': 'application/json' }); res.end('{"error":"legacy broke"}'); return; }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  let serveCalls = 0;
  let probationWrong = true;
  const agent = await new FakeUpstream().start();
  agent.handler = (req, res) => {
    const url = req.url!;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };
    if (url.startsWith('/hung/')) return; // never answers: the shadow holds its slot until agent.timeoutMs
    if (url.startsWith('/failing/') || url.startsWith('/tripping/')) return send(500, { error: 'agent broke' });
    if (url.startsWith('/disagree/')) return send(200, OTHER);
    if (url.startsWith('/probation/')) return send(200, probationWrong ? OTHER : ITEM);
    if (url.startsWith('/serve/')) {
      serveCalls++;
      if (serveCalls % 7 === 0) return send(503, { error: 'busy' }); // transient: retried once
      // Every other answer is unsure: the confidence gate sends it to legacy (a fallback).
      return send(200, { ...ITEM, tools: [{ name: 'catalog.lookup', outcome: 'ok' }, { name: 'pricing', outcome: serveCalls % 4 ? 'ok' : 'error' }] }, {
        'x-agent-confidence': serveCalls % 2 ? '0.95' : '0.3', 'x-agent-input-tokens': '120', 'x-agent-output-tokens': '40',
      });
    }
    return send(200, ITEM);
  };

  // disagree is served to one user (a quarter of its requests): a guardrail demotes only a route the agent serves.
  const flags = tempFlagFile(flagsAt(0));
  const sg = await startTestShadowgate({
    legacy: legacy.url,
    agent: agent.url,
    agentOptions: { maxInFlight: MAX_IN_FLIGHT, timeoutMs: 300 },
    flags: { file: flags.file },
    metrics: { maxFieldsPerRoute: 3 },
    samples: { max: 40 },
    routes: [
      { name: 'agree', match: { path: '/agree/*' } },
      { name: 'disagree', match: { path: '/disagree/*' }, guardrail: { minSamples: 10 } },
      { name: 'probation', match: { path: '/probation/*' }, guardrail: { minSamples: 10 } },
      // Failing agents that neither open their circuit nor trip their guardrail here: those
      // outcomes belong to 'tripping' and 'disagree', so each alert has one known cause.
      { name: 'failing', match: { path: '/failing/*' }, breaker: { consecutiveFailures: 100_000 }, guardrail: { minSamples: 100_000 } },
      { name: 'tripping', match: { path: '/tripping/*' }, breaker: { consecutiveFailures: 3, halfOpenAfterMs: 600_000 } },
      { name: 'hung', match: { path: '/hung/*' }, breaker: { consecutiveFailures: 100_000 }, guardrail: { minSamples: 100_000 } },
      { name: 'flaky', match: { path: '/flaky/*' } },
      { name: 'plugin', match: { path: '/plugin/*' }, compare: { plugin } },
      {
        name: 'serve', match: { path: '/serve/*' },
        serve: { fallback: 'parallel', timeoutMs: 1000, gates: { minConfidence: 0.8, confidence: { header: 'x-agent-confidence' } } },
        compare: { ignore: ['/tools'] },
        agentReport: { inputTokens: { header: 'x-agent-input-tokens' }, outputTokens: { header: 'x-agent-output-tokens' }, toolCalls: { pointer: '/tools' } },
      },
    ],
  });
  return { legacy, agent, sg, flags, dir, fixProbationAgent: () => { probationWrong = false; } };
}

async function get(sg: StartedShadowgate, path: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(sg.dataUrl + path, { headers });
  await res.arrayBuffer();
}

/**
 * One round of traffic on every route (`scale` 0: one request each, to create the series).
 * Requests go one at a time so shadows do not crowd each other out.
 */
async function wave(rig: Rig, n: number, scale = 1): Promise<void> {
  const { sg } = rig;
  const times = (k: number) => Math.max(1, k * scale);
  const settle = () => eventually(() => sg.dispatcher.inflight === 0, 'shadows settled', 5000);
  for (let i = 0; i < times(18); i++) {
    await get(sg, `/agree/${i}`);
    await get(sg, `/disagree/${i}`, i % 4 === 3 ? { 'x-user-id': 'disagree-served' } : {});
  }
  for (let i = 0; i < times(8); i++) {
    await get(sg, `/failing/${i}`);
    await get(sg, `/flaky/${i}`);
  }
  for (let i = 0; i < times(12); i++) await get(sg, `/serve/${i}`, { 'x-user-id': `user-${n}-${i}` });
  for (let i = 0; i < times(3); i++) {
    await get(sg, `/tripping/${i}`);
    await get(sg, `/plugin/${i}`);
  }
  // 12 wrong answers in wave 1 demote it (minSamples 10); after the reset 3 right ones a wave
  // keep it on probation (fewer than minSamples), and under the 50 comparisons of AgreementLow.
  for (let i = 0; i < (n === 1 ? 12 : 1 + Math.min(n, 1) * 2); i++) await get(sg, `/probation/${i}`);
  await settle();
  // Hung agent: MAX_IN_FLIGHT shadows take every slot, as many again are dropped
  // (backpressure); the slots come back after agent.timeoutMs.
  for (let round = 0; round < times(2); round++) {
    await Promise.all(Array.from({ length: 2 * MAX_IN_FLIGHT }, (_, i) => get(sg, `/hung/${i}`)));
    await settle();
  }
}

async function recordVerdict(sg: StartedShadowgate, verdict: string): Promise<void> {
  const list = await (await fetch(`${sg.adminUrl}/api/diffs?route=disagree&limit=1`)).json() as { diffs: { id: string }[] };
  assert.ok(list.diffs[0], 'a disagreement sample to judge');
  const res = await fetch(`${sg.adminUrl}/api/diffs/${list.diffs[0].id}/verdict`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict }),
  });
  assert.equal(res.status, 200, await res.text());
}

const metricNames = (expr: string) => expr.match(/shadowgate_[a-z_]+/g) ?? [];

interface GrafanaProperty { id: string; value: unknown }
interface TimeseriesPanel {
  title: string;
  fieldConfig: {
    defaults: { unit: PanelUnit; min?: number; max?: number; custom?: { fillOpacity?: number; stacking?: { mode: string } } };
    overrides: { matcher: { id: string; options: string }; properties: GrafanaProperty[] }[];
  };
  targets: { refId: string; expr: string; legendFormat?: string }[];
}

/**
 * A time-series panel of the overview as Grafana would draw it over [start, end]: every
 * target through query_range (step 1 s, $__rate_interval = 4 x the scrape interval, $route =
 * all), legends from legendFormat, stacking and dashes from the panel's field config.
 */
async function panelRange(p: PrometheusServer, title: string, start: number, end: number) {
  const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARDS[0]!), 'utf8')) as { panels: TimeseriesPanel[] };
  const panel = dashboard.panels.find((x) => x.title === title);
  assert.ok(panel, `the overview has a "${title}" panel`);
  const { defaults, overrides } = panel.fieldConfig;
  const series: PanelSeries[] = [];
  for (const target of panel.targets) {
    const props = overrides.filter((o) => o.matcher.id === 'byFrameRefID' && o.matcher.options === target.refId).flatMap((o) => o.properties);
    const prop = (id: string) => props.find((x) => x.id === id)?.value;
    const stacking = (prop('custom.stacking') ?? defaults.custom?.stacking) as { mode: string } | undefined;
    const result = await p.queryRange(grafanaToPromQL(target.expr, { __rate_interval: '4s' }), start, end, 1);
    for (const s of result.sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)))) {
      // 0/0 (e.g. agreement of a route whose agent only failed) is NaN all along: Grafana draws nothing.
      if (s.values.every(([, v]) => Number.isNaN(Number(v)))) continue;
      series.push({
        name: (target.legendFormat ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => s.metric[label] ?? '') || JSON.stringify(s.metric),
        points: s.values.map(([ts, v]) => [ts, Number(v)]),
        stack: stacking?.mode === 'normal',
        dashed: (prop('custom.lineStyle') as { fill?: string } | undefined)?.fill === 'dash',
      });
    }
  }
  return { title: panel.title, unit: defaults.unit, yMin: defaults.min, yMax: defaults.max, fillOpacity: defaults.custom?.fillOpacity, series };
}

test('every dashboard query and alert expression runs against a real Prometheus scraping shadowgate', async (t) => {
  const promtool = prometheusBinary('promtool'); // fails first, with the install hint, if missing
  const t0 = Date.now();
  const rig = await startRig();
  let prom: PrometheusServer | null = null;
  t.after(async () => {
    await prom?.stop();
    await rig.sg.close();
    await rig.legacy.stop();
    await rig.agent.stop();
    rmSync(rig.dir, { recursive: true, force: true });
    rmSync(dirname(rig.flags.file), { recursive: true, force: true });
  });

  // Series exist before the first scrape, so every later increment shows in rate() — but
  // only one request each: the disagree route must trip its guardrail while being scraped.
  await wave(rig, 0, 0);
  const adminHost = new URL(rig.sg.adminUrl).host;
  prom = await startPrometheus({ targets: [adminHost], ruleFiles: [ALERTS] });
  const trafficStart = Date.now() / 1000;

  await recordVerdict(rig.sg, 'agent_correct');
  for (let n = 1; n <= 4; n++) {
    if (n === 2) {
      // Ramp the serve flag: the rollout gauge (and its annotation) must move.
      rig.flags.write(flagsAt(n));
      await eventually(() => rig.sg.flags!.state('serve.serve').rolloutPercent === 100, 'serve flag at 100 %', 5000);
      // The probation route was demoted in wave 1; the agent is fixed and an operator resets it.
      await eventually(() => rig.sg.routes.find((r) => r.name === 'probation')!.control.mode() === 'demoted', 'probation route demoted', 5000);
      rig.fixProbationAgent();
      const reset = await fetch(`${rig.sg.adminUrl}/api/routes/probation/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"who":"test","why":"agent fixed"}' });
      assert.equal(reset.status, 200, await reset.text());
    }
    if (n === 3) {
      // The kill flag on for everyone: killed, but not by the guardrail and not on this pod alone.
      rig.flags.write(flagsAt(n));
      await eventually(() => rig.sg.flags!.state('plugin.kill').rolloutPercent === 100, 'plugin kill flag at 100 %', 5000);
    }
    await wave(rig, n);
    await recordVerdict(rig.sg, VERDICTS[n % VERDICTS.length]!);
    await new Promise((r) => setTimeout(r, 300)); // let a scrape fall between waves
  }
  await prom.waitForScrapes(2);
  const trafficEnd = Date.now() / 1000;
  const p = prom;

  await t.test('panel queries: valid PromQL, and data unless the metric is not emitted yet', async () => {
    const problems: string[] = [];
    const emptyAllowedButFull = new Set<string>();
    for (const file of DASHBOARDS) {
      const dashboard = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as unknown;
      const queries = dashboardQueries(dashboard);
      assert.ok(queries.length > 5, `${file}: no queries found`);
      for (const q of queries) {
        const where = `${file} › ${q.panel} › ${q.refId}`;
        let result;
        try {
          result = await p.query(grafanaToPromQL(q.expr));
        } catch (err) {
          problems.push(`${where}: ${err instanceof PrometheusQueryError ? err.message : String(err)}`);
          continue;
        }
        const pending = metricNames(q.expr).filter((m) => EXPECT_EMPTY_UNTIL_FEATURE.some((e) => m.startsWith(e)));
        // Only NaN (0/0, a quantile of nothing) draws nothing either.
        const hasData = result.some((s) => Number.isFinite(Number(s.value[1])));
        if (!hasData && pending.length === 0) problems.push(`${where}: no data\n  ${grafanaToPromQL(q.expr).replace(/\n/g, '\n  ')}`);
        if (hasData) pending.forEach((m) => emptyAllowedButFull.add(m));
      }
    }
    for (const m of emptyAllowedButFull) problems.push(`${m} has data now: remove it from EXPECT_EMPTY_UNTIL_FEATURE`);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  await t.test('agreement panel: 1 for agreeing routes, 0 (not missing) for a route that never agrees', async () => {
    const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARDS[0]!), 'utf8')) as unknown;
    const panel = dashboardQueries(dashboard).find((q) => q.panel === 'Agreement ratio per route');
    assert.ok(panel, 'the overview has an "Agreement ratio per route" panel');
    const byRoute = Object.fromEntries((await p.query(grafanaToPromQL(panel.expr))).map((s) => [s.metric.route, Number(s.value[1])]));
    assert.equal(byRoute.agree, 1);
    assert.equal(byRoute.disagree, 0);
    assert.equal(byRoute.serve, 1);

    // What the panel would draw, for rendering later (no Grafana here).
    const end = Date.now() / 1000;
    const expr = grafanaToPromQL(panel.expr, { __rate_interval: '4s' });
    const series = await p.queryRange(expr, Math.floor(trafficStart) - 2, Math.ceil(end), 1);
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    writeFileSync(OUTPUT, JSON.stringify({
      dashboard: DASHBOARDS[0], panel: panel.panel, grafanaExpr: panel.expr, expr, step: '1s', unit: 'percentunit',
      note: '$__rate_interval = 4s (4 x the 1 s scrape interval, as Grafana computes it); $route = .*; null = NaN (no decided comparison in the window: a gap)',
      series: series.map((s) => ({ route: s.metric.route, values: s.values.map(([ts, v]) => [ts, Number(v)]) })),
    }, null, 2) + '\n');
    assert.ok(series.length >= 3);
  });

  await t.test('route state panels tell the mode, a kill, a demotion and a probation apart', async () => {
    const overview = JSON.parse(readFileSync(join(ROOT, DASHBOARDS[0]!), 'utf8')) as unknown;
    const byRoute = async (panel: string, refId = 'A') => {
      const q = dashboardQueries(overview).find((x) => x.panel === panel && x.refId === refId);
      assert.ok(q, `the overview has a "${panel}" panel`);
      return Object.fromEntries((await p.query(grafanaToPromQL(q.expr))).map((s) => [s.metric.route, Number(s.value[1])]));
    };
    const mode = await byRoute('Route mode per route');
    // 1 shadow … 6 killed, as the panel's value mapping reads them.
    assert.deepEqual([mode.agree, mode.serve, mode.probation, mode.disagree, mode.plugin], [1, 3, 4, 5, 6], JSON.stringify(mode));
    const killed = await byRoute('Killed per route');
    const demoted = await byRoute('Demoted per route');
    assert.deepEqual([killed.plugin, killed.disagree, killed.probation], [1, 0, 0], 'killed by its flag, not demoted');
    assert.deepEqual([demoted.disagree, demoted.plugin, demoted.probation], [1, 0, 0], 'demoted by the guardrail, not killed; probation is neither');
    const guardrail = await byRoute('Guardrail agreement per route');
    assert.equal(guardrail.disagree, 0);
    assert.equal(guardrail.agree, 1);
    assert.equal(guardrail.probation, 1, 'the window refilled with matches after the reset');
    const status = await p.query(grafanaToPromQL(dashboardQueries(overview).find((x) => x.panel === 'Route status (now)' && x.refId === 'A')!.expr));
    assert.deepEqual(Object.fromEntries(status.map((s) => [s.metric.route, s.metric.mode])).probation, 'probation');
    const accuracy = await byRoute('Adjudicated accuracy per route');
    assert.ok(accuracy.disagree! >= 0 && accuracy.disagree! <= 1, 'accuracy exported after the verdicts');
  });

  await t.test('alert expressions: each runs; those this traffic should trip return exactly their routes', async () => {
    const doc = parseYaml(readFileSync(ALERTS, 'utf8')) as { groups: { rules: { alert?: string; expr: string }[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    assert.deepEqual(rules.map((r) => r.alert).sort(), Object.keys(ALERT_EXPECTATIONS).sort(), 'ALERT_EXPECTATIONS lists every alert');
    for (const rule of rules) {
      const result = await p.query(rule.expr); // throws PrometheusQueryError on invalid PromQL
      const expectation = ALERT_EXPECTATIONS[rule.alert!]!;
      if ('fires' in expectation) {
        assert.deepEqual(result.map((s) => s.metric.route).sort(), [...expectation.fires].sort(), `${rule.alert} matched routes`);
        for (const s of result) assert.equal(s.metric.job, p.jobName, `${rule.alert} keeps the job label`);
      }
    }
  });

  await t.test('the rule manager loaded and evaluated every rule without error; tripped alerts are pending', async () => {
    const expected = Object.entries(ALERT_EXPECTATIONS).flatMap(([name, e]) => ('fires' in e ? e.fires.map((route) => `${name}/${route}`) : []));
    await eventually(async () => {
      const { alerts } = await p.api<{ alerts: { labels: Record<string, string>; state: string }[] }>('alerts');
      const active = new Set(alerts.map((a) => `${a.labels.alertname}/${a.labels.route}`));
      return expected.every((k) => active.has(k));
    }, 'every expected alert pending', 5000);
    const { groups } = await p.api<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>('rules');
    const rules = groups.flatMap((g) => g.rules);
    assert.equal(rules.length, Object.keys(ALERT_EXPECTATIONS).length);
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
  });

  await t.test('promtool: rules check and rule unit tests pass', async () => {
    const promtoolRun = async (args: string[]) => {
      try {
        return (await run(promtool, args, { cwd: ROOT })).stdout;
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    };
    assert.match(await promtoolRun(['check', 'rules', ALERTS]), new RegExp(`SUCCESS: ${Object.keys(ALERT_EXPECTATIONS).length} rules found`));
    assert.match(await promtoolRun(['test', 'rules', ALERT_TESTS]), /SUCCESS/);
  });

  await t.test('dashboard panels render to PNG from the range queries (README screenshots)', async (st) => {
    const browser: TestBrowser = await launchBrowser();
    st.after(() => browser.close());
    const [start, end] = [Math.floor(trafficStart) - 2, Math.ceil(trafficEnd)];
    const note = `${DASHBOARDS[0]} · real Prometheus, integration test traffic · step 1s`;
    const panels = [
      {
        file: 'test-output/dashboard-agreement.png', title: 'Agreement ratio per route',
        thresholds: [{ value: 0.9, color: '#E0752D', label: 'ShadowgateAgreementLow threshold: 90 % (over 10m)' }],
      },
      { file: 'test-output/dashboard-comparisons.png', title: 'Comparisons by result' },
    ];
    for (const { file, title, ...extra } of panels) {
      const panel = await panelRange(p, title, start, end);
      const rendered = await renderPanelPng({ context: browser.context, file: join(ROOT, file), note, ...panel, ...extra });
      assert.ok(rendered.series.length >= 2, `${file}: series drawn: ${JSON.stringify(rendered.series)}`);
      for (const s of rendered.series) assert.ok(s.points >= 2, `${file}: "${s.name}" has ${s.points} points to draw`);
      const bytes = statSync(join(ROOT, file)).size;
      assert.ok(bytes > 5 * 1024, `${file}: ${bytes} bytes, a blank or broken render?`);
      st.diagnostic(`${file}: ${bytes} bytes, ${rendered.series.map((s) => `${s.name} (${s.points} points)`).join(', ')}`);
    }
  });

  t.diagnostic(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
