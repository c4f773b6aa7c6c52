// Per-request state carried through the passes, and the client-facing metrics recorded once
// when the response closes. One object and one 'close' listener per request, no closures:
// the listener is a shared function that finds its exchange on the response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteMetrics } from '../metrics/route-metrics.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { ShadowJob } from '../shadow/job.js';
import type { Span, Tracing } from '../tracing/otel.js';

export type ServedBy = 'legacy' | 'agent';

/** What the exchange tells when it ends (the route's share of agent-served traffic). */
export type ExchangeDone = (route: RouteRuntime, byAgent: boolean) => void;

/** Requests in flight on the data plane, and what a drain needs to know of them. */
export class RequestTracker {
  inflight = 0;
  /** Set by a drain: responses from now on close their connection. */
  draining = false;
  /** Called whenever a request ends while draining. */
  onEndWhileDraining: (() => void) | null = null;

  started(): void {
    this.inflight++;
  }

  ended(): void {
    this.inflight--;
    if (this.draining) this.onEndWhileDraining?.();
  }
}

const EXCHANGE = Symbol('shadowgate.exchange');
type WithExchange = ServerResponse & { [EXCHANGE]?: Exchange };

export class Exchange {
  readonly t0 = performance.now();
  servedBy: ServedBy = 'legacy';
  job: ShadowJob | null = null;
  span: Span | undefined;
  legacySpan: Span | undefined;
  /** Cancels whatever upstream call is still running for a client that left. */
  onClientGone: (() => void) | null = null;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: RouteRuntime | null,
    readonly metrics: RouteMetrics,
    private readonly tracing: Tracing,
    private readonly done: ExchangeDone | null,
    private readonly tracker: RequestTracker,
  ) {
    (res as WithExchange)[EXCHANGE] = this;
    res.once('close', onResponseClose);
    tracker.started();
    // A drain is under way: this answer is the connection's last (node sends connection: close).
    if (tracker.draining) res.shouldKeepAlive = false;
  }

  get routeName(): string {
    return this.metrics.route;
  }

  /** The client left before its answer was complete. */
  get clientGone(): boolean {
    return this.res.destroyed && !this.res.writableFinished;
  }

  closed(): void {
    const { res } = this;
    if (!res.writableFinished) {
      // A shadow still waiting for legacy's answer will never get it (dropped before the call is cut).
      if (this.job && !this.job.legacySettled) this.job.abandon('client_aborted');
      this.onClientGone?.();
    }
    this.metrics.request(this.req.method ?? 'GET', res.statusCode, this.servedBy === 'agent');
    this.metrics.duration.observe((performance.now() - this.t0) / 1000);
    if (this.route && this.done) this.done(this.route, this.servedBy === 'agent');
    if (this.span) this.tracing.end(this.span, res.statusCode, { 'shadowgate.served_by': this.servedBy, ...(this.job ? { 'shadowgate.sample_id': this.job.id } : {}) });
    this.tracker.ended();
  }
}

function onResponseClose(this: WithExchange): void {
  this[EXCHANGE]?.closed();
}
