// Regenerates the README pictures in docs/images/ from a realistic run, by hand:
//
//   node --import tsx scripts/render-docs-images.ts [--out docs/images] [--speed 1]
//
// What it runs: the demo's own pieces (src/demo: the sample legacy service and sample agent,
// config/demo.yaml, config/flags.json, the demo's traffic mix at 40 requests/s) in this
// process, scraped every 5 s by a real Prometheus (scripts/install-prometheus.sh). The story,
// about 6 minutes: orders is ramped 0 → 10 → 25 → 50 → 100 % through its serve flag; at full
// rollout the agent regresses (a bad model: confidently wrong on a third of the orders, so the
// confidence gate lets those answers through to clients), the guardrail demotes orders, the
// cool-down puts it on probation while the agent is still wrong; the agent is fixed, an
// operator resets the route (probation again) and it serves once the window passes. A
// reviewer judges a few samples along the way. (`shadowgate demo` itself ramps the same way
// but has no regression: its agent is never bad enough to trip, and when it is wrong it says
// so with a low confidence, which the gate catches.)
//
// The pictures: dashboard panels drawn from Prometheus range queries of the dashboards' own
// expressions (test/support/panel-render.ts; there is no Grafana here), with the panels' own
// colours, thresholds and value mappings; and the review page (real Chromium) while orders is
// on probation, with an agent-served mismatch from the regression open. Look at them before
// committing. Needs Prometheus and Chromium (scripts/install-test-deps.sh).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { startShadowgate } from '../src/app.js';
import { loadConfigFile } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import http from 'node:http';
import { createAgentService, createLegacyService, legacyAnswer, listen } from '../src/demo/services.js';
import { createLogger } from '../src/log.js';
import { launchBrowser } from '../test/support/browser.js';
import { renderPanelPng, renderTablePng, renderTimelinePng, type PanelSeries, type PanelUnit, type TableCell } from '../test/support/panel-render.js';
import { grafanaToPromQL, startPrometheus, type PrometheusServer } from '../test/support/prometheus.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'docs/images' }, speed: { type: 'string', default: '1' } } });
const OUT = resolve(ROOT, args.out!);
/** >1 runs the story faster (for trying the script out); the committed pictures use 1. */
const SPEED = Number(args.speed);
const SCRAPE_S = 5;
const RATE_INTERVAL = `${4 * SCRAPE_S}s`; // what Grafana makes $__rate_interval for a 5 s scrape interval
const RPS = 40;
const at = (s: number) => (s * 1000) / SPEED;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---- the run ---------------------------------------------------------------------------------

const legacyService = createLegacyService();
const demoAgent = createAgentService();
const demoAgentUrl = await listen(demoAgent);
/** The regression: a third of the order answers wrong, with a confident header (the gate lets them through). */
let regressed = false;
const agentService = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (regressed && req.url?.startsWith('/api/orders/') && Math.random() < 0.35) {
      const answer = legacyAnswer(req.url, '').body as Record<string, unknown>;
      const text = JSON.stringify({ ...answer, status: 'cancelled', items: (answer.items as unknown[]).slice(0, 1) });
      res.writeHead(200, { 'content-type': 'application/json', 'x-agent-confidence': '0.93', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    // Otherwise the demo's own agent answers.
    request(`${demoAgentUrl}${req.url}`, { method: req.method as 'GET', headers: req.headers as Record<string, string>, body: body.length ? body : undefined })
      .then(async (up) => { res.writeHead(up.statusCode, up.headers as http.OutgoingHttpHeaders); res.end(Buffer.from(await up.body.arrayBuffer())); },
        () => { res.writeHead(502); res.end(); });
  });
});
const dir = mkdtempSync(join(tmpdir(), 'sg-docs-images-'));
const flagsFile = join(dir, 'flags.json');
copyFileSync(join(ROOT, 'config/flags.json'), flagsFile);
const env = {
  ...process.env, SHADOWGATE_PORT: '0', SHADOWGATE_ADMIN_PORT: '0', SHADOWGATE_ADMIN_TOKEN: '', SHADOWGATE_HOST: '127.0.0.1',
  DEMO_LEGACY_URL: await listen(legacyService), DEMO_AGENT_URL: await listen(agentService),
};
const config = structuredClone(loadConfigFile(join(ROOT, 'config/demo.yaml'), env)) as Config;
(config.flags as { file?: string }).file = flagsFile;
const sg = await startShadowgate(config, createLogger('error', process.stderr));
const client = new Agent({ connections: 16 });
let prom: PrometheusServer | null = null;

async function cleanup(): Promise<void> {
  await prom?.stop();
  await client.destroy();
  await sg.close();
  for (const s of [legacyService, agentService, demoAgent]) { s.closeAllConnections(); await new Promise((r) => s.close(() => r(null))); }
  rmSync(dir, { recursive: true, force: true });
}

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await request(`${sg.adminUrl}${path}`, body === undefined ? { dispatcher: client } : {
    dispatcher: client, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as T;
}
const mode = async (route: string) => (await api<{ mode: string }>(`/api/routes/${route}`)).mode;

function setRollout(flag: string, percent: number): void {
  const flags = JSON.parse(readFileSync(flagsFile, 'utf8')) as { features: { name: string; strategies: { parameters?: Record<string, string> }[] }[] };
  const f = flags.features.find((x) => x.name === flag)!;
  f.strategies[0]!.parameters!.rollout = String(percent);
  writeFileSync(`${flagsFile}.tmp`, `${JSON.stringify(flags, null, 2)}\n`);
  copyFileSync(`${flagsFile}.tmp`, flagsFile);
}

/** The reviewer: judges the newest unjudged orders samples (mostly the agent's fault during the regression). */
async function judge(n: number, verdicts: string[]): Promise<void> {
  const { diffs } = await api<{ diffs: { id: string; verdict?: unknown }[] }>('/api/diffs?route=orders&result=mismatch&limit=50');
  for (const [i, d] of diffs.filter((x) => !x.verdict).slice(0, n).entries()) {
    await api(`/api/diffs/${d.id}/verdict`, { verdict: verdicts[i % verdicts.length] });
  }
}

function traffic(): () => void {
  const timer = setInterval(() => {
    for (let i = 0; i < RPS / 10; i++) {
      const quote = Math.random() < 0.5;
      request(`${sg.dataUrl}${quote ? '/api/quote' : `/api/orders/${Math.floor(Math.random() * 1000)}`}`, {
        dispatcher: client, method: quote ? 'POST' : 'GET',
        headers: { 'x-user-id': `user-${Math.floor(Math.random() * 500)}`, 'content-type': 'application/json' },
        body: quote ? JSON.stringify({ sku: `A-${Math.floor(Math.random() * 20)}`, qty: 1 + Math.floor(Math.random() * 3) }) : undefined,
      }).then((r) => r.body.dump(), () => undefined);
    }
  }, 100);
  return () => clearInterval(timer);
}

const browser = await launchBrowser({ viewport: { width: 1366, height: 1180 } });

// ---- the pictures ----------------------------------------------------------------------------

async function reviewScreenshot(): Promise<void> {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${sg.adminUrl}/`);
    await page.locator('#routes-body tr[data-route="orders"] .badge-mode-probation').waitFor();
    await page.selectOption('#filter-route', 'orders');
    await page.selectOption('#filter-served', 'agent');
    // An agent-served mismatch from the regression: what a client was given.
    const item = page.locator('.diff-item[data-served-by="agent"]').first();
    await item.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.diff-item')].every((e) => e.getAttribute('data-served-by') === 'agent'));
    await page.locator('.diff-item').first().click();
    await page.locator('#detail .rules').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, 'review-ui.png'), fullPage: false });
    await page.setViewportSize({ width: 800, height: 1000 });
    await page.keyboard.press('Escape');
    await page.locator('#overview #field-groups').waitFor();
    await page.screenshot({ path: join(OUT, 'review-ui-800.png'), fullPage: false });
    log('review page: review-ui.png, review-ui-800.png');
  } finally {
    await page.close();
  }
}

interface GrafanaPanel {
  type: string; title: string;
  targets: { refId: string; expr: string; legendFormat?: string }[];
  fieldConfig: {
    defaults: {
      unit?: PanelUnit; min?: number; max?: number;
      custom?: { fillOpacity?: number; stacking?: { mode: string }; thresholdsStyle?: { mode: string } };
      thresholds?: { steps: { color: string; value: number | null }[] };
      mappings?: { type: string; options: Record<string, { text: string; color: string }> }[];
    };
    overrides: { matcher: { id: string; options: string }; properties: { id: string; value: unknown }[] }[];
  };
  transformations?: { id: string; options: { renameByName?: Record<string, string>; indexByName?: Record<string, number>; excludeByName?: Record<string, boolean> } }[];
}

const overview = JSON.parse(readFileSync(join(ROOT, 'dashboards/shadowgate.json'), 'utf8')) as { panels: GrafanaPanel[] };
const panel = (title: string) => {
  const p = overview.panels.find((x) => x.title === title);
  if (!p) throw new Error(`dashboards/shadowgate.json has no panel "${title}"`);
  return p;
};
const legend = (format: string | undefined, labels: Record<string, string>) =>
  (format ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l: string) => labels[l] ?? '').trim() || JSON.stringify(labels);
const propsFor = (p: GrafanaPanel, matcher: string, name: string) =>
  p.fieldConfig.overrides.filter((o) => o.matcher.id === matcher && o.matcher.options === name).flatMap((o) => o.properties);

const THRESHOLD_LABELS: Record<string, string> = {
  'Agreement ratio per route': 'ShadowgateAgreementLow: 90 %',
  'Guardrail agreement per route': 'default guardrail.minAgreement 90 % (orders: 80 %)',
};

async function timeseries(p: PrometheusServer, title: string, start: number, end: number, note: string, file: string): Promise<void> {
  const gp = panel(title);
  const d = gp.fieldConfig.defaults;
  const series: PanelSeries[] = [];
  for (const t of gp.targets) {
    const result = await p.queryRange(grafanaToPromQL(t.expr, { __rate_interval: RATE_INTERVAL }), start, end, SCRAPE_S);
    for (const s of result.sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)))) {
      if (s.values.every(([, v]) => !Number.isFinite(Number(v)))) continue;
      const name = legend(t.legendFormat, s.metric);
      const byName = propsFor(gp, 'byName', name);
      const byRef = propsFor(gp, 'byFrameRefID', t.refId);
      const colour = byName.find((x) => x.id === 'color')?.value as { fixedColor?: string } | undefined;
      const prop = (id: string) => [...byRef, ...byName].find((x) => x.id === id)?.value;
      const lineStyle = prop('custom.lineStyle') as { fill?: string } | undefined;
      const stacking = (prop('custom.stacking') ?? d.custom?.stacking) as { mode: string } | undefined;
      series.push({
        name, color: colour?.fixedColor, dashed: lineStyle?.fill === 'dash', stack: stacking?.mode === 'normal',
        points: s.values.map(([ts, v]) => [ts, Number.isFinite(Number(v)) ? Number(v) : null]),
      });
    }
  }
  const drawn = d.custom?.thresholdsStyle?.mode && d.custom.thresholdsStyle.mode !== 'off';
  const thresholds = drawn ? (d.thresholds?.steps ?? []).filter((s) => s.value !== null).map((s) => ({ value: s.value!, color: s.color, label: THRESHOLD_LABELS[title] })) : [];
  await renderPanelPng({ context: browser.context, title, unit: d.unit ?? 'short', yMin: d.min, yMax: d.max, fillOpacity: d.custom?.fillOpacity, series, thresholds, note, file: join(OUT, file), width: 900, height: 330 });
  log(`${file}: ${series.map((s) => s.name).join(', ')}`);
}

async function timeline(p: PrometheusServer, title: string, start: number, end: number, note: string, file: string): Promise<void> {
  const gp = panel(title);
  const t = gp.targets[0]!;
  const result = await p.queryRange(grafanaToPromQL(t.expr), start, end, SCRAPE_S);
  const rows = result.map((s) => ({ name: legend(t.legendFormat, s.metric), points: s.values.map(([ts, v]): [number, number | null] => [ts, Number(v)]) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const states = Object.assign({}, ...(gp.fieldConfig.defaults.mappings ?? []).map((m) => m.options)) as Record<string, { text: string; color: string }>;
  await renderTimelinePng({ context: browser.context, title, rows, states, note, file: join(OUT, file), width: 900 });
  log(`${file}: ${rows.map((r) => r.name).join(', ')}`);
}

/** The status table as Grafana's merge + organize transformations build it, at one instant. */
async function statusTable(p: PrometheusServer, time: number, note: string, file: string): Promise<void> {
  const gp = panel('Route status (now)');
  const organize = gp.transformations?.find((x) => x.id === 'organize')?.options ?? {};
  const rows = new Map<string, Record<string, string | number>>();
  for (const t of gp.targets) {
    for (const s of await p.query(grafanaToPromQL(t.expr), time)) {
      const key = `${s.metric.job}/${s.metric.route}/${s.metric.mode ?? ''}`;
      const base = [...rows.entries()].find(([k]) => k.startsWith(`${s.metric.job}/${s.metric.route}/`))?.[0] ?? key;
      const row = rows.get(base) ?? { job: s.metric.job!, route: s.metric.route! };
      if (s.metric.mode) row.mode = s.metric.mode;
      row[organize.renameByName?.[`Value #${t.refId}`] ?? t.refId] = Number(s.value[1]);
      rows.set(base, row);
    }
  }
  const columns = Object.entries(organize.indexByName ?? {}).sort(([, a], [, b]) => a - b).map(([n]) => n).filter((n) => n !== 'job');
  const cell = (name: string, value: string | number | undefined): TableCell => {
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return { text: '—' };
    const props = propsFor(gp, 'byName', name);
    const unit = props.find((x) => x.id === 'unit')?.value as string | undefined;
    const mappings = props.find((x) => x.id === 'mappings')?.value as { options: Record<string, { text: string; color: string }> }[] | undefined;
    const mapped = mappings?.[0]?.options[String(value)];
    if (mapped) return { text: mapped.text, background: mapped.color };
    const text = typeof value === 'string' ? value : unit === 'percentunit' ? `${(value * 100).toFixed(1)}%` : unit === 'percent' ? `${value}%` : String(value);
    const steps = (props.find((x) => x.id === 'thresholds')?.value as { steps: { color: string; value: number | null }[] } | undefined)?.steps;
    const colour = typeof value === 'number' && steps ? [...steps].reverse().find((st) => st.value === null || value >= st.value)?.color : undefined;
    return { text, color: colour };
  };
  const table = [...rows.values()].sort((a, b) => String(a.route).localeCompare(String(b.route))).map((r) => columns.map((c) => cell(c, r[c])));
  await renderTablePng({ context: browser.context, title: gp.title, columns: columns.map((n) => ({ name: n, numeric: !['route', 'mode', 'circuit'].includes(n) })), rows: table, note, file: join(OUT, file), width: 1240 });
  log(`${file}: ${table.length} rows`);
}

async function renderPanels(p: PrometheusServer, start: number, end: number, probationAt: number): Promise<void> {
  const note = `dashboards/shadowgate.json · demo traffic, real Prometheus, scrape ${SCRAPE_S} s`;
  await statusTable(p, probationAt, `${note} · at ${new Date(probationAt * 1000).toISOString().slice(11, 19)} UTC`, 'dashboard-status.png');
  await timeline(p, 'Route mode per route', start, end, note, 'dashboard-mode.png');
  await timeseries(p, 'Agreement ratio per route', start, end, note, 'dashboard-agreement.png');
  await timeseries(p, 'Guardrail agreement per route', start, end, note, 'dashboard-guardrail.png');
  await timeseries(p, 'Comparisons by result', start, end, note, 'dashboard-comparisons.png');
  await timeseries(p, 'Agent share vs serve rollout per route', start, end, note, 'dashboard-traffic.png');
  await timeseries(p, 'Agent − legacy latency per route (p50, p95)', start, end, note, 'dashboard-latency-delta.png');
}

// ---- the story (last: it uses everything above) -----------------------------------------------

try {
  prom = await startPrometheus({ targets: [new URL(sg.adminUrl).host], scrapeIntervalS: SCRAPE_S, upTimeoutMs: 30_000 });
  const start = Math.floor(Date.now() / 1000);
  const t0 = Date.now();
  const until = async (s: number) => { const wait = t0 + at(s) - Date.now(); if (wait > 0) await sleep(wait); };
  const stopTraffic = traffic();
  log(`shadowgate ${sg.dataUrl}, admin ${sg.adminUrl}, prometheus ${prom.url}`);

  for (const [s, percent] of [[40, 10], [80, 25], [120, 50], [160, 100]] as const) {
    await until(s);
    setRollout('orders.serve', percent);
    log(`ramp: orders.serve → ${percent} %`);
    if (percent === 50) await judge(4, ['both_ok', 'agent_correct', 'legacy_correct', 'both_ok']);
  }
  await until(210);
  regressed = true;
  log('the agent regresses: confidently wrong on a third of the orders');
  while ((await mode('orders')) !== 'demoted') await sleep(500);
  log('guardrail: orders demoted');
  while ((await mode('orders')) !== 'probation') await sleep(500);
  log('cool-down passed: orders on probation (the agent is still wrong)');
  await judge(6, ['legacy_correct', 'legacy_correct', 'legacy_correct', 'both_wrong']);
  await until(290);
  await reviewScreenshot();
  await until(300);
  // The status table as it stood on probation, two scrapes before the reset.
  const probationAt = Math.floor(Date.now() / 1000) - 2 * SCRAPE_S;
  regressed = false;
  await api('/api/routes/orders/reset', { who: 'ops', why: 'model rolled back' });
  log('agent fixed, orders reset by ops: probation until the window passes');
  while ((await mode('orders')) !== 'full') await sleep(500);
  log('probation ended: orders full again');
  await until(370);
  stopTraffic();
  await sleep(1000);
  await prom.waitForScrapes(2, 20_000);
  const end = Math.ceil(Date.now() / 1000);
  await renderPanels(prom, start, end, probationAt);
  log(`done: ${OUT}`);
} finally {
  await browser.close();
  await cleanup();
}
