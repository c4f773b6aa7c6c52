// Per-route metric children, resolved once: prom-client hashes a label set on every
// inc({...}) call, which on the request path costs more than the work it counts. A route's
// children are looked up by small indices instead (method, status class, who served).
import type { Counter, Histogram } from 'prom-client';
import type { Metrics } from './definitions.js';
import type { UpstreamResult } from '../proxy/upstream-client.js';
import { COMPARISON_RESULTS } from '../store/result-window.js';

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'TRACE', 'OTHER'] as const;
const STATUS_CLASSES = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const SERVED_BY = ['legacy', 'agent'] as const;

function methodIndex(method: string): number {
  switch (method) {
    case 'GET': return 0;
    case 'HEAD': return 1;
    case 'OPTIONS': return 2;
    case 'POST': return 3;
    case 'PUT': return 4;
    case 'PATCH': return 5;
    case 'DELETE': return 6;
    case 'CONNECT': return 7;
    case 'TRACE': return 8;
    default: return 9;
  }
}

function statusIndex(status: number): number {
  return status >= 100 && status < 600 ? Math.floor(status / 100) : 0;
}

export class RouteMetrics {
  private readonly requestChildren: (CounterChild | undefined)[] = new Array(METHODS.length * STATUS_CLASSES.length * SERVED_BY.length);
  readonly duration: HistogramChild;
  readonly legacyDuration: HistogramChild;
  readonly agentDuration: HistogramChild;
  private readonly fallbacks = new Map<string, CounterChild>();
  private readonly dropped = new Map<string, CounterChild>();
  private readonly comparisons = new Map<string, CounterChild>();
  private readonly legacyErrors = new Map<string, CounterChild>();
  private readonly agentErrors = new Map<string, CounterChild>();

  constructor(private readonly metrics: Metrics, readonly route: string) {
    this.duration = metrics.requestDuration.labels(route);
    this.legacyDuration = metrics.upstreamDuration.labels(route, 'legacy');
    this.agentDuration = metrics.upstreamDuration.labels(route, 'agent');
    // Series exist from the start, so rate() and alerts see the first event instead of
    // losing it to a series that appears with its first increment.
    if (route !== 'unmatched') for (const result of COMPARISON_RESULTS) this.child(metrics.comparisons, this.comparisons, result).inc(0);
  }

  /** shadowgate_requests_total for one answered request. */
  request(method: string, status: number, servedByAgent: boolean): void {
    const m = methodIndex(method);
    const s = statusIndex(status);
    const i = (m * STATUS_CLASSES.length + s) * 2 + (servedByAgent ? 1 : 0);
    let child = this.requestChildren[i];
    if (child === undefined) {
      child = this.metrics.requests.labels(this.route, METHODS[m]!, STATUS_CLASSES[s]!, SERVED_BY[servedByAgent ? 1 : 0]!);
      this.requestChildren[i] = child;
    }
    child.inc();
  }

  /** A counter child keyed by its (bounded) label value; created on first use, then one map lookup. */
  private child(counter: Counter<string>, cache: Map<string, CounterChild>, value: string, upstream?: string): CounterChild {
    let child = cache.get(value);
    if (child === undefined) {
      child = upstream === undefined ? counter.labels(this.route, value) : counter.labels(this.route, upstream, value);
      cache.set(value, child);
    }
    return child;
  }

  upstreamError(upstream: 'legacy' | 'agent', kind: string): void {
    this.child(this.metrics.upstreamErrors, upstream === 'legacy' ? this.legacyErrors : this.agentErrors, kind, upstream).inc();
  }

  /** One finished upstream call read whole (agent calls, legacy in parallel serving): the one place they are counted. */
  upstreamResult(upstream: 'legacy' | 'agent', result: UpstreamResult): void {
    if (result.ok) {
      (upstream === 'legacy' ? this.legacyDuration : this.agentDuration).observe(result.durationMs / 1000);
      if (result.status >= 500) this.upstreamError(upstream, 'status_5xx');
    } else if (result.kind !== 'aborted') {
      this.upstreamError(upstream, result.kind);
    }
  }

  fallback(reason: string): void {
    this.child(this.metrics.fallbacks, this.fallbacks, reason).inc();
  }

  shadowDropped(reason: string): void {
    this.child(this.metrics.shadowDropped, this.dropped, reason).inc();
  }

  comparison(result: string): void {
    this.child(this.metrics.comparisons, this.comparisons, result).inc();
  }
}
