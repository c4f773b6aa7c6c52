// Composition root: builds every component from the frozen config and wires them in one
// pass (each gets what it needs when it is built), starts the two listeners, and knows the
// shutdown order. Holds no request logic.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { Pool } from 'undici';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/definitions.js';
import { RouteMetrics } from './metrics/route-metrics.js';
import { createComparator } from './compare/index.js';
import { createFlagSource, FLAG_WARNING_KINDS, type FlagSource } from './flags/index.js';
import { ResultWindow } from './store/result-window.js';
import { SampleStore } from './store/samples.js';
import { Redactor } from './store/redact.js';
import { ByteBudget } from './shadow/capture.js';
import { ShadowDispatcher } from './shadow/dispatcher.js';
import { createRecorder } from './shadow/record.js';
import { UpstreamClient } from './proxy/upstream-client.js';
import { LegacyForwarder } from './proxy/legacy.js';
import { createRequestHandler } from './proxy/passes.js';
import { createDataPlane } from './proxy/server.js';
import { createWebSocketPass } from './proxy/websocket.js';
import { createAdminApp } from './admin/app.js';
import { createReviewRouter, mountReviewPage } from './admin/review.js';
import { createRouteMatcher, UNMATCHED } from './routing/match.js';
import type { RouteRuntime } from './routing/runtime.js';
import { createGates } from './serve/gates.js';
import { RouteControl } from './serve/route-control.js';
import { RouteFlags } from './serve/route-flags.js';
import { createRouteActions } from './serve/route-view.js';
import { createServePath } from './serve/serve-path.js';
import { createTracing } from './tracing/otel.js';
import { AgentReporter } from './tracing/agent-report.js';

export interface Shadowgate {
  config: Config;
  metrics: Metrics;
  samples: SampleStore;
  flags: FlagSource | null;
  routes: readonly RouteRuntime[];
  dispatcher: ShadowDispatcher;
  dataUrl: string;
  adminUrl: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Tests hand in an in-memory exporter; otherwise tracing follows config.tracing. */
  spanExporter?: SpanExporter;
}

/** Request bodies up to this size are read whole before legacy is called (see proxy/body.ts)… */
const MAX_PREREAD_BYTES = 64 * 1024;
/** …as long as all pre-read bodies together stay under this. */
const PREREAD_BUDGET_BYTES = 16 * 1024 * 1024;

export async function startShadowgate(config: Config, log: Logger, options: StartOptions = {}): Promise<Shadowgate> {
  const metrics = createMetrics(new Registry());
  const tracing = createTracing(config.tracing, options.spanExporter);
  const reporter = new AgentReporter(metrics, config.metrics.maxToolsPerRoute);
  for (const kind of FLAG_WARNING_KINDS) metrics.flagsWarnings.inc({ kind }, 0);
  const flagSource = config.flags.file || config.flags.unleash
    ? await createFlagSource(
      { file: config.flags.file, unleash: config.flags.unleash, watch: config.flags.watch, appName: config.flags.appName, environment: config.flags.environment },
      log, { onWarning: (w) => metrics.flagsWarnings.inc({ kind: w.kind }) },
    )
    : null;
  const flags = new RouteFlags(flagSource, config.routes, metrics);

  const routes: RouteRuntime[] = [];
  for (const route of config.routes) {
    routes.push({
      name: route.name,
      config: route,
      compare: await createComparator(structuredClone(route.compare)),
      window: new ResultWindow(config.samples.window),
      metrics: new RouteMetrics(metrics, route.name),
      control: new RouteControl(route.name, route, await createGates(route), metrics, log, {
        serve: () => flags.rollout(route.name, 'serve'),
        kill: () => flags.rollout(route.name, 'kill'),
      }),
      totals: {},
    });
  }
  flags.onRefresh(() => { for (const r of routes) r.control.syncGauges(); });

  const legacyPool = new Pool(new URL(config.legacy.url).origin, { connections: config.server.maxSockets, pipelining: 1 });
  // Fewer sockets than slots: under load a small pool reuses warm connections instead of
  // opening one per in-flight shadow; maxInFlight still bounds what can wait for one.
  const agentPool = new Pool(new URL(config.agent.url).origin, { connections: Math.min(config.agent.maxInFlight, 64), pipelining: 1 });
  const legacyClient = new UpstreamClient(legacyPool, config.legacy.url);
  const agentClient = new UpstreamClient(agentPool, config.agent.url);

  const samples = new SampleStore(config.samples.max, () => metrics.samplesEvicted.inc());
  const redactor = new Redactor({ headers: config.redact.headers, fields: config.redact.fields, maxBodyBytes: config.samples.maxBodyBytes });
  const recorder = createRecorder({
    metrics, log, samples, redactor, maxFieldsPerRoute: config.metrics.maxFieldsPerRoute, reporter, tracing,
    maxDecodedBytes: Math.max(config.shadow.maxCaptureBytes, config.agent.maxResponseBytes) * 4,
    onResult: (route, result, fromServePath) => route.control.onComparison(result, fromServePath),
  });
  const dispatcher = new ShadowDispatcher({
    maxInFlight: config.agent.maxInFlight,
    maxBufferedBytes: config.shadow.maxBufferedBytes,
    maxCaptureBytes: config.shadow.maxCaptureBytes,
    agentTimeoutMs: config.agent.timeoutMs,
    agentMaxResponseBytes: config.agent.maxResponseBytes,
    redactedHeaders: config.redact.headers,
  }, agentClient, metrics, log, recorder, tracing, (route, call) => route.control.breaker.run(call));

  const legacy = new LegacyForwarder(legacyPool, {
    timeoutMs: config.legacy.timeoutMs, streamIdleTimeoutMs: config.legacy.streamIdleTimeoutMs,
    servedByHeader: config.server.servedByHeader, maxPrereadBytes: MAX_PREREAD_BYTES,
  }, metrics, log, tracing, new ByteBudget(PREREAD_BUDGET_BYTES));
  const serve = createServePath({ config, legacy, legacyClient, agentClient, dispatcher, metrics, log, tracing, reporter });
  const entries = routes.map((route) => ({ route, match: route.config.match }));
  const byPattern = createRouteMatcher(entries);
  const matcher = { match: (method: string, path: string) => byPattern.match(method, path)?.route };
  const handler = createRequestHandler({
    config, matcher, flags, legacy, serve, dispatcher, metrics, unmatched: new RouteMetrics(metrics, UNMATCHED), log, tracing,
  });
  const ws = createWebSocketPass(config.legacy.url, metrics, log);
  const plane = createDataPlane(config, handler, ws, matcher, metrics, log);

  const adminHost = config.admin.host ?? (config.admin.token ? '0.0.0.0' : '127.0.0.1');
  let listening = false;
  const adminApp = createAdminApp({
    token: config.admin.token, registry: metrics.registry, samples, log,
    routes: createRouteActions(routes, flags, log),
    ready: () => ({ ready: listening, checks: { flags: flagSource?.status() ?? null, dataPlane: listening } }),
    public: (app) => mountReviewPage(app),
    extend: (app) => { app.use(createReviewRouter({ samples, metrics, routes: routes.map((r) => r.name), log })); },
  });
  const adminServer = http.createServer(adminApp);

  await listen(plane.server, config.server.port, config.server.host);
  await listen(adminServer, config.admin.port, adminHost);
  listening = true;
  const dataUrl = urlOf(plane.server);
  const adminUrl = urlOf(adminServer);
  if (!config.admin.token) {
    log.warn({ adminUrl }, 'no admin token configured: admin API listens on 127.0.0.1 only and asks for no credentials');
  }
  log.info({ dataUrl, adminUrl, routes: routes.map((r) => r.name), flags: flagSource?.kind ?? 'none' }, 'shadowgate started');

  let closing: Promise<void> | null = null;
  return {
    config, metrics, samples, flags: flagSource, routes, dispatcher, dataUrl, adminUrl,
    close() {
      closing ??= (async () => {
        listening = false;
        const stopped = closeServer(plane.server, () => plane.closeAllConnections());
        await dispatcher.drain(Math.min(config.agent.timeoutMs, 10_000));
        await Promise.allSettled([stopped, closeServer(adminServer, () => adminServer.closeAllConnections()), flagSource?.close()]);
        flags.close();
        ws.close();
        await Promise.allSettled([legacyPool.destroy(), agentPool.destroy()]);
        await tracing.close();
        log.info({}, 'shadowgate stopped');
      })();
      return closing;
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
}

function closeServer(server: http.Server, cutAll: () => void): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections still busy after a grace period are cut: shutdown must finish.
    setTimeout(cutAll, 5000).unref();
  });
}

function urlOf(server: http.Server): string {
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
  return `http://${host}:${addr.port}`;
}
