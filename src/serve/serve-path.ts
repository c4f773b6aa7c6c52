// The serve path: the agent answers, and only answers that pass the route's gates reach
// the client. Anything else (timeout, transport error, 5xx, failed gate, open circuit,
// oversized body) is served by legacy instead, and counted as a fallback with its reason.
// Steps, in order: admit (size, concurrency) -> read the body -> call the agent (with one
// retry) [and legacy, in parallel mode] -> judge -> answer -> compare (parallel mode).
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { BodyRelay } from '../proxy/body.js';
import type { Exchange } from '../proxy/exchange.js';
import type { ForwardedRequest } from '../proxy/headers.js';
import type { LegacyForwarder } from '../proxy/legacy.js';
import type { Cancellable, UpstreamClient, UpstreamResponse, UpstreamResult } from '../proxy/upstream-client.js';
import { writeLegacyError } from '../proxy/upstream-errors.js';
import type { RouteRuntime } from '../routing/runtime.js';
import { buildAgentHeaders, SAMPLE_ID_HEADER, SHADOW_MARKER } from '../shadow/agent-request.js';
import type { ShadowDispatcher } from '../shadow/dispatcher.js';
import { shouldSample } from '../shadow/sample.js';
import { genAiAttributes, type Tracing } from '../tracing/otel.js';
import type { AgentReport, AgentReporter } from '../tracing/agent-report.js';
import { writeWholeAnswer } from './answers.js';
import { isAgentFailure } from './breaker.js';
import { backoffMs, IDEMPOTENT, shouldRetry } from './retry.js';

export interface ServeDeps {
  config: Config;
  legacy: LegacyForwarder;
  /** Buffered calls to legacy (parallel mode) on the pass-through's own pool. */
  legacyClient: UpstreamClient;
  agentClient: UpstreamClient;
  dispatcher: ShadowDispatcher;
  metrics: Metrics;
  log: Logger;
  tracing: Tracing;
  reporter: AgentReporter;
  /** Requests the agent is serving right now, shared by every config generation (agent.maxServeInFlight bounds it). */
  admission: { inflight: number };
  random?: () => number;
}

/** One request the agent was chosen to serve. */
interface ServeRequest { route: RouteRuntime; ex: Exchange; path: string; fwd: ForwardedRequest }

export type ServePath = (route: RouteRuntime, ex: Exchange, path: string, fwd: ForwardedRequest) => void;

export function createServePath(deps: ServeDeps): ServePath {
  const { config, metrics } = deps;
  const random = deps.random ?? Math.random;
  // Everything the serve path holds (request body, the agent's answer, legacy's in parallel
  // mode) is per request: bounding the requests bounds the memory.
  const admission = deps.admission;
  metrics.serveInflightLimit.set(config.agent.maxServeInFlight);

  const toLegacy = (s: ServeRequest, body?: Buffer | BodyRelay) => deps.legacy.forward(s.ex, s.path, s.fwd, body);

  /** Admission and the body read. */
  return function serve(route, ex, path, fwd) {
    const s: ServeRequest = { route, ex, path, fwd };
    const max = route.config.shadow.maxBodyBytes;
    const { req, res } = ex;
    if (Number(req.headers['content-length'] ?? 0) > max) { route.metrics.fallback('body_too_large'); toLegacy(s); return; }
    if (admission.inflight >= config.agent.maxServeInFlight) { route.metrics.fallback('backpressure'); toLegacy(s); return; }
    admission.inflight++;
    metrics.serveInflight.set(admission.inflight);
    res.once('close', () => { admission.inflight--; metrics.serveInflight.set(admission.inflight); });
    if (!fwd.hasBody) { run(s, Buffer.alloc(0)); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= max) return;
      // Too large to hold for the agent: legacy gets what was read and the rest, streamed.
      overflow = true;
      req.off('data', onData);
      req.pause();
      route.metrics.fallback('body_too_large');
      toLegacy(s, new BodyRelay(req, chunks));
    };
    req.on('data', onData);
    req.once('end', () => { if (!overflow) run(s, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)); });
  };

  function run(s: ServeRequest, body: Buffer): void {
    proceed(s, body).catch((err: unknown) => {
      deps.log.error({ err, route: s.route.name }, 'serve path failed; legacy serves');
      if (!s.ex.res.headersSent && !s.ex.res.destroyed) { s.route.metrics.fallback('internal'); toLegacy(s, body); }
    });
  }

  async function proceed(s: ServeRequest, body: Buffer): Promise<void> {
    const { route, ex } = s;
    const { req, res } = ex;
    const serveCfg = route.config.serve;
    const method = req.method ?? 'GET';
    const deadline = performance.now() + serveCfg.timeoutMs;
    const agentCall: Cancellable = { cancel: undefined };
    const legacyCall: Cancellable = { cancel: undefined };
    ex.onClientGone = () => {
      agentCall.cancelled = true; agentCall.cancel?.();
      legacyCall.cancelled = true; legacyCall.cancel?.();
    };

    const parallel = serveCfg.fallback === 'parallel' && shouldSample(serveCfg.compareLegacyPercent, route.name, undefined, random);
    const held = parallel ? callLegacy(s, body, legacyCall) : null;

    const agentHeaders = buildAgentHeaders(req, deps.agentClient.host, config.redact.headers, route.config.shadow.forwardHeaders, '');
    delete agentHeaders[SHADOW_MARKER]; // this call is for real: the agent must act
    delete agentHeaders[SAMPLE_ID_HEADER]; // no sample exists for a served request
    const agentSpan = deps.tracing.childSpan(ex.span, 'agent', { 'shadowgate.upstream': 'agent', 'shadowgate.route': route.name });
    deps.tracing.inject(agentSpan, agentHeaders);
    const retryable = IDEMPOTENT.has(method) || serveCfg.retryNonIdempotent;
    const agent = await callAgent(route, { method, path: s.path, headers: agentHeaders, body, cancellable: agentCall }, deadline, retryable);
    const report: AgentReport | null = agent?.ok ? deps.reporter.record(route.config, agent) : null;
    deps.tracing.end(agentSpan, agent?.ok ? agent.status : 'error', genAiAttributes(report));
    // A call the circuit refused, or the client abandoned, says nothing about the agent.
    if (agent !== null && !(!agent.ok && agent.kind === 'aborted')) route.control.onServeCall(isAgentFailure(agent));

    const verdict = await judge(route, agent, method, s.path);
    if (res.destroyed || agentCall.cancelled) return;

    if (verdict.answer && writeWholeAnswer(res, verdict.answer, method, config.server.servedByHeader, 'agent')) {
      ex.servedBy = 'agent';
    } else {
      route.metrics.fallback(verdict.answer ? 'invalid_response' : verdict.reason);
      if (held) await serveHeld(s, await held, body);
      else toLegacy(s, body);
    }
    if (held) compareHeld(s, body, await held, agent, report);
  }

  /** The agent's answer, or why legacy serves instead. */
  async function judge(route: RouteRuntime, agent: UpstreamResult | null, method: string, path: string): Promise<{ answer: UpstreamResponse | null; reason: string }> {
    if (agent === null) return { answer: null, reason: 'circuit_open' };
    if (!agent.ok) return { answer: null, reason: agent.kind };
    if (agent.status < 100 || agent.status > 599) return { answer: null, reason: 'status' };
    const verdict = await route.control.gates(agent, { route: route.name, method, path });
    return verdict.pass ? { answer: agent, reason: '' } : { answer: null, reason: verdict.reason };
  }

  async function callAgent(
    route: RouteRuntime,
    request: { method: string; path: string; headers: Record<string, string | string[]>; body: Buffer; cancellable: Cancellable },
    deadline: number, retryable: boolean,
  ): Promise<UpstreamResult | null> {
    for (let attempt = 0; ; attempt++) {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) return { ok: false, kind: 'timeout', message: 'serve.timeoutMs spent', durationMs: 0 };
      const result = await route.control.breaker.run(() => deps.agentClient.request({
        ...request, timeoutMs: remaining, maxResponseBytes: config.agent.maxResponseBytes,
      }));
      if (result !== null) route.metrics.upstreamResult('agent', result);
      const backoff = backoffMs(random);
      if (!shouldRetry({ result, attempt, retryable, remainingMs: deadline - performance.now(), backoffMs: backoff })) return result;
      metrics.agentRetries.inc({ route: route.name });
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  function callLegacy(s: ServeRequest, body: Buffer, cancellable: Cancellable): Promise<UpstreamResult> {
    return deps.legacyClient.request({
      method: s.ex.req.method ?? 'GET', path: s.path, headers: s.fwd.headers, body,
      timeoutMs: config.legacy.timeoutMs, maxResponseBytes: s.route.config.serve.maxLegacyBodyBytes, cancellable,
    }).then((result) => {
      s.route.metrics.upstreamResult('legacy', result);
      return result;
    });
  }

  /** Parallel mode, the agent's answer was not served: legacy's, already in hand, is. */
  async function serveHeld(s: ServeRequest, legacy: UpstreamResult, body: Buffer): Promise<void> {
    const { res, req } = s.ex;
    if (res.destroyed) return;
    const servedBy = config.server.servedByHeader;
    if (!legacy.ok) {
      // Both failed: the client gets what it would get from legacy alone.
      writeLegacyError(res, legacy.kind, config.legacy.timeoutMs, servedBy);
      return;
    }
    if (legacy.truncated) {
      // Too large to have held in memory. An idempotent request is asked again through the
      // streaming path; a non-idempotent one must not reach legacy twice.
      if (IDEMPOTENT.has(req.method ?? 'GET')) toLegacy(s, body);
      else writeLegacyError(res, 'too_large', config.legacy.timeoutMs, servedBy);
      return;
    }
    if (!writeWholeAnswer(res, legacy, req.method ?? 'GET', servedBy, 'legacy')) writeLegacyError(res, 'invalid_response', config.legacy.timeoutMs, servedBy);
  }

  /** Parallel: agreement keeps being measured after the ramp. */
  function compareHeld(s: ServeRequest, body: Buffer, legacy: UpstreamResult, agent: UpstreamResult | null, report: AgentReport | null): void {
    const req: IncomingMessage = s.ex.req;
    const q = s.path.indexOf('?');
    const job = deps.dispatcher.beginDetached(s.route, req, q === -1 ? s.path : s.path.slice(0, q), body);
    if (job === null) return; // counted as a dropped shadow
    job.agentReport = report;
    job.fromServePath = true;
    job.requestSpan = s.ex.span;
    job.servedBy = s.ex.servedBy;
    if (legacy.ok) job.setLegacy(legacy.status, legacy.headers, legacy.body, legacy.durationMs, legacy.truncated);
    else job.failLegacy(legacy.kind, legacy.message);
    job.settleAgent(agent ?? { ok: false, kind: 'aborted', message: 'circuit open', durationMs: 0 });
  }
}
