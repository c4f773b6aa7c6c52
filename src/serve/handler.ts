// The serve path: the agent answers, and only answers that pass the route's gates reach
// the client. Anything else (timeout, transport error, 5xx, failed gate, open circuit,
// oversized body) is served by legacy instead, and counted as a fallback with its reason.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { Exchange } from '../proxy/exchange.js';
import { stripHopByHop } from '../proxy/headers.js';
import { writeLegacyError, type LegacyProxy } from '../proxy/legacy.js';
import type { RouteRuntime } from '../routing/runtime.js';
import { pathOf } from '../routing/match.js';
import { buildAgentHeaders, SAMPLE_ID_HEADER, SHADOW_MARKER } from '../shadow/agent-request.js';
import type { UpstreamClient, UpstreamResponse, UpstreamResult } from '../shadow/client.js';
import type { ShadowDispatcher } from '../shadow/dispatcher.js';
import { shouldSample } from '../shadow/sample.js';
import { isAgentFailure, type AgentBreaker } from './breaker.js';
import type { GateFn } from './gates.js';
import type { Guardrail } from './guardrail.js';
import { genAiAttributes, type Tracing } from '../tracing/otel.js';
import type { AgentReport, AgentReporter } from '../tracing/agent-report.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const TRANSIENT_STATUS = new Set([502, 503, 504]);

export interface ServeControl {
  breaker: AgentBreaker;
  guardrail: Guardrail;
  gates: GateFn;
  onGuardrailTrip(reason: string | null): void;
}

export interface ServeDeps {
  config: Config;
  legacy: LegacyProxy;
  legacyClient: UpstreamClient;
  agentClient: UpstreamClient;
  dispatcher: () => ShadowDispatcher;
  control: (route: RouteRuntime) => ServeControl;
  metrics: Metrics;
  log: Logger;
  tracing: Tracing;
  reporter: AgentReporter;
  random?: () => number;
}

export function createServeHandler(deps: ServeDeps) {
  const { config, metrics } = deps;
  const servedBy = config.server.servedByHeader;
  const random = deps.random ?? Math.random;

  const fallback = (route: RouteRuntime, reason: string) => metrics.fallbacks.inc({ route: route.name, reason });

  /** Legacy serves, with the body we already read (and, if any, the rest still in `req`). */
  const toLegacy = (req: IncomingMessage, res: ServerResponse, read: Buffer[], rest: boolean) => {
    const body = new PassThrough();
    for (const chunk of read) body.write(chunk);
    if (rest) req.pipe(body);
    else body.end();
    deps.legacy.web(req, res, body);
  };

  // Everything the serve path holds (request body, the agent's answer, legacy's in parallel
  // mode) is per request: bounding the requests bounds the memory.
  let inflight = 0;
  metrics.serveInflightLimit.set(config.agent.maxServeInFlight);

  return function serve(route: RouteRuntime, exchange: Exchange, req: IncomingMessage, res: ServerResponse): void {
    const max = route.config.shadow.maxBodyBytes;
    if (Number(req.headers['content-length'] ?? 0) > max) {
      fallback(route, 'body_too_large');
      return deps.legacy.web(req, res);
    }
    if (inflight >= config.agent.maxServeInFlight) {
      fallback(route, 'backpressure');
      return deps.legacy.web(req, res);
    }
    inflight++;
    metrics.serveInflight.set(inflight);
    res.once('close', () => { inflight--; metrics.serveInflight.set(inflight); });
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) { chunks.push(chunk); return; }
      overflow = true;
      req.off('data', onData);
      req.pause();
      fallback(route, 'body_too_large');
      chunks.push(chunk);
      toLegacy(req, res, chunks, true);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (overflow) return;
      const body = Buffer.concat(chunks, size);
      void proceed(route, exchange, req, res, body).catch((err: unknown) => {
        deps.log.error({ err, route: route.name }, 'serve path failed; legacy serves');
        if (!res.headersSent && !res.destroyed) { fallback(route, 'internal'); toLegacy(req, res, [body], false); }
      });
    });
  };

  async function proceed(route: RouteRuntime, exchange: Exchange, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const control = deps.control(route);
    const serveCfg = route.config.serve;
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const deadline = performance.now() + serveCfg.timeoutMs;
    const clientGone = new AbortController();
    // 'close' also follows a normal finish: only a client that left early cancels the calls.
    res.once('close', () => { if (!res.writableFinished) clientGone.abort(); });

    const parallel = serveCfg.fallback === 'parallel' && shouldSample(serveCfg.compareLegacyPercent, route.name, undefined, random);
    const legacyCall = parallel ? callLegacy(route, req, body, clientGone.signal) : null;

    const agentHeaders = buildAgentHeaders(req, deps.agentClient.host, config.redact.headers, route.config.shadow.forwardHeaders, '');
    delete agentHeaders[SHADOW_MARKER]; // this call is for real: the agent must act
    delete agentHeaders[SAMPLE_ID_HEADER]; // no sample exists for a served request
    const agentSpan = deps.tracing.childSpan(exchange.span, 'agent', { 'shadowgate.upstream': 'agent', 'shadowgate.route': route.name });
    deps.tracing.inject(agentSpan, agentHeaders);
    const retryable = IDEMPOTENT.has(method) || serveCfg.retryNonIdempotent;
    const agent = await callAgentWithRetry(route, control, { method, path, headers: agentHeaders, body, signal: clientGone.signal }, deadline, retryable);
    const report: AgentReport | null = agent?.ok ? deps.reporter.record(route.config, agent) : null;
    deps.tracing.end(agentSpan, agent?.ok ? agent.status : 'error', genAiAttributes(report));

    // A call the circuit refused, or the client abandoned, says nothing about the agent.
    if (agent !== null && !(!agent.ok && agent.kind === 'aborted')) control.onGuardrailTrip(control.guardrail.recordCall(isAgentFailure(agent)));
    let reason: string | null = null;
    let answer: UpstreamResponse | null = null;
    if (agent === null) reason = 'circuit_open';
    else if (!agent.ok) reason = agent.kind === 'timeout' ? 'timeout' : agent.kind;
    else {
      const verdict = await control.gates(agent, { route: route.name, method, path });
      if (verdict.pass) answer = agent;
      else reason = verdict.reason;
    }
    if (res.destroyed || clientGone.signal.aborted) return;

    if (answer) {
      exchange.servedBy = 'agent';
      writeAgentAnswer(res, answer, method);
    } else {
      fallback(route, reason ?? 'unknown');
      if (legacyCall) await serveHeldLegacy(await legacyCall, req, res, body);
      else toLegacy(req, res, [body], false);
    }

    if (legacyCall) {
      // Parallel: agreement keeps being measured after the ramp.
      const legacy = await legacyCall;
      const job = deps.dispatcher().detachedJob(route, req, pathOf(path), body);
      job.agentReport = report;
      job.fromServePath = true;
      job.requestSpan = exchange.span;
      if (legacy.ok) job.setLegacy(legacy.status, legacy.headers, legacy.body, legacy.durationMs, legacy.truncated);
      else job.failLegacy(legacy.kind, legacy.message);
      job.settleAgent(agent ?? { ok: false, kind: 'aborted', message: 'circuit open', durationMs: 0 });
    }
  }

  async function callAgentWithRetry(
    route: RouteRuntime, control: ServeControl,
    request: { method: string; path: string; headers: Record<string, string | string[]>; body: Buffer; signal: AbortSignal },
    deadline: number, retryable: boolean,
  ): Promise<UpstreamResult | null> {
    let attempt = 0;
    for (;;) {
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) return { ok: false, kind: 'timeout', message: 'serve.timeoutMs spent', durationMs: 0 };
      const result = await control.breaker.run(() => deps.agentClient.request({
        ...request, timeoutMs: remaining, maxResponseBytes: config.agent.maxResponseBytes,
      }));
      if (result !== null && !result.ok && result.kind !== 'aborted') {
        metrics.upstreamErrors.inc({ route: route.name, upstream: 'agent', kind: result.kind });
      } else if (result?.ok && result.status >= 500) {
        metrics.upstreamErrors.inc({ route: route.name, upstream: 'agent', kind: 'status_5xx' });
      }
      if (result?.ok) metrics.upstreamDuration.observe({ route: route.name, upstream: 'agent' }, result.durationMs / 1000);
      const transient = result !== null && (result.ok ? TRANSIENT_STATUS.has(result.status) : result.kind === 'connection' || result.kind === 'reset');
      if (!transient || !retryable || attempt >= 1) return result;
      // Jittered backoff, only if it still fits the budget.
      const backoff = 25 + Math.floor(random() * 75);
      if (deadline - performance.now() <= backoff + 10) return result;
      attempt++;
      metrics.agentRetries.inc({ route: route.name });
      await new Promise((r) => setTimeout(r, backoff));
    }
  }

  function callLegacy(route: RouteRuntime, req: IncomingMessage, body: Buffer, signal: AbortSignal): Promise<UpstreamResult> {
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    stripHopByHop(headers);
    delete headers['content-length'];
    delete headers.expect;
    return deps.legacyClient.request({
      method: req.method ?? 'GET', path: req.url ?? '/', headers, body,
      timeoutMs: config.legacy.timeoutMs, maxResponseBytes: route.config.serve.maxLegacyBodyBytes, signal,
    }).then((result) => {
      // Counted like the streaming legacy path does.
      if (result.ok) {
        metrics.upstreamDuration.observe({ route: route.name, upstream: 'legacy' }, result.durationMs / 1000);
        if (result.status >= 500) metrics.upstreamErrors.inc({ route: route.name, upstream: 'legacy', kind: 'status_5xx' });
      } else if (result.kind !== 'aborted') {
        metrics.upstreamErrors.inc({ route: route.name, upstream: 'legacy', kind: result.kind });
      }
      return result;
    });
  }

  async function serveHeldLegacy(legacy: UpstreamResult, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    if (res.destroyed) return;
    if (!legacy.ok) {
      // Both failed: the client gets what it would get from legacy alone.
      writeLegacyError(res, legacy.kind === 'timeout', config.legacy.timeoutMs, servedBy, legacy.kind);
      return;
    }
    if (legacy.truncated) {
      // Too large to have held in memory. An idempotent request is asked again through the
      // streaming path; a non-idempotent one must not reach legacy twice.
      if (IDEMPOTENT.has(req.method ?? 'GET')) toLegacy(req, res, [body], false);
      else writeLegacyError(res, false, config.legacy.timeoutMs, servedBy, 'too_large');
      return;
    }
    const headers = { ...legacy.headers };
    stripHopByHop(headers);
    if (servedBy) headers[servedBy] = 'legacy';
    delete headers['content-length'];
    headers['content-length'] = String(legacy.body.length);
    res.writeHead(legacy.status, headers);
    res.end(req.method === 'HEAD' ? undefined : legacy.body);
  }

  function writeAgentAnswer(res: ServerResponse, answer: UpstreamResponse, method: string): void {
    const headers = { ...answer.headers };
    stripHopByHop(headers);
    if (servedBy) headers[servedBy] = 'agent';
    // No body (and no content-length) for HEAD, 204 and 304; the agent's own length otherwise.
    const bodiless = method === 'HEAD' || answer.status === 204 || answer.status === 304;
    if (bodiless) { if (method !== 'HEAD') delete headers['content-length']; } else headers['content-length'] = String(answer.body.length);
    res.writeHead(answer.status, headers);
    res.end(bodiless ? undefined : answer.body);
  }
}
