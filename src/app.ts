// Composition root: builds what lives for the process (metrics, tracing, samples, the shadow
// dispatcher, the two listeners) and the first config generation (lifecycle/generation.ts),
// wires them in one pass, and owns the lifecycle: live reload (a new generation for new
// requests), readiness, and the drain on shutdown. Holds no request logic.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Config } from './config/schema.js';
import { preflight } from './config/preflight.js';
import { formatProblems } from './config/problems.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/definitions.js';
import { RouteMetrics } from './metrics/route-metrics.js';
import type { FlagSource } from './flags/index.js';
import { SampleStore } from './store/samples.js';
import { ByteBudget } from './shadow/capture.js';
import { ShadowDispatcher } from './shadow/dispatcher.js';
import { RequestTracker } from './proxy/exchange.js';
import { createDataPlane } from './proxy/server.js';
import { createAdminApp } from './admin/app.js';
import { createReviewRouter, mountReviewPage } from './admin/review.js';
import { UNMATCHED } from './routing/match.js';
import type { RouteRuntime } from './routing/runtime.js';
import { createRouteActions } from './serve/route-view.js';
import { createTracing } from './tracing/otel.js';
import { buildGeneration, retire, type Generation, type Shared } from './lifecycle/generation.js';
import { LegacyProbe, readiness } from './lifecycle/readiness.js';
import { changedSections, ConfigWatcher, configHash, restartOnlyChanges } from './lifecycle/reload.js';
import { ShadowgateError } from './errors.js';

export interface Shadowgate {
  /** The config in force (it changes with a live reload). */
  readonly config: Config;
  readonly metrics: Metrics;
  readonly samples: SampleStore;
  readonly flags: FlagSource | null;
  readonly routes: readonly RouteRuntime[];
  readonly dispatcher: ShadowDispatcher;
  readonly dataUrl: string;
  readonly adminUrl: string;
  /** Re-reads the config file (as on a file change or SIGHUP). */
  reload(): Promise<ReloadResult>;
  /** The graceful shutdown: readiness off, delay, stop accepting, drain requests and shadows, close. */
  drain(): Promise<void>;
  /** Idempotent; the same as drain(). */
  close(): Promise<void>;
}

export type ReloadResult = { ok: true; changed: string[]; hash: string } | { ok: false; reason: string };

export interface StartOptions {
  /** Tests hand in an in-memory exporter; otherwise tracing follows config.tracing. */
  spanExporter?: SpanExporter;
  /** The config file: watched for live reload, and re-read by reload(). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
}

/** All pre-read request bodies together stay under this (see proxy/body.ts). */
const PREREAD_BUDGET_BYTES = 16 * 1024 * 1024;

export async function startShadowgate(config: Config, log: Logger, options: StartOptions = {}): Promise<Shadowgate> {
  const metrics = createMetrics(new Registry());
  const tracing = createTracing(config.tracing, options.spanExporter);
  const samples = new SampleStore(config.samples.max, () => metrics.samplesEvicted.inc());
  const requests = new RequestTracker();
  let gen: Generation | null = null;
  // The dispatcher lives for the process: its slots and byte budget bound every generation's shadows.
  // Jobs are recorded by the generation in force when they complete.
  const dispatcher = new ShadowDispatcher(
    dispatcherOptionsOf(config), metrics, log, (job) => gen!.record(job), tracing, (route, call) => route.control.breaker.run(call),
  );
  const shared: Shared = {
    metrics, log, tracing, samples, dispatcher, prereadBudget: new ByteBudget(PREREAD_BUDGET_BYTES), admission: { inflight: 0 },
    routeStates: new Map(), unmatched: new RouteMetrics(metrics, UNMATCHED), requests,
  };
  gen = await buildGeneration(config, shared);
  const current = () => gen!;

  const plane = createDataPlane(config, current, metrics, log);
  const state = { started: false, draining: false };
  const probe = new LegacyProbe(() => current().config.legacy);
  const adminHost = config.admin.host ?? (config.admin.token ? '0.0.0.0' : '127.0.0.1');
  const adminApp = createAdminApp({
    token: config.admin.token, registry: metrics.registry, samples, log,
    routes: createRouteActions(() => current().routes, () => current().flags, log),
    ready: () => readiness({ started: state.started, draining: state.draining, flags: current().flagSource, probe }),
    public: (app) => mountReviewPage(app),
    extend: (app) => { app.use(createReviewRouter({ samples, metrics, routes: current().routes.map((r) => r.name), log })); },
  });
  const adminServer = http.createServer(adminApp);

  try {
    await listen(plane.server, config.server.port, config.server.host);
    await listen(adminServer, config.admin.port, adminHost);
  } catch (err) {
    // Nothing a failed start opened may keep the process alive.
    plane.server.close();
    adminServer.close();
    await retire(gen, null, shared);
    await tracing.close();
    throw err;
  }
  state.started = true;
  const dataUrl = urlOf(plane.server);
  const adminUrl = urlOf(adminServer);
  let hash = options.configFile ? configHash(readFileSync(options.configFile)) : 'inline';
  metrics.configInfo.set({ hash }, 1);
  if (!config.admin.token) {
    log.warn({ adminUrl }, 'no admin token configured: admin API listens on 127.0.0.1 only and asks for no credentials');
  }
  log.info({ dataUrl, adminUrl, routes: gen.routes.map((r) => r.name), flags: gen.flagSource?.kind ?? 'none', config: hash }, 'shadowgate started');

  // Live reload: one at a time; a change seen meanwhile runs once more afterwards.
  let reloading: Promise<ReloadResult> | null = null;
  let again = false;
  const reload = (): Promise<ReloadResult> => {
    if (reloading) { again = true; return reloading; }
    reloading = reloadOnce().finally(() => {
      reloading = null;
      if (again && !state.draining) { again = false; void reload(); }
    });
    return reloading;
  };
  const fail = (reason: string): ReloadResult => {
    metrics.configReloads.inc({ result: 'failure' });
    log.error({ file: options.configFile, reason }, 'config reload rejected; the config in force stays');
    return { ok: false, reason };
  };
  async function reloadOnce(): Promise<ReloadResult> {
    const file = options.configFile;
    if (!file || state.draining) return { ok: false, reason: file ? 'draining' : 'no config file to reload' };
    let text: Buffer;
    try { text = readFileSync(file); } catch (err) { return fail(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`); }
    const nextHash = configHash(text);
    let report;
    try { report = await preflight(file, options.env ?? process.env); } catch (err) { return fail(err instanceof ShadowgateError ? err.message : String(err)); }
    if (report.config === null) return fail(formatProblems(report.source, report.problems));
    const old = current();
    const refused = restartOnlyChanges(old.config, report.config);
    if (refused.length > 0) return fail(`${file}: these keys cannot change while shadowgate runs (restart the process to apply them); nothing of this reload was applied:\n  - ${refused.join('\n  - ')}`);
    let next: Generation;
    try { next = await buildGeneration(report.config, shared, old); } catch (err) { return fail(`${file}: ${(err as Error).message}`); }
    gen = next;
    dispatcher.reconfigure(next.dispatcherOptions);
    samples.resize(next.config.samples.max);
    plane.reconfigure(next.config.server);
    log.level = next.config.log.level;
    metrics.configInfo.remove({ hash });
    hash = nextHash;
    metrics.configInfo.set({ hash }, 1);
    metrics.configReloads.inc({ result: 'success' });
    const changed = changedSections(old.config, next.config);
    for (const w of report.warnings) log.warn({ route: w.route, kind: w.kind }, w.message);
    log.info({ file, config: hash, changed }, 'config reloaded: new requests use it, requests in flight finish with the old one');
    void retire(old, next, shared);
    return { ok: true, changed, hash };
  }
  const watcher = options.configFile
    ? new ConfigWatcher(options.configFile, () => { void reload(); }, (err) => log.warn({ err: err.message }, 'config file watch failed; SIGHUP still reloads'))
    : null;

  let draining: Promise<void> | null = null;
  const drain = (): Promise<void> => {
    draining ??= (async () => {
      const s = current().config.server;
      state.draining = true;
      metrics.draining.set(1);
      watcher?.close();
      log.info({ phase: 'not_ready', shutdownDelayMs: s.shutdownDelayMs, shutdownTimeoutMs: s.shutdownTimeoutMs }, 'shutdown: /readyz answers 503');
      if (s.shutdownDelayMs > 0) {
        log.info({ phase: 'delay', ms: s.shutdownDelayMs }, 'shutdown: still serving while endpoints propagate (server.shutdownDelayMs)');
        await sleep(s.shutdownDelayMs);
      }
      const deadline = Date.now() + s.shutdownTimeoutMs;
      requests.draining = true;
      const stopped = new Promise<void>((resolve) => plane.server.close(() => resolve()));
      // Idle keep-alive connections close now; busy ones after their last answer (connection: close).
      const idle = new Promise<void>((resolve) => {
        const check = () => { plane.server.closeIdleConnections(); if (requests.inflight === 0) resolve(); };
        requests.onEndWhileDraining = check;
        check();
      });
      log.info({ phase: 'drain', inflight: requests.inflight, shadows: dispatcher.inflight }, 'shutdown: listener closed; in-flight requests and shadows finish');
      const [timedOut, abandoned] = await Promise.all([
        Promise.race([idle.then(() => false), sleep(s.shutdownTimeoutMs).then(() => true)]),
        dispatcher.drain(Math.max(0, deadline - Date.now())),
      ]);
      if (timedOut) {
        const cut = requests.inflight;
        metrics.shutdownCut.inc(cut);
        log.warn({ phase: 'cut', requests: cut }, 'shutdown: server.shutdownTimeoutMs ran out; cutting the requests still in flight');
      }
      // What is left: WebSocket tunnels (they never finish on their own) and, after a timeout, the cut requests.
      plane.closeAllConnections();
      await Promise.race([stopped, sleep(1000)]);
      if (abandoned > 0) log.warn({ phase: 'shadows', abandoned }, 'shutdown: shadows still waiting for the agent were abandoned (shadowgate_shadow_dropped_total{reason="draining"})');
      await Promise.allSettled([closeServer(adminServer), retire(current(), null, shared)]);
      await tracing.close();
      metrics.draining.set(0);
      log.info({ phase: 'done' }, 'shadowgate stopped');
    })();
    return draining;
  };

  return {
    get config() { return current().config; },
    get flags() { return current().flagSource; },
    get routes() { return current().routes; },
    metrics, samples, dispatcher, dataUrl, adminUrl,
    reload, drain, close: drain,
  };
}

function dispatcherOptionsOf(config: Config) {
  return {
    maxInFlight: config.agent.maxInFlight, maxBufferedBytes: config.shadow.maxBufferedBytes, maxCaptureBytes: config.shadow.maxCaptureBytes,
    agentTimeoutMs: config.agent.timeoutMs, agentMaxResponseBytes: config.agent.maxResponseBytes, redactedHeaders: config.redact.headers,
  };
}

const sleep = (ms: number) => new Promise<void>((r) => { setTimeout(r, ms).unref(); });

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

function urlOf(server: http.Server): string {
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
  return `http://${host}:${addr.port}`;
}
