// Starts a real `prometheus` (Debian package, see scripts/install-prometheus.sh) on a free
// 127.0.0.1 port with a throwaway config and data folder, scraping given targets every
// second; instant/range query helpers over its HTTP API; stop by PID, folder removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const INSTALL_HINT = 'run scripts/install-prometheus.sh as root (Debian 12: apt-get install --no-install-recommends prometheus)';

/** Absolute path of a Prometheus binary (prometheus or promtool); throws with the install hint if missing. */
export function prometheusBinary(name: 'prometheus' | 'promtool'): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  throw new Error(`${name} not found on PATH: ${INSTALL_HINT}`);
}

export interface PromSample { metric: Record<string, string>; value: [number, string] }
export interface PromSeries { metric: Record<string, string>; values: [number, string][] }

/** An API answer with status "error" (bad PromQL, or an evaluation error). */
export class PrometheusQueryError extends Error {
  constructor(readonly expr: string, readonly errorType: string, message: string) {
    super(`${errorType}: ${message}\n  in: ${expr}`);
    this.name = 'PrometheusQueryError';
  }
}

export interface PrometheusOptions {
  /** host:port targets scraped at /metrics. */
  targets: string[];
  jobName?: string;
  metricsPath?: string;
  /** Absolute paths of rule files to load. */
  ruleFiles?: string[];
  /** How long to wait for `up == 1` on every target (the first scrape takes ~5-6 s). */
  upTimeoutMs?: number;
  /** Seconds between scrapes (and rule evaluations); 1 by default, tests want data fast. */
  scrapeIntervalS?: number;
}

export interface PrometheusServer {
  url: string;
  pid: number;
  jobName: string;
  query(expr: string, time?: number): Promise<PromSample[]>;
  queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromSeries[]>;
  /** Resolves after every target has been scraped at least `count` more times. */
  waitForScrapes(count?: number, timeoutMs?: number): Promise<void>;
  /** GET /api/v1/<path> and return `data`. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const binary = prometheusBinary('prometheus');
  const jobName = options.jobName ?? 'shadowgate';
  const dir = mkdtempSync(join(tmpdir(), 'sg-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  const interval = options.scrapeIntervalS ?? 1;
  // JSON is YAML: no YAML writer needed.
  writeFileSync(configFile, JSON.stringify({
    global: { scrape_interval: `${interval}s`, scrape_timeout: `${Math.min(interval, 10)}s`, evaluation_interval: `${interval}s` },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [{ job_name: jobName, metrics_path: options.metricsPath ?? '/metrics', static_configs: [{ targets: options.targets }] }],
  }, null, 2));

  // A port picked free can be taken before prometheus binds it (TIME_WAIT, other tests): retry.
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(binary, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-8000); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => { gone = true; });
    // Never leave a prometheus behind if the test process dies first.
    const killOnExit = () => { child.kill('SIGKILL'); };
    process.once('exit', killOnExit);

    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(url, () => gone, 10_000);
    if (!ready) {
      child.kill('SIGKILL');
      await exited;
      process.off('exit', killOnExit);
      lastError = stderr;
      if (/address already in use/i.test(stderr)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus did not become ready:\n${stderr}`);
    }
    const server = makeServer(url, child, exited, dir, jobName, killOnExit, () => stderr, interval);
    try {
      await server.waitForUp(options.targets.length, options.upTimeoutMs ?? 20_000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`prometheus could not bind a free port:\n${lastError}`);
}

async function waitReady(url: string, gone: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gone()) {
    try {
      const res = await fetch(`${url}/-/ready`);
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  return false;
}

function makeServer(
  url: string, child: ChildProcess, exited: Promise<number | null>, dir: string, jobName: string,
  killOnExit: () => void, stderr: () => string, interval: number,
): PrometheusServer & { waitForUp(targets: number, timeoutMs: number): Promise<void> } {
  let stopping: Promise<void> | null = null;

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${url}/api/v1/${path}`);
    const body = await res.json() as { status: string; data: T; errorType?: string; error?: string };
    if (body.status !== 'success') throw new PrometheusQueryError(decodeURIComponent(path), body.errorType ?? String(res.status), body.error ?? 'unknown error');
    return body.data;
  }

  async function query(expr: string, time?: number): Promise<PromSample[]> {
    const params = new URLSearchParams({ query: expr });
    if (time !== undefined) params.set('time', String(time));
    try {
      const data = await api<{ resultType: string; result: PromSample[] | [number, string] }>(`query?${params}`);
      // A scalar or string result is not a series list; wrap it so callers see "one value".
      return data.resultType === 'vector' ? data.result as PromSample[] : [{ metric: {}, value: data.result as [number, string] }];
    } catch (err) {
      if (err instanceof PrometheusQueryError) throw new PrometheusQueryError(expr, err.errorType, err.message.split('\n')[0]!);
      throw err;
    }
  }

  async function queryRange(expr: string, start: number, end: number, stepSeconds: number): Promise<PromSeries[]> {
    const params = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(stepSeconds) });
    return (await api<{ result: PromSeries[] }>(`query_range?${params}`)).result;
  }

  /** Latest scrape time (seconds) per target, from the `up` series. */
  async function lastScrapes(): Promise<number[]> {
    const samples = await query(`timestamp(up{job="${jobName}"})`);
    return samples.map((s) => Number(s.value[1]));
  }

  return {
    url, pid: child.pid!, jobName, query, queryRange, api,

    async waitForUp(targets, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const up = await query(`up{job="${jobName}"} == 1`);
        if (up.length >= targets) return;
        if (Date.now() > deadline) {
          const info = await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('targets').catch(() => null);
          throw new Error(`prometheus never scraped its targets (up == 1) within ${timeoutMs} ms: ${JSON.stringify(info?.activeTargets ?? [])}\n${stderr()}`);
        }
        await sleep(200);
      }
    },

    async waitForScrapes(count = 2, timeoutMs = 10_000) {
      const start = Math.min(...await lastScrapes());
      const deadline = Date.now() + timeoutMs;
      // Scrapes are `interval` apart: `count` more means every target's last scrape moved past start + (count - 1) intervals.
      while (Math.min(...await lastScrapes()) < start + (count - 0.5) * interval) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} new scrapes within ${timeoutMs} ms`);
        await sleep(200);
      }
    },

    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

// ---- Grafana dashboards as PromQL ---------------------------------------------------------

export interface DashboardQuery {
  /** Panel title (or "annotation: <name>"). */
  panel: string;
  refId: string;
  expr: string;
  /** The panel asks for one value per series (stat, table), not a time series. */
  instant: boolean;
}

interface GrafanaTarget { refId?: string; expr?: string; instant?: boolean; range?: boolean }
interface GrafanaPanel { type: string; title: string; targets?: GrafanaTarget[]; panels?: GrafanaPanel[] }
interface GrafanaDashboard { panels: GrafanaPanel[]; annotations?: { list?: { name: string; expr?: string }[] } }

/** Every PromQL expression of a dashboard: panel targets (rows included) and annotations. */
export function dashboardQueries(dashboard: unknown): DashboardQuery[] {
  const d = dashboard as GrafanaDashboard;
  const out: DashboardQuery[] = [];
  const walk = (panels: GrafanaPanel[]) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) {
        if (t.expr !== undefined) out.push({ panel: panel.title, refId: t.refId ?? '?', expr: t.expr, instant: t.instant === true && t.range !== true });
      }
      if (panel.panels) walk(panel.panels);
    }
  };
  walk(d.panels);
  for (const a of d.annotations?.list ?? []) {
    if (a.expr !== undefined) out.push({ panel: `annotation: ${a.name}`, refId: 'annotation', expr: a.expr, instant: false });
  }
  return out;
}

/**
 * Grafana's variables replaced the way Grafana would for "All" jobs, instances and routes: each is a regex
 * (`route=~"$route"`), the interval variables become fixed windows. Throws on any variable
 * left over, so a new variable cannot slip through unevaluated.
 */
export function grafanaToPromQL(expr: string, values: Partial<Record<'job' | 'instance' | 'route' | '__rate_interval' | '__range' | '__interval', string>> = {}): string {
  const v: Record<string, string> = { job: '.*', instance: '.*', route: '.*', __rate_interval: '1m', __range: '5m', __interval: '15s', ...values };
  const out = expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!(name in v)) throw new Error(`unknown Grafana variable ${whole} in: ${expr}`);
    return v[name]!;
  });
  return out;
}
