// Everything built from one config: routes, flags, the upstream pools, the request handler.
// A live reload builds the next generation beside the one in force and swaps it in for new
// requests; requests already running finish with the generation they started in. What does
// not change between the two configs is carried over, not rebuilt: a route's state (kill,
// guardrail, breaker, counters, recent results) by name, the flag source, the pools.
import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { Config, RouteConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { RouteMetrics } from '../metrics/route-metrics.js';
import { createComparator } from '../compare/index.js';
import { createFlagSource, FLAG_WARNING_KINDS, type FlagSource } from '../flags/index.js';
import { ResultWindow } from '../store/result-window.js';
import type { SampleStore } from '../store/samples.js';
import { Redactor } from '../store/redact.js';
import type { ByteBudget } from '../shadow/capture.js';
import type { ShadowDispatcher, DispatcherOptions } from '../shadow/dispatcher.js';
import { createRecorder } from '../shadow/record.js';
import type { ShadowJob } from '../shadow/job.js';
import { UpstreamClient } from '../proxy/upstream-client.js';
import type { RequestTracker } from '../proxy/exchange.js';
import { LegacyForwarder } from '../proxy/legacy.js';
import { createRequestHandler, type RequestHandler } from '../proxy/passes.js';
import { createWebSocketPass, type WebSocketPass } from '../proxy/websocket.js';
import { createRouteMatcher, UNMATCHED, type RouteMatcher } from '../routing/match.js';
import type { RouteRuntime } from '../routing/runtime.js';
import { createGates } from '../serve/gates.js';
import { RouteControl } from '../serve/route-control.js';
import { RouteFlags } from '../serve/route-flags.js';
import { createServePath } from '../serve/serve-path.js';
import type { Tracing } from '../tracing/otel.js';
import { AgentReporter } from '../tracing/agent-report.js';

/** Request bodies up to this size are read whole before legacy is called (see proxy/body.ts). */
export const MAX_PREREAD_BYTES = 64 * 1024;

/** What lives for the whole process, whatever the config generation. */
export interface Shared {
  metrics: Metrics;
  log: Logger;
  tracing: Tracing;
  samples: SampleStore;
  dispatcher: ShadowDispatcher;
  prereadBudget: ByteBudget;
  admission: { inflight: number };
  /** A route's state by name: it survives reloads that keep the name. */
  requests: RequestTracker;
  routeStates: Map<string, { window: ResultWindow; totals: Record<string, number>; metrics: RouteMetrics; control: RouteControl }>;
  unmatched: RouteMetrics;
}

export interface Generation {
  readonly config: Config;
  readonly routes: readonly RouteRuntime[];
  readonly matcher: RouteMatcher<RouteRuntime>;
  readonly flags: RouteFlags;
  readonly flagSource: FlagSource | null;
  readonly handler: RequestHandler;
  readonly ws: WebSocketPass;
  readonly legacyPool: Pool;
  readonly agentPool: Pool;
  readonly agentClient: UpstreamClient;
  readonly dispatcherOptions: DispatcherOptions;
  /** The comparison recorder of this config (redaction, field bounds). */
  readonly record: (job: ShadowJob) => Promise<void>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const flagsKey = (c: Config) => ({ file: c.flags.file, unleash: c.flags.unleash, watch: c.flags.watch, appName: c.flags.appName, environment: c.flags.environment });

export async function buildGeneration(config: Config, shared: Shared, previous?: Generation): Promise<Generation> {
  const { metrics, log, tracing } = shared;
  const flagSource = await flagSourceFor(config, shared, previous);
  const flags = new RouteFlags(flagSource, config.routes, metrics);
  const routes: RouteRuntime[] = [];
  try {
    for (const route of config.routes) routes.push(await routeRuntime(route, config, shared, flags));
  } catch (err) {
    flags.close();
    if (flagSource !== previous?.flagSource) await flagSource?.close();
    throw err;
  }
  flags.onRefresh(() => { for (const r of routes) r.control.syncGauges(); });

  const legacyPool = previous && same(poolKey(previous.config, 'legacy'), poolKey(config, 'legacy')) ? previous.legacyPool : newPool(config, 'legacy');
  const agentPool = previous && same(poolKey(previous.config, 'agent'), poolKey(config, 'agent')) ? previous.agentPool : newPool(config, 'agent');
  const legacyClient = new UpstreamClient(legacyPool, config.legacy.url);
  const agentClient = new UpstreamClient(agentPool, config.agent.url);
  const reporter = new AgentReporter(metrics, config.metrics.maxToolsPerRoute);
  const redactor = new Redactor({ headers: config.redact.headers, fields: config.redact.fields, maxBodyBytes: config.samples.maxBodyBytes });
  const record = createRecorder({
    metrics, log, samples: shared.samples, redactor, maxFieldsPerRoute: config.metrics.maxFieldsPerRoute, reporter, tracing,
    maxDecodedBytes: Math.max(config.shadow.maxCaptureBytes, config.agent.maxResponseBytes) * 4,
    onResult: (route, result, fromServePath) => route.control.onComparison(result, fromServePath),
  });
  const legacy = new LegacyForwarder(legacyPool, {
    timeoutMs: config.legacy.timeoutMs, streamIdleTimeoutMs: config.legacy.streamIdleTimeoutMs,
    servedByHeader: config.server.servedByHeader, maxPrereadBytes: MAX_PREREAD_BYTES,
  }, metrics, log, tracing, shared.prereadBudget);
  const serve = createServePath({ config, legacy, legacyClient, agentClient, dispatcher: shared.dispatcher, metrics, log, tracing, reporter, admission: shared.admission });
  const byPattern = createRouteMatcher(routes.map((route) => ({ route, match: route.config.match })));
  const matcher: RouteMatcher<RouteRuntime> = { match: (method, path) => byPattern.match(method, path)?.route };
  const handler = createRequestHandler({
    config, matcher, flags, legacy, serve, dispatcher: shared.dispatcher, metrics, unmatched: shared.unmatched, log, tracing,
    requests: shared.requests, agentClient,
  });
  const ws = previous && previous.config.legacy.url === config.legacy.url && previous.config.legacy.timeoutMs === config.legacy.timeoutMs
    ? previous.ws : createWebSocketPass(config.legacy.url, metrics, log, config.legacy.timeoutMs);
  const dispatcherOptions: DispatcherOptions = {
    maxInFlight: config.agent.maxInFlight,
    maxBufferedBytes: config.shadow.maxBufferedBytes,
    maxCaptureBytes: config.shadow.maxCaptureBytes,
    agentTimeoutMs: config.agent.timeoutMs,
    agentMaxResponseBytes: config.agent.maxResponseBytes,
    redactedHeaders: config.redact.headers,
  };
  return { config, routes, matcher, flags, flagSource, handler, ws, legacyPool, agentPool, agentClient, dispatcherOptions, record };
}

async function flagSourceFor(config: Config, shared: Shared, previous: Generation | undefined): Promise<FlagSource | null> {
  if (previous && same(flagsKey(previous.config), flagsKey(config))) return previous.flagSource;
  if (!config.flags.file && !config.flags.unleash) return null;
  if (!previous) for (const kind of FLAG_WARNING_KINDS) shared.metrics.flagsWarnings.inc({ kind }, 0);
  return createFlagSource(
    { file: config.flags.file, unleash: config.flags.unleash, watch: config.flags.watch, appName: config.flags.appName, environment: config.flags.environment },
    shared.log, { onWarning: (w) => shared.metrics.flagsWarnings.inc({ kind: w.kind }) },
  );
}

async function routeRuntime(route: RouteConfig, config: Config, shared: Shared, flags: RouteFlags): Promise<RouteRuntime> {
  const compare = await createComparator(structuredClone(route.compare));
  const gates = await createGates(route);
  const rollouts = { serve: () => flags.rollout(route.name, 'serve'), kill: () => flags.rollout(route.name, 'kill') };
  let state = shared.routeStates.get(route.name);
  if (state) {
    state.control.reconfigure(route, gates, rollouts);
    state.window.resize(config.samples.window);
  } else {
    state = {
      window: new ResultWindow(config.samples.window),
      totals: {},
      metrics: new RouteMetrics(shared.metrics, route.name),
      control: new RouteControl(route.name, route, gates, shared.metrics, shared.log, rollouts),
    };
    shared.routeStates.set(route.name, state);
  }
  return { name: route.name, config: route, compare, window: state.window, metrics: state.metrics, control: state.control, totals: state.totals };
}

function poolKey(config: Config, upstream: 'legacy' | 'agent') {
  return upstream === 'legacy'
    ? { origin: new URL(config.legacy.url).origin, connections: config.server.maxSockets }
    : { origin: new URL(config.agent.url).origin, connections: Math.min(config.agent.maxInFlight, 64) };
}

function newPool(config: Config, upstream: 'legacy' | 'agent'): Pool {
  const { origin, connections } = poolKey(config, upstream);
  // The agent gets fewer sockets than slots: under load a small pool reuses warm connections
  // instead of opening one per in-flight shadow; maxInFlight still bounds what can wait.
  return new Pool(origin, { connections, pipelining: 1 } satisfies Pool.Options);
}

/** Closes what `old` holds and `next` does not reuse, once its requests are done (pools close gracefully). */
export async function retire(old: Generation, next: Generation | null, shared: Shared): Promise<void> {
  old.flags.close();
  if (next === null || next.flagSource !== old.flagSource) await old.flagSource?.close();
  const pools: Dispatcher[] = [];
  if (next === null || next.legacyPool !== old.legacyPool) pools.push(old.legacyPool);
  if (next === null || next.agentPool !== old.agentPool) pools.push(old.agentPool);
  if (next === null || next.ws !== old.ws) old.ws.close();
  if (next !== null) {
    // Routes the new config no longer has: their state goes (their series stay where they were).
    const keep = new Set(next.config.routes.map((r) => r.name));
    for (const name of [...shared.routeStates.keys()]) if (!keep.has(name)) shared.routeStates.delete(name);
  }
  await Promise.allSettled(pools.map((p) => (next === null ? p.destroy() : p.close())));
}

export { UNMATCHED };
