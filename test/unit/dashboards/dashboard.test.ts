// Structure of the shipped Grafana dashboards and Prometheus alert rules, checked without a
// Grafana or a Prometheus: schema basics, the datasource, job, instance and route variables,
// names that exist in src/metrics/definitions.ts, PromQL shapes that are known traps, states
// shown as words, threshold lines equal to the alert rules' thresholds, colours that mean what
// they show, and stats that neither sum routes blindly nor average a fresh regression away.
// (Every query is also run against a real Prometheus in test/integration/prometheus.test.ts;
// the JSON is type-checked against @grafana/schema in grafana-schema.test.ts.)
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../../../src/metrics/definitions.js';
import { ROUTE_MODES } from '../../../src/serve/route-control.js';
import { dashboardQueries } from '../../support/prometheus.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(ROOT + path, 'utf8');

interface Threshold { color: string; value: number | null }
interface Panel {
  id: number; type: string; title: string; gridPos: { h: number; w: number; x: number; y: number };
  datasource?: unknown; targets?: { refId: string; expr: string; datasource?: unknown; instant?: boolean; format?: string }[]; panels?: Panel[];
  fieldConfig?: {
    defaults?: {
      mappings?: { type: string; options: Record<string, { text: string; color?: string }> }[];
      thresholds?: { mode: string; steps: Threshold[] };
      custom?: { thresholdsStyle?: { mode: string } };
    };
    overrides?: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
}
interface Variable { type: string; name: string; query?: unknown; definition?: string; datasource?: unknown; multi?: boolean; includeAll?: boolean }
interface Dashboard {
  uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: Variable[] };
  annotations?: { list: { datasource?: unknown; expr?: string }[] }; time: { from: string; to: string };
}
interface AlertRule { alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

const DS = { type: 'prometheus', uid: '${datasource}' };
const PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'table', 'state-timeline']);

// The catalogue, from the module itself: names, label names, and which metrics have `route`.
// (prom-client keeps name and labelNames on its metric objects without declaring them.)
const metrics = (Object.values(createMetrics(new Registry(), { defaultMetrics: false })) as unknown[])
  .filter((m): m is { name: string; labelNames: readonly string[] } => typeof m === 'object' && m !== null && 'labelNames' in m && 'name' in m);
const DEFINED = new Set(metrics.map((m) => m.name));
const WITH_ROUTE = new Set(metrics.filter((m) => m.labelNames.includes('route')).map((m) => m.name));
const LABELS = new Set(metrics.flatMap((m) => [...m.labelNames]));
const baseName = (name: string) => (DEFINED.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));

// snake_case words PromQL and Grafana bring that are not metric or label names.
const FUNCTIONS = new Set([
  'histogram_quantile', 'label_values', 'label_replace', 'label_join', 'count_values', 'group_left', 'group_right',
  'max_over_time', 'min_over_time', 'avg_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'quantile_over_time',
  'absent_over_time', 'present_over_time', 'stddev_over_time', 'holt_winters', 'predict_linear', 'day_of_week', 'hour',
]);

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

/** Every string value under a key named `key`, anywhere in a JSON document. */
function valuesOf(node: unknown, key: string, out: unknown[] = []): unknown[] {
  if (Array.isArray(node)) node.forEach((n) => valuesOf(n, key, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key) out.push(v);
      valuesOf(v, key, out);
    }
  }
  return out;
}

/** Metric and label words in an expression, after removing strings and Grafana variables. */
function words(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\$\{?\w+(?::\w+)?\}?/g, '');
  return bare.match(/\b[a-z][a-z0-9]*_[a-z0-9_]+\b/g) ?? [];
}

/** PromQL shapes that parse fine and are still wrong. */
function promqlTraps(expr: string): string[] {
  const problems: string[] = [];
  for (const [, fn, name] of expr.matchAll(/\b(rate|irate|increase)\(\s*([a-z_:][a-z0-9_:]*)/g)) {
    if (!/_(total|count|sum|bucket)$/.test(name!)) problems.push(`${fn}() over ${name}, which is not a counter`);
  }
  for (const m of expr.matchAll(/histogram_quantile\(\s*[0-9.]+\s*,\s*sum\s+by\s*\(([^)]*)\)\s*\(\s*rate\(\s*([a-z_]+)/g)) {
    if (!m[1]!.split(',').map((s) => s.trim()).includes('le')) problems.push(`histogram_quantile without "le" in its sum by (${m[1]})`);
    if (!m[2]!.endsWith('_bucket')) problems.push(`histogram_quantile over ${m[2]}, not a _bucket series`);
  }
  if (/histogram_quantile/.test(expr) && !/_bucket\b/.test(expr)) problems.push('histogram_quantile without a _bucket series');
  return problems;
}

function checkNames(where: string, expr: string, problems: string[]): void {
  for (const m of expr.match(/shadowgate_[a-z_]+/g) ?? []) {
    if (!DEFINED.has(baseName(m))) problems.push(`${where}: ${m} is not defined in src/metrics/definitions.ts`);
  }
  for (const w of words(expr)) {
    if (w.startsWith('shadowgate_') || w.startsWith('process_') || FUNCTIONS.has(w) || LABELS.has(w)) continue;
    problems.push(`${where}: "${w}" is neither a shadowgate metric, a process_* metric, a defined label nor a known function`);
  }
  for (const trap of promqlTraps(expr)) problems.push(`${where}: ${trap}`);
}

for (const file of ['dashboards/shadowgate.json', 'dashboards/shadowgate-route.json']) {
  const dashboard = JSON.parse(read(file)) as Dashboard;
  const panels = allPanels(dashboard.panels);
  const dataPanels = panels.filter((p) => p.type !== 'row');

  describe(file, () => {
    it('uses the current schema and only known panel types', () => {
      assert.ok(dashboard.schemaVersion >= 39, `schemaVersion ${dashboard.schemaVersion}`);
      assert.match(dashboard.uid, /^[a-z0-9-]{1,40}$/);
      for (const p of panels) assert.ok(PANEL_TYPES.has(p.type), `${p.title}: panel type ${p.type}`);
      assert.ok(dataPanels.length >= 5);
    });

    it('has unique panel ids, and unique refIds within each panel', () => {
      const ids = panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(',')}`);
      for (const p of dataPanels) {
        const refs = (p.targets ?? []).map((t) => t.refId);
        assert.ok(refs.length > 0, `${p.title}: no targets`);
        assert.equal(new Set(refs).size, refs.length, `${p.title}: duplicate refIds`);
      }
    });

    it('lays panels out on the 24-column grid without overlaps', () => {
      for (const p of panels) {
        const g = p.gridPos;
        assert.ok(g && g.w > 0 && g.h > 0 && g.x >= 0 && g.y >= 0 && g.x + g.w <= 24, `${p.title}: gridPos ${JSON.stringify(g)}`);
      }
      for (const [i, a] of panels.entries()) {
        for (const b of panels.slice(i + 1)) {
          const overlap = a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w
            && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
          assert.ok(!overlap, `"${a.title}" overlaps "${b.title}"`);
        }
      }
    });

    it('takes its Prometheus from the ${datasource} variable, never from a hard-coded uid', () => {
      const ds = dashboard.templating.list.find((v) => v.name === 'datasource');
      assert.ok(ds, 'a "datasource" template variable');
      assert.equal(ds.type, 'datasource');
      assert.equal(ds.query, 'prometheus');
      for (const p of dataPanels) {
        assert.deepEqual(p.datasource, DS, `${p.title}: panel datasource`);
        for (const t of p.targets ?? []) assert.deepEqual(t.datasource, DS, `${p.title} ${t.refId}: target datasource`);
      }
      for (const a of dashboard.annotations?.list ?? []) assert.deepEqual(a.datasource, DS, 'annotation datasource');
      // Anywhere in the document: a datasource is the variable, whatever shape it takes.
      for (const v of valuesOf(dashboard, 'datasource')) {
        if (typeof v === 'string') assert.equal(v, '${datasource}');
        else assert.deepEqual(v, DS, `datasource ${JSON.stringify(v)}`);
      }
      assert.doesNotMatch(JSON.stringify(dashboard), /"__inputs"|\$\{DS_/, 'no import-time datasource inputs');
    });

    it('offers job, instance and route variables from shadowgate_requests_total, each narrowing the next', () => {
      const byName = (name: string) => dashboard.templating.list.find((v) => v.name === name);
      assert.deepEqual(dashboard.templating.list.map((v) => v.name), ['datasource', 'job', 'instance', 'route']);
      for (const [name, definition] of [
        ['job', 'label_values(shadowgate_requests_total, job)'],
        ['instance', 'label_values(shadowgate_requests_total{job=~"$job"}, instance)'],
        ['route', 'label_values(shadowgate_requests_total{job=~"$job", instance=~"$instance"}, route)'],
      ] as const) {
        const v = byName(name)!;
        assert.equal(v.type, 'query', name);
        assert.equal(v.definition, definition);
        assert.deepEqual(v.datasource, DS);
      }
      // Alerts group by job: a dashboard opened from one must be able to show that job alone.
      for (const name of ['job', 'instance']) assert.deepEqual([byName(name)!.multi, byName(name)!.includeAll], [true, true], name);
      const route = byName('route')!;
      const multi = file.endsWith('shadowgate.json');
      assert.equal(route.multi, multi, multi ? 'overview: several routes at once' : 'drill-down: one route');
      assert.equal(route.includeAll, multi);
    });

    it('filters every shadowgate_* and process_* selector by job=~"$job" and instance=~"$instance"', () => {
      const problems: string[] = [];
      for (const q of dashboardQueries(dashboard)) {
        for (const [whole, name, selector] of q.expr.matchAll(/\b((?:shadowgate|process)_[a-z_]+)(\{[^}]*\})?/g)) {
          if (!selector?.startsWith('{job=~"$job", instance=~"$instance"')) problems.push(`${q.panel} ${q.refId}: ${name}: ${whole}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('opens on the last hour', () => {
      assert.deepEqual(dashboard.time, { from: 'now-1h', to: 'now' });
    });

    it('stats read a fixed recent window or the value now, never the whole time range', () => {
      for (const p of dataPanels.filter((x) => x.type === 'stat' || x.type === 'table')) {
        for (const t of p.targets ?? []) {
          if (p.type === 'stat') assert.doesNotMatch(t.expr, /\$__range/, `${p.title}: a stat over $__range hides a fresh regression`);
          if (/\bsum \(|\bsum\(/.test(t.expr) && file.endsWith('shadowgate.json')) assert.fail(`${p.title}: sums every route into one number`);
        }
      }
    });

    it('names only metrics and labels from src/metrics/definitions.ts (and process_*), without PromQL traps', () => {
      const problems: string[] = [];
      for (const q of dashboardQueries(dashboard)) checkNames(`${q.panel} ${q.refId}`, q.expr, problems);
      for (const v of dashboard.templating.list) if (v.definition) checkNames(`variable ${v.name}`, v.definition, problems);
      assert.deepEqual(problems, []);
    });

    it('filters every selector of a metric with a route label by route=~"$route"', () => {
      const problems: string[] = [];
      for (const q of dashboardQueries(dashboard)) {
        for (const [, name, selector] of q.expr.matchAll(/\b(shadowgate_[a-z_]+)(\{[^}]*\})?/g)) {
          if (WITH_ROUTE.has(baseName(name!)) && !selector?.includes('route=~"$route"')) problems.push(`${q.panel} ${q.refId}: ${name}${selector ?? ''}`);
        }
      }
      assert.deepEqual(problems, []);
    });

    it('shows mode, kill, demotion and circuit states as words, not numbers', () => {
      const mappingOf = (p: Panel) => p.fieldConfig?.defaults?.mappings?.find((m) => m.type === 'value')?.options ?? {};
      // Panels showing the state itself (not a count of routes in a state, not the status table).
      const showing = (metric: string) => dataPanels.filter((p) => p.type !== 'table' && p.targets?.some((t) => t.expr.includes(metric) && !/^\s*count\b/.test(t.expr)));
      const circuit = showing('shadowgate_circuit_state');
      const modes = showing('shadowgate_route_mode');
      const killed = showing('shadowgate_route_killed');
      const demoted = showing('shadowgate_route_demoted');
      assert.ok(circuit.length > 0 && modes.length > 0 && killed.length > 0 && demoted.length > 0);
      for (const p of circuit) assert.deepEqual(['0', '1', '2'].map((k) => mappingOf(p)[k]?.text), ['closed', 'half-open', 'open'], p.title);
      for (const p of killed) assert.deepEqual([mappingOf(p)['0']?.text, mappingOf(p)['1']?.text], ['not killed', 'killed'], p.title);
      for (const p of demoted) assert.deepEqual([mappingOf(p)['0']?.text, mappingOf(p)['1']?.text], ['not demoted', 'demoted'], p.title);
      for (const p of modes) {
        // The panel encodes mode m as its 1-based index in ROUTE_MODES (worst wins under max); the mapping reads it back.
        const expr = p.targets!.map((t) => t.expr).join('\n');
        ROUTE_MODES.forEach((mode, i) => assert.match(expr, new RegExp(`mode="${mode}"\\} == 1\\) \\* ${i + 1}\\b`), `${p.title}: ${mode} = ${i + 1}`));
        assert.deepEqual(ROUTE_MODES.map((_, i) => mappingOf(p)[String(i + 1)]?.text), [...ROUTE_MODES], p.title);
      }
      // No panel still reads the metric that cannot tell a kill from a demotion.
      assert.deepEqual(showing('shadowgate_guardrail_tripped').map((p) => p.title), []);
    });

    it('colours comparison results by meaning: match green, mismatch orange, agent_error red, legacy_error purple, skipped grey', () => {
      const panels = dataPanels.filter((p) => p.title === 'Comparisons by result');
      assert.equal(panels.length, 1);
      const colour = (name: string) => panels[0]!.fieldConfig?.overrides?.find((o) => o.matcher.id === 'byName' && o.matcher.options === name)
        ?.properties.find((x) => x.id === 'color')?.value as { mode: string; fixedColor: string } | undefined;
      assert.deepEqual(['match', 'mismatch', 'agent_error', 'legacy_error', 'skipped'].map((r) => colour(r)?.fixedColor), ['green', 'orange', 'red', 'purple', '#8E8E8E']);
    });
  });
}

describe('dashboards/shadowgate.json panels', () => {
  const dashboard = JSON.parse(read('dashboards/shadowgate.json')) as Dashboard;
  // The shapes below, without the job / instance filters every selector has.
  const exprs = dashboardQueries(dashboard).map((q) => q.expr.replaceAll('job=~"$job", instance=~"$instance", ', '').replaceAll('{job=~"$job", instance=~"$instance"}', '')).join('\n');

  it('opens with the per-route status table: mode, rollouts, agreement, guardrail, kill, demotion, probation, circuit, accuracy', () => {
    const first = allPanels(dashboard.panels).filter((p) => p.type !== 'row').sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x)[0]!;
    assert.equal(first.type, 'table');
    assert.equal(first.title, 'Route status (now)');
    assert.equal(first.gridPos.w, 24);
    const text = first.targets!.map((t) => t.expr).join('\n');
    for (const metric of ['shadowgate_route_mode', 'shadowgate_flag_rollout_percent', 'shadowgate_requests_total', 'shadowgate_comparisons_total', 'shadowgate_guardrail_agreement',
      'shadowgate_route_killed', 'shadowgate_route_demoted', 'shadowgate_route_probation', 'shadowgate_circuit_state', 'shadowgate_review_accuracy']) {
      assert.ok(text.includes(metric), `status table reads ${metric}`);
    }
    for (const t of first.targets!) assert.deepEqual([t.instant, t.format], [true, 'table'], `${t.refId}: one value per route`);
  });
  for (const [what, pattern] of [
    ['agreement from comparisons', /result="match"[\s\S]*result=~"match\|mismatch"/],
    ['traffic by served_by', /sum by \(served_by, status_class\) \(rate\(shadowgate_requests_total/],
    ['agent share per route', /100 \* \(\n\s*sum by \(job, route\) \(rate\(shadowgate_requests_total\{route=~"\$route", served_by="agent"\}/],
    ['serve rollout overlay', /shadowgate_flag_rollout_percent\{route=~"\$route", flag="serve"\}/],
    ['fallbacks by reason', /sum by \(reason\) \(rate\(shadowgate_fallbacks_total/],
    ['upstream errors by upstream', /sum by \(upstream\) \(rate\(shadowgate_upstream_errors_total/],
    ['p50/p95/p99 per upstream', /histogram_quantile\(0\.5, sum by \(upstream, le\)[\s\S]*histogram_quantile\(0\.95, sum by \(upstream, le\)[\s\S]*histogram_quantile\(0\.99, sum by \(upstream, le\)/],
    ['client-facing p99', /histogram_quantile\(0\.99, sum by \(route, le\) \(rate\(shadowgate_request_duration_seconds_bucket/],
    ['unexpected drops', /reason=~"backpressure\|buffer_full\|body_too_large\|circuit_open"/],
    ['in-flight vs limit', /shadowgate_shadow_inflight\)[\s\S]*shadowgate_shadow_inflight_limit/],
    ['circuit state', /shadowgate_circuit_state/],
    ['route mode', /max by \(job, route\) \(\n\s*\(shadowgate_route_mode\{route=~"\$route", mode="killed"\} == 1\) \* 6/],
    ['killed, apart from demoted', /max by \(job, route\) \(shadowgate_route_killed\{route=~"\$route"\}\)[\s\S]*max by \(job, route\) \(shadowgate_route_demoted\{route=~"\$route"\}\)/],
    ['guardrail agreement', /min by \(job, route\) \(shadowgate_guardrail_agreement\{route=~"\$route"\}\)/],
    ['adjudicated accuracy', /max by \(job, instance, route\) \(shadowgate_review_accuracy\{route=~"\$route"\}\)/],
    ['agent - legacy latency delta', /histogram_quantile\(0\.95, sum by \(job, route, le\) \(rate\(shadowgate_upstream_duration_seconds_bucket\{route=~"\$route", upstream="agent"\}\[\$__rate_interval\]\)\)\)\n- on \(job, route\)\nhistogram_quantile\(0\.95, sum by \(job, route, le\) \(rate\(shadowgate_upstream_duration_seconds_bucket\{route=~"\$route", upstream="legacy"\}/],
    ['top mismatching fields', /topk\(10, sum by \(route, field\) \(increase\(shadowgate_mismatch_fields_total/],
    ['tokens by type', /sum by \(route, type\) \(rate\(shadowgate_agent_tokens_total/],
    ['confidence quantiles', /histogram_quantile\([0-9.]+, sum by \(route, le\) \(rate\(shadowgate_agent_confidence_bucket/],
    ['review verdicts', /shadowgate_review_verdicts_total/],
  ] as const) {
    it(`has ${what}`, () => assert.match(exprs, pattern));
  }
});

describe('threshold lines are the alert rules\' thresholds', () => {
  const alerts = (parseYaml(read('dashboards/alerts.yml')) as { groups: { rules: AlertRule[] }[] }).groups.flatMap((g) => g.rules);
  /** The number after the comparison in an alert expression, e.g. `< 0.9`. */
  const threshold = (name: string, op: '<' | '>') => {
    const expr = alerts.find((a) => a.alert === name)!.expr;
    const m = new RegExp(`\\${op} (\\d+(?:\\.\\d+)?)\\s*\\n`).exec(expr);
    assert.ok(m, `${name}: a "${op} number" threshold`);
    return Number(m[1]);
  };
  const expected: Record<string, [string, number]> = {};
  const agreement = threshold('ShadowgateAgreementLow', '<');
  const errors = threshold('ShadowgateAgentErrorRateHigh', '>');
  const fallbacks = threshold('ShadowgateFallbackRateHigh', '>');
  for (const t of ['Agreement ratio per route', 'Guardrail agreement per route', 'Agreement by route (10 min)', 'Agreement (10 min)', 'Guardrail agreement', 'Agreement: comparisons and guardrail window']) expected[t] = ['ShadowgateAgreementLow', agreement];
  for (const t of ['Upstream error ratio: agent vs legacy', 'Upstream error ratio']) expected[t] = ['ShadowgateAgentErrorRateHigh', errors];
  for (const t of ['Fallback ratio per route', 'Fallback ratio (10 min)']) expected[t] = ['ShadowgateFallbackRateHigh', fallbacks];

  it('finds the thresholds in alerts.yml (0.9 agreement, 0.2 errors, 0.2 fallbacks)', () => {
    assert.deepEqual([agreement, errors, fallbacks], [0.9, 0.2, 0.2]);
  });

  for (const file of ['dashboards/shadowgate.json', 'dashboards/shadowgate-route.json']) {
    it(`${file}: each agreement, error and fallback panel draws (or colours by) its alert's threshold`, () => {
      const panels = allPanels((JSON.parse(read(file)) as Dashboard).panels);
      const checked = panels.filter((p) => expected[p.title]);
      assert.ok(checked.length >= 3, `${file}: ${checked.map((p) => p.title).join(', ')}`);
      for (const p of checked) {
        const [alert, value] = expected[p.title]!;
        const steps = p.fieldConfig?.defaults?.thresholds?.steps ?? [];
        assert.ok(steps.some((s) => s.value === value), `${p.title}: a threshold step at ${value} (${alert}); steps ${JSON.stringify(steps)}`);
        if (p.type === 'timeseries') assert.match(p.fieldConfig?.defaults?.custom?.thresholdsStyle?.mode ?? 'off', /^(dashed|line)/, `${p.title}: the threshold is drawn`);
      }
    });
  }
});

describe('dashboards/alerts.yml', () => {
  const doc = parseYaml(read('dashboards/alerts.yml')) as { groups: { name: string; rules: AlertRule[] }[] };
  const rules = doc.groups.flatMap((g) => g.rules);
  const alerts = rules.filter((r) => r.alert !== undefined);

  it('defines the agreed alerts', () => {
    assert.deepEqual(alerts.map((a) => a.alert).sort(), [
      'ShadowgateAgentErrorRateHigh', 'ShadowgateAgreementLow', 'ShadowgateCircuitOpen', 'ShadowgateFallbackRateHigh',
      'ShadowgateGuardrailTripped', 'ShadowgateLegacyErrorRateChanged', 'ShadowgateShadowDropsSustained',
    ]);
  });

  for (const a of alerts) {
    it(`${a.alert}: for, severity, summary, description and a README runbook anchor`, () => {
      assert.match(a.for ?? '', /^[1-9][0-9]*[smh]$/, 'a non-zero for:');
      assert.ok(['warning', 'critical'].includes(a.labels?.severity ?? ''), `severity ${a.labels?.severity}`);
      assert.ok((a.annotations?.summary ?? '').includes('{{ $labels.route }}'), 'summary names the route');
      assert.ok((a.annotations?.description ?? '').length > 40, 'a description');
      assert.equal(a.annotations?.runbook_url, `README.md#alert-${a.alert!.toLowerCase()}`);
    });

    it(`${a.alert}: names only defined metrics and keeps job and route`, () => {
      const problems: string[] = [];
      checkNames(a.alert!, a.expr, problems);
      assert.deepEqual(problems, []);
      for (const by of a.expr.matchAll(/\b(?:sum|max|min) by \(([^)]*)\)/g)) {
        assert.deepEqual(by[1]!.split(',').map((s) => s.trim()), ['job', 'route'], `${a.alert}: aggregates by (${by[1]})`);
      }
    });
  }
});
