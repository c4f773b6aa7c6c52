// Bounded shadow dispatch. A slot is taken when a request is chosen for mirroring and
// given back when its outcome is recorded; when all agent.maxInFlight slots are taken, new
// shadows are dropped and counted, never queued. Nothing here can throw into the
// client's request: every failure becomes a counted outcome.
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { UpstreamClient, UpstreamResult } from '../proxy/upstream-client.js';
import { ByteBudget } from './capture.js';
import { ShadowJob } from './job.js';
import { buildAgentHeaders } from './agent-request.js';
import type { Span, Tracing } from '../tracing/otel.js';

export interface DispatcherOptions {
  maxInFlight: number;
  maxBufferedBytes: number;
  maxCaptureBytes: number;
  agentTimeoutMs: number;
  agentMaxResponseBytes: number;
  redactedHeaders: readonly string[];
}

export type DropReason = 'backpressure' | 'body_too_large' | 'buffer_full' | 'client_aborted' | 'draining' | 'circuit_open';

/** Runs an agent call through the route's circuit breaker; null means the circuit refused it. */
export type AgentGuard = (route: RouteRuntime, call: () => Promise<UpstreamResult>) => Promise<UpstreamResult | null>;

export class ShadowDispatcher {
  inflight = 0;
  readonly budget: ByteBudget;
  private draining = false;
  private idle: (() => void) | null = null;
  private loggedBackpressure = false;

  /** Jobs holding a slot: what a drain abandons when its time is up. */
  private readonly active = new Set<ShadowJob>();

  constructor(
    private options: DispatcherOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly onComplete: (job: ShadowJob) => void | Promise<void>,
    private readonly tracing: Tracing,
    private readonly guard: AgentGuard,
  ) {
    this.budget = new ByteBudget(options.maxBufferedBytes);
    metrics.shadowInflightLimit.set(options.maxInFlight);
    metrics.shadowBufferedBytesLimit.set(options.maxBufferedBytes);
  }

  /** New limits (config reload); jobs already running keep their agent client. */
  reconfigure(options: DispatcherOptions): void {
    this.options = options;
    this.budget.limit = options.maxBufferedBytes;
    this.metrics.shadowInflightLimit.set(options.maxInFlight);
    this.metrics.shadowBufferedBytesLimit.set(options.maxBufferedBytes);
  }

  /** Takes a slot for a mirrored request, or counts the drop and returns null. `client`: the agent of the request's config generation. */
  begin(route: RouteRuntime, req: IncomingMessage, path: string, client: UpstreamClient, requestSpan?: Span): ShadowJob | null {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > route.config.shadow.maxBodyBytes) { route.metrics.shadowDropped('body_too_large'); return null; }
    if (!this.takeSlot(route)) return null;
    const job = new ShadowJob(route, req.method ?? 'GET', path, req.headers, this.budget, this.options.maxCaptureBytes, (j) => this.finish(j));
    job.requestSpan = requestSpan;
    job.agentClient = client;
    this.active.add(job);
    return job;
  }

  private takeSlot(route: RouteRuntime): boolean {
    if (this.draining) { route.metrics.shadowDropped('draining'); return false; }
    if (this.inflight >= this.options.maxInFlight) {
      if (!this.loggedBackpressure) {
        this.loggedBackpressure = true; // once: a flood of identical lines helps no one; the metric counts them all
        this.log.warn({ route: route.name, maxInFlight: this.options.maxInFlight }, 'shadow backpressure: agent.maxInFlight reached, dropping shadows (logged once)');
      }
      route.metrics.shadowDropped('backpressure');
      return false;
    }
    this.inflight++;
    this.metrics.shadowInflight.set(this.inflight);
    return true;
  }

  /** The request body was read whole (or there is none): the agent call goes out now. */
  sendWith(job: ShadowJob, req: IncomingMessage, pathWithQuery: string, body: Buffer | null): void {
    if (job.abandoned) return;
    if (body !== null && body.length > 0 && !job.request.push(body)) {
      job.abandon(job.request.stopped === 'limit' ? 'body_too_large' : 'buffer_full');
      return;
    }
    this.send(job, req, pathWithQuery);
  }

  /** Tees a streamed request body as it goes to legacy; sends the copy once it is complete. */
  teeRequest(job: ShadowJob, req: IncomingMessage, pathWithQuery: string): void {
    req.on('data', (chunk: Buffer) => {
      if (job.abandoned) return;
      if (!job.request.push(chunk)) job.abandon(job.request.stopped === 'limit' ? 'body_too_large' : 'buffer_full');
    });
    req.once('end', () => {
      if (job.abandoned) return;
      this.send(job, req, pathWithQuery);
    });
    req.once('close', () => {
      if (!req.complete) job.abandon('client_aborted');
    });
  }

  private send(job: ShadowJob, req: IncomingMessage, pathWithQuery: string): void {
    const client = job.agentClient!;
    const headers = buildAgentHeaders(req, client.host, this.options.redactedHeaders, job.route.config.shadow.forwardHeaders, job.id);
    if (this.tracing.enabled) {
      job.span = this.tracing.linkedSpan(job.requestSpan, 'shadow agent', { 'shadowgate.route': job.route.name, 'shadowgate.sample_id': job.id, 'shadowgate.upstream': 'agent' });
      this.tracing.inject(job.span, headers);
    }
    const call = () => client.request({
      method: job.method, path: pathWithQuery, headers, body: job.request.buffer(),
      timeoutMs: this.options.agentTimeoutMs, maxResponseBytes: this.options.agentMaxResponseBytes,
      budget: this.budget, cancellable: job.agentCall,
    });
    this.guard(job.route, call).then(
      (result) => {
        if (result === null) job.abandon('circuit_open');
        else job.settleAgent(result, true);
      },
      (err: unknown) => job.settleAgent({ ok: false, kind: 'invalid_response', message: String(err), durationMs: 0 }),
    );
  }

  /**
   * A job for an exchange that is not a shadow (parallel serve: both answers already read):
   * it holds a slot like any shadow, so its bytes are bounded by the same budget and a full
   * dispatcher is a counted drop, not a silent skip.
   */
  beginDetached(route: RouteRuntime, req: IncomingMessage, path: string, body: Buffer): ShadowJob | null {
    if (!this.takeSlot(route)) return null;
    const job = new ShadowJob(route, req.method ?? 'GET', path, req.headers, this.budget, this.options.maxCaptureBytes, (j) => this.finish(j));
    this.active.add(job);
    if (body.length > 0 && !job.request.push(body)) {
      job.abandon('buffer_full');
      return null;
    }
    return job;
  }

  private finish(job: ShadowJob): void {
    if (job.abandoned) job.route.metrics.shadowDropped(job.abandoned);
    const done = () => {
      if (job.abandoned) this.tracing.end(job.span, 'error', { 'shadowgate.dropped': job.abandoned });
      this.active.delete(job);
      job.release();
      this.inflight--;
      this.metrics.shadowInflight.set(this.inflight);
      this.metrics.shadowBufferedBytes.set(this.budget.used);
      if (this.inflight === 0 && this.idle) this.idle();
    };
    if (job.abandoned) { done(); return; }
    // The slot is held until the outcome is recorded, so slow plug-in comparators are bounded too.
    setImmediate(() => {
      Promise.resolve()
        .then(() => this.onComplete(job))
        .catch((err: unknown) => this.log.error({ err, route: job.route.name }, 'shadow outcome failed'))
        .finally(done);
    });
  }

  /**
   * Stops taking shadows and waits (bounded) for in-flight ones to finish; those still running
   * when the time is up are abandoned, counted as dropped with reason "draining". Returns how
   * many were abandoned.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.draining = true;
    if (this.inflight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        this.idle = () => { clearTimeout(timer); resolve(); };
      });
    }
    let abandoned = 0;
    for (const job of [...this.active]) {
      if (job.abandoned) continue;
      job.abandon('draining'); // a job already being recorded finishes as it is
      if (job.abandoned === 'draining') abandoned++;
    }
    return abandoned;
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
