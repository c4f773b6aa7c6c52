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
    const candidates = route.candidates;
    // One slot per agent call: a route shadowing three candidates costs three.
    if (!this.takeSlot(route, candidates === null ? 1 : candidates.length)) return null;
    const job = new ShadowJob(route, req.method ?? 'GET', path, req.headers, this.budget, this.options.maxCaptureBytes, (j) => this.finish(j));
    job.requestSpan = requestSpan;
    if (candidates === null) {
      job.agentClient = client;
    } else {
      job.candidate = candidates[0]!;
      job.agentClient = candidates[0]!.client;
      if (candidates.length > 1) job.withExtra(candidates.slice(1));
    }
    this.active.add(job);
    return job;
  }

  /**
   * Slots for agent calls that are not shadows (a quorum's further candidates), bounded by the
   * same agent.maxInFlight; false (nothing taken) when they are not all free or while draining.
   */
  reserve(n: number): boolean {
    if (this.draining || this.inflight + n > this.options.maxInFlight) return false;
    this.inflight += n;
    this.metrics.shadowInflight.set(this.inflight);
    return true;
  }

  unreserve(n: number): void {
    this.inflight -= n;
    this.metrics.shadowInflight.set(this.inflight);
    if (this.inflight === 0 && this.idle) this.idle();
  }

  private takeSlot(route: RouteRuntime, n = 1): boolean {
    if (this.draining) { route.metrics.shadowDropped('draining'); return false; }
    if (this.inflight + n > this.options.maxInFlight) {
      if (!this.loggedBackpressure) {
        this.loggedBackpressure = true; // once: a flood of identical lines helps no one; the metric counts them all
        this.log.warn({ route: route.name, maxInFlight: this.options.maxInFlight }, 'shadow backpressure: agent.maxInFlight reached, dropping shadows (logged once)');
      }
      route.metrics.shadowDropped('backpressure');
      return false;
    }
    this.inflight += n;
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
    job.target = pathWithQuery;
    const headers = buildAgentHeaders(req, client.host, this.options.redactedHeaders, job.route.config.shadow.forwardHeaders, job.id);
    if (this.tracing.enabled) {
      job.span = this.tracing.linkedSpan(job.requestSpan, 'shadow agent', { 'shadowgate.route': job.route.name, 'shadowgate.sample_id': job.id, 'shadowgate.upstream': 'agent' });
      this.tracing.inject(job.span, headers);
    }
    const call = () => client.request({
      method: job.method, path: pathWithQuery, headers, body: job.request.buffer(),
      timeoutMs: job.candidate?.timeoutMs ?? this.options.agentTimeoutMs, maxResponseBytes: this.options.agentMaxResponseBytes,
      budget: this.budget, cancellable: job.agentCall,
    });
    if (job.extra !== null) this.sendExtra(job, req, pathWithQuery);
    this.guard(job.route, call).then(
      (result) => {
        if (result === null) job.abandon('circuit_open');
        else job.settleAgent(result, true);
      },
      (err: unknown) => job.settleAgent({ ok: false, kind: 'invalid_response', message: String(err), durationMs: 0 }),
    );
  }

  /** The further candidates of the route get the same request (their own host; no breaker: it guards the first). */
  private sendExtra(job: ShadowJob, req: IncomingMessage, pathWithQuery: string): void {
    for (const extra of job.extra!) {
      const { client, timeoutMs } = extra.candidate;
      const headers = buildAgentHeaders(req, client.host, this.options.redactedHeaders, job.route.config.shadow.forwardHeaders, job.id);
      client.request({
        method: job.method, path: pathWithQuery, headers, body: job.request.buffer(),
        timeoutMs, maxResponseBytes: this.options.agentMaxResponseBytes, budget: this.budget, cancellable: extra.call,
      }).then(
        (result) => job.settleExtra(extra, result, true),
        (err: unknown) => job.settleExtra(extra, { ok: false, kind: 'invalid_response', message: String(err), durationMs: 0 }, false),
      );
    }
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
    if (job.abandoned) { job.route.metrics.shadowDropped(job.abandoned); this.done(job); return; }
    // Off the I/O callback that completed the job; the slot is held until the outcome is
    // recorded, so slow plug-in comparators are bounded too (the queue is never longer than
    // agent.maxInFlight).
    this.toRecord.push(job);
    if (!this.recordScheduled) { this.recordScheduled = true; setImmediate(recordSome, this); }
  }

  private readonly toRecord: ShadowJob[] = [];
  private recordScheduled = false;

  /**
   * Records finished jobs for at most RECORD_SLICE_MS per turn of the event loop, then lets
   * I/O run: a burst of comparisons never holds a client's answer back for longer than that
   * (it is what kept the client's p99 up with every request shadowed).
   */
  recordSlice(): void {
    const until = performance.now() + RECORD_SLICE_MS;
    let i = 0;
    while (i < this.toRecord.length) {
      this.record(this.toRecord[i++]!);
      if (performance.now() >= until) break;
    }
    this.toRecord.splice(0, i);
    if (this.toRecord.length > 0) setImmediate(recordSome, this);
    else this.recordScheduled = false;
  }

  /** Records a finished job; synchronous recorders (the built-in comparators) make no promise. */
  record(job: ShadowJob): void {
    let pending: void | Promise<void>;
    try {
      pending = this.onComplete(job);
    } catch (err) {
      this.recordFailed(job, err);
      return;
    }
    if (pending instanceof Promise) pending.then(() => this.done(job), (err: unknown) => this.recordFailed(job, err));
    else this.done(job);
  }

  private recordFailed(job: ShadowJob, err: unknown): void {
    this.log.error({ err, route: job.route.name }, 'shadow outcome failed');
    this.done(job);
  }

  private done(job: ShadowJob): void {
    if (job.abandoned && job.span) this.tracing.end(job.span, 'error', { 'shadowgate.dropped': job.abandoned });
    this.active.delete(job);
    job.release();
    this.inflight -= job.slots;
    this.metrics.shadowInflight.set(this.inflight);
    this.metrics.shadowBufferedBytes.set(this.budget.used);
    if (this.inflight === 0 && this.idle) this.idle();
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

const RECORD_SLICE_MS = 1;

function recordSome(dispatcher: ShadowDispatcher): void {
  dispatcher.recordSlice();
}
