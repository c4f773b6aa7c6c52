// Composition root: builds every component from the frozen config, wires them, starts
// the two listeners, and knows the shutdown order. Holds no request logic.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/definitions.js';
import { createComparator } from './compare/index.js';
import { createFlagSource, FLAG_WARNING_KINDS, type FlagSource } from './flags/index.js';
import { ResultWindow } from './store/result-window.js';
import { SampleStore } from './store/samples.js';
import { Redactor } from './store/redact.js';
import { UpstreamClient } from './shadow/client.js';
import { ShadowDispatcher } from './shadow/dispatcher.js';
import { createRecorder } from './shadow/record.js';
import { createLegacyProxy } from './proxy/legacy.js';
import { createDataPlane } from './proxy/server.js';
import { createAdminApp } from './admin/app.js';
import { createReviewRouter, mountReviewPage } from './admin/review.js';
import type { RouteRuntime } from './routing/runtime.js';
import { createAutonomy } from './serve/autonomy.js';
import { createTracing } from './tracing/otel.js';
import { AgentReporter } from './tracing/agent-report.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

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

export async function startShadowgate(config: Config, log: Logger, options: StartOptions = {}): Promise<Shadowgate> {
  const metrics = createMetrics(new Registry());
  const tracing = createTracing(config.tracing, options.spanExporter);
  const reporter = new AgentReporter(metrics, config.metrics.maxToolsPerRoute);
  // [flags helper, for the lead to port] static context for both sources; warnings counted.
  for (const kind of FLAG_WARNING_KINDS) metrics.flagsWarnings.inc({ kind }, 0);
  const flags = config.flags.file || config.flags.unleash
    ? await createFlagSource(
      { file: config.flags.file, unleash: config.flags.unleash, watch: config.flags.watch, appName: config.flags.appName, environment: config.flags.environment },
      log, { onWarning: (w) => metrics.flagsWarnings.inc({ kind: w.kind }) },
    )
    : null;

  const routes: RouteRuntime[] = [];
  for (const route of config.routes) {
    routes.push({
      name: route.name,
      config: route,
      compare: await createComparator(structuredClone(route.compare)),
      window: new ResultWindow(config.samples.window),
      totals: {},
    });
  }

  const samples = new SampleStore(config.samples.max, () => metrics.samplesEvicted.inc());
  const redactor = new Redactor({ headers: config.redact.headers, fields: config.redact.fields, maxBodyBytes: config.samples.maxBodyBytes });
  // Fewer sockets than slots: under load a small pool reuses warm connections instead of
  // opening one per in-flight shadow; maxInFlight still bounds what can wait for one.
  const agentClient = new UpstreamClient(config.agent.url, { connections: Math.min(config.agent.maxInFlight, 64) });
  const legacy = createLegacyProxy({
    url: config.legacy.url, timeoutMs: config.legacy.timeoutMs, streamIdleTimeoutMs: config.legacy.streamIdleTimeoutMs, maxSockets: config.server.maxSockets, servedByHeader: config.server.servedByHeader,
  }, metrics, log, tracing);
  const autonomy = await createAutonomy({ config, routes, flags, agentClient, legacy, metrics, log, tracing, reporter });
  const recorder = createRecorder({
    metrics, log, samples, redactor, maxFieldsPerRoute: config.metrics.maxFieldsPerRoute, reporter, tracing,
    maxDecodedBytes: Math.max(config.shadow.maxCaptureBytes, config.agent.maxResponseBytes) * 4,
    onResult: (route, result, fromServePath) => autonomy.onComparison(route, result, fromServePath),
  });
  const dispatcher = new ShadowDispatcher({
    maxInFlight: config.agent.maxInFlight,
    maxBufferedBytes: config.shadow.maxBufferedBytes,
    maxCaptureBytes: config.shadow.maxCaptureBytes,
    agentTimeoutMs: config.agent.timeoutMs,
    agentMaxResponseBytes: config.agent.maxResponseBytes,
    redactedHeaders: config.redact.headers,
  }, agentClient, metrics, log, recorder, tracing);
  autonomy.attach(dispatcher);
  const dataServer = createDataPlane({ config, routes, legacy, dispatcher, autonomy, metrics, log, tracing });

  const adminHost = config.admin.host ?? (config.admin.token ? '0.0.0.0' : '127.0.0.1');
  const adminApp = createAdminApp({
    token: config.admin.token, registry: metrics.registry, samples, log,
    routes: autonomy.routeActions(),
    ready: () => ({ ready: listening, checks: { flags: flags?.status() ?? null, dataPlane: listening } }),
    public: (app) => mountReviewPage(app),
    extend: (app) => { app.use(createReviewRouter({ samples, metrics, routes: routes.map((r) => r.name), log })); },
  });
  const adminServer = http.createServer(adminApp);

  let listening = false;
  await listen(dataServer, config.server.port, config.server.host);
  await listen(adminServer, config.admin.port, adminHost);
  listening = true;
  const dataUrl = urlOf(dataServer);
  const adminUrl = urlOf(adminServer);
  if (!config.admin.token) {
    log.warn({ adminUrl }, 'no admin token configured: admin API listens on 127.0.0.1 only and asks for no credentials');
  }
  log.info({ dataUrl, adminUrl, routes: routes.map((r) => r.name), flags: flags?.kind ?? 'none' }, 'shadowgate started');

  let closing: Promise<void> | null = null;
  return {
    config, metrics, samples, flags, routes, dispatcher, dataUrl, adminUrl,
    close() {
      closing ??= (async () => {
        listening = false;
        const stopped = closeServer(dataServer);
        await dispatcher.drain(Math.min(config.agent.timeoutMs, 10_000));
        await Promise.allSettled([stopped, closeServer(adminServer), agentClient.close(), flags?.close(), autonomy.close()]);
        await tracing.close();
        legacy.close();
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

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    // Connections still busy after a grace period are cut: shutdown must finish.
    setTimeout(() => server.closeAllConnections(), 5000).unref();
  });
}

function urlOf(server: http.Server): string {
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
  return `http://${host}:${addr.port}`;
}
