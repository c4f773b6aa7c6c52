// Everything built from one config: routes, flags, the upstream pools, the request handler.
// A live reload builds the next generation beside the one in force and swaps it in for new
// requests; requests already running finish with the generation they started in. What does
// not change between the two configs is carried over, not rebuilt: a route's state (kill,
// guardrail, breaker, counters, recent results) by name, the flag source, the pools.
import type { Dispatcher } from 'undici';
import { Pool } from 'undici';
import type { CandidateConfig, Config, RouteConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { RouteMetrics } from '../metrics/route-metrics.js';
import { createComparator } from '../compare/index.js';
import { RouteEvaluation } from '../evaluation/route-evaluation.js';
import { createFlagSource, FLAG_WARNING_KINDS, type FlagSource } from '../flags/index.js';
import { ResultWindow } from '../store/result-window.js';
import type { SampleStore } from '../store/samples.js';
import { Redactor } from '../store/redact.js';
import type { ByteBudget } from '../shadow/capture.js';
import type { ShadowDispatcher, DispatcherOptions } from '../shadow/dispatcher.js';
import { createRecorder } from '../shadow/record.js';
import { createCalibrator } from '../shadow/calibrate.js';
import type { ShadowJob } from '../shadow/job.js';
import { SuiteRecorder } from '../suites/recorder.js';
import { SuiteWriter } from '../suites/writer.js';
import { UpstreamClient } from '../proxy/upstream-client.js';
import type { RequestTracker } from '../proxy/exchange.js';
import { LegacyForwarder } from '../proxy/legacy.js';
import { createRequestHandler, type RequestHandler } from '../proxy/passes.js';
import { createWebSocketPass, type WebSocketPass } from '../proxy/websocket.js';
import { createRouteMatcher, UNMATCHED, type RouteMatcher } from '../routing/match.js';
import type { Candidate, RouteRuntime } from '../routing/runtime.js';
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
  routeStates: Map<string, { window: ResultWindow; totals: Record<string, number>; metrics: RouteMetrics; control: RouteControl; evaluation: RouteEvaluation }>;
  unmatched: RouteMetrics;
  /** Kept across generations (it remembers which ids were recorded); null until a route records. */
  suiteRecorder?: SuiteRecorder | null;
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
  /** Pools of the top-level `candidates`, by name (with what they were built from, for reuse). */
  readonly candidatePools: ReadonlyMap<string, { pool: Pool; key: string }>;
  /** Golden suites: null when no route records. */
  readonly suites: SuiteRecorder | null;
  readonly suiteWriter: SuiteWriter | null;
  readonly dispatcherOptions: DispatcherOptions;
  /** The comparison recorder of this config (redaction, field bounds). */
  readonly record: (job: ShadowJob) => void | Promise<void>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const flagsKey = (c: Config) => ({ file: c.flags.file, unleash: c.flags.unleash, watch: c.flags.watch, appName: c.flags.appName, environment: c.flags.environment });

export async function buildGeneration(config: Config, shared: Shared, previous?: Generation): Promise<Generation> {
  const { metrics, log, tracing } = shared;
  const flagSource = await flagSourceFor(config, shared, previous);
  const flags = new RouteFlags(flagSource, config.routes, metrics);
  const legacyPool = previous && same(poolKey(previous.config, 'legacy'), poolKey(config, 'legacy')) ? previous.legacyPool : newPool(config, 'legacy');
  const agentPool = previous && same(poolKey(previous.config, 'agent'), poolKey(config, 'agent')) ? previous.agentPool : newPool(config, 'agent');
  const agentClient = new UpstreamClient(agentPool, config.agent.url);
  const candidatePools = new Map<string, { pool: Pool; key: string }>();
  const candidates = new Map<string, Candidate>([['agent', { name: 'agent', client: agentClient, timeoutMs: config.agent.timeoutMs }]]);
  for (const c of config.candidates) {
    const key = JSON.stringify(candidatePoolKey(c, config));
    const reused = previous?.candidatePools.get(c.name);
    const pool = reused && reused.key === key ? reused.pool : new Pool(new URL(c.url).origin, { connections: candidatePoolKey(c, config).connections, pipelining: 1 });
    candidatePools.set(c.name, { pool, key });
    candidates.set(c.name, { name: c.name, client: new UpstreamClient(pool, c.url), timeoutMs: c.timeoutMs });
  }
  const routes: RouteRuntime[] = [];
  try {
    for (const route of config.routes) routes.push(await routeRuntime(route, config, shared, flags, candidates));
  } catch (err) {
    flags.close();
    if (flagSource !== previous?.flagSource) await flagSource?.close();
    // Pools this attempt made (not reused from the generation in force) hold nothing yet.
    const made = [legacyPool, agentPool, ...[...candidatePools.values()].map((c) => c.pool)]
      .filter((p) => p !== previous?.legacyPool && p !== previous?.agentPool && ![...(previous?.candidatePools.values() ?? [])].some((c) => c.pool === p));
    await Promise.allSettled(made.map((p) => p.destroy()));
    throw err;
  }
  flags.onRefresh(() => { for (const r of routes) r.control.syncGauges(); });

  const legacyClient = new UpstreamClient(legacyPool, config.legacy.url);
  const reporter = new AgentReporter(metrics, config.metrics.maxToolsPerRoute);
  const redactor = new Redactor({ headers: config.redact.headers, fields: config.redact.fields, maxBodyBytes: config.samples.maxBodyBytes, patterns: config.redact.patterns });
  const { suites, suiteWriter } = suitesFor(config, shared, redactor, previous);
  const maxDecodedBytes = Math.max(config.shadow.maxCaptureBytes, config.agent.maxResponseBytes) * 4;
  const calibrate = config.routes.some((r) => r.calibration) ? createCalibrator({
    legacyClient, budget: shared.dispatcher.budget, isDraining: () => shared.dispatcher.isDraining,
    legacyTimeoutMs: config.legacy.timeoutMs, legacyMaxBytes: config.shadow.maxCaptureBytes,
    agentTimeoutMs: config.agent.timeoutMs, agentMaxBytes: config.agent.maxResponseBytes, maxDecodedBytes,
    redactedHeaders: config.redact.headers, log,
  }) : undefined;
  const record = createRecorder({
    metrics, log, samples: shared.samples, redactor, maxFieldsPerRoute: config.metrics.maxFieldsPerRoute, reporter, tracing,
    maxDecodedBytes, suites, calibrate,
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
  return { config, routes, matcher, flags, flagSource, handler, ws, legacyPool, agentPool, agentClient, candidatePools, suites, suiteWriter, dispatcherOptions, record };
}

/** The suite writer (reused while `suites` is unchanged) and the process's suite recorder, for the routes that record. */
function suitesFor(config: Config, shared: Shared, redactor: Redactor, previous: Generation | undefined): { suites: SuiteRecorder | null; suiteWriter: SuiteWriter | null } {
  const recording = config.routes.filter((r) => r.record !== undefined);
  if (recording.length === 0) return { suites: null, suiteWriter: null };
  const names = recording.map((r) => r.name);
  const reuse = previous?.suiteWriter && same(previous.config.suites, config.suites);
  // The queue never holds more than one file's worth of cases (16 MiB at most).
  const writer = reuse ? previous!.suiteWriter! : new SuiteWriter({ ...config.suites, routes: names, maxQueueBytes: Math.min(16 << 20, config.suites.maxFileBytes) }, shared.metrics, shared.log);
  if (reuse) for (const route of names) for (const result of ['written', 'dropped'] as const) shared.metrics.suiteRecords.inc({ route, result }, 0);
  const routes = Object.fromEntries(recording.map((r) => [r.name, r.record]));
  if (shared.suiteRecorder) shared.suiteRecorder.reconfigure({ writer, redactor, routes });
  else shared.suiteRecorder = new SuiteRecorder({ writer, redactor, routes, rememberIds: Math.max(config.samples.max, 10_000) });
  return { suites: shared.suiteRecorder, suiteWriter: writer };
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

async function routeRuntime(route: RouteConfig, config: Config, shared: Shared, flags: RouteFlags, candidates: ReadonlyMap<string, Candidate>): Promise<RouteRuntime> {
  const compare = await createComparator(structuredClone(route.compare));
  const gates = await createGates(route);
  const rollouts = { serve: () => flags.rollout(route.name, 'serve'), kill: () => flags.rollout(route.name, 'kill') };
  let state = shared.routeStates.get(route.name);
  if (state) {
    state.control.reconfigure(route, gates, rollouts);
    state.window.resize(config.samples.window);
    state.evaluation.configure(route, config);
  } else {
    state = {
      window: new ResultWindow(config.samples.window),
      totals: {},
      metrics: new RouteMetrics(shared.metrics, route.name),
      control: new RouteControl(route.name, route, gates, shared.metrics, shared.log, rollouts),
      evaluation: new RouteEvaluation(route.name, route, config, shared.metrics),
    };
    shared.routeStates.set(route.name, state);
  }
  // Names were checked by the schema: every one is "agent" or a top-level candidate.
  const resolve = (names: readonly string[]) => names.map((n) => candidates.get(n)!);
  const quorum = route.serve.quorum ? { candidates: resolve(route.serve.quorum.candidates), minAgree: route.serve.quorum.minAgree } : null;
  if (quorum) shared.metrics.fallbacks.inc({ route: route.name, reason: 'no_quorum' }, 0);
  return {
    name: route.name, config: route, compare, window: state.window, metrics: state.metrics, control: state.control, totals: state.totals,
    evaluation: state.evaluation, candidates: route.candidates ? resolve(route.candidates) : null, quorum,
  };
}

function candidatePoolKey(c: CandidateConfig, config: Config) {
  return { origin: new URL(c.url).origin, connections: Math.min(config.agent.maxInFlight, 64) };
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
  for (const [name, { pool }] of old.candidatePools) if (next === null || next.candidatePools.get(name)?.pool !== pool) pools.push(pool);
  // After the dispatcher drained (shutdown), or once no generation writes to it (reload).
  if (old.suiteWriter && (next === null || next.suiteWriter !== old.suiteWriter)) await closeSuites(old.suiteWriter, shared.log);
  if (next === null || next.ws !== old.ws) old.ws.close();
  if (next !== null) {
    // Routes the new config no longer has: their state goes (their series stay where they were).
    const keep = new Set(next.config.routes.map((r) => r.name));
    for (const name of [...shared.routeStates.keys()]) if (!keep.has(name)) shared.routeStates.delete(name);
  }
  await Promise.allSettled(pools.map((p) => (next === null ? p.destroy() : p.close())));
}

/** How long a shutdown or reload waits for queued suite cases to reach the disk. */
export const SUITE_CLOSE_MS = 5000;

/** Closes a suite writer, bounded: a disk that does not answer must not hold a shutdown for ever. */
async function closeSuites(writer: SuiteWriter, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), SUITE_CLOSE_MS); timer.unref(); });
  const timedOut = await Promise.race([writer.close().then(() => false), late]);
  clearTimeout(timer);
  if (timedOut) log.warn({ pending: writer.pending, waitedMs: SUITE_CLOSE_MS }, 'suite writer did not finish in time: the cases still queued are lost');
}

export { UNMATCHED };
