// Per-request state carried on the IncomingMessage through the passes, and the
// client-facing metrics recorded once when the response closes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { methodLabel, statusClass, type Metrics } from '../metrics/definitions.js';
import type { ShadowJob } from '../shadow/job.js';
import type { Span, Tracing } from '../tracing/otel.js';

export type ServedBy = 'legacy' | 'agent';

export interface Exchange {
  route: string;
  t0: number;
  /** The client's own Connection header, before hop-by-hop stripping. */
  clientConnection: string | undefined;
  servedBy: ServedBy;
  job: ShadowJob | null;
  span: Span | undefined;
  legacySpan: Span | undefined;
  /** Set once the legacy request exists: cancels it when the client leaves before the answer is sent. */
  onClientGone: (() => void) | undefined;
}

const EXCHANGE = Symbol('shadowgate.exchange');
type WithExchange = IncomingMessage & { [EXCHANGE]?: Exchange };

export function startExchange(
  req: IncomingMessage, res: ServerResponse, route: string, path: string, metrics: Metrics, tracing: Tracing,
  onDone?: (exchange: Exchange) => void,
): Exchange {
  const exchange: Exchange = {
    route, t0: performance.now(), clientConnection: req.headers.connection, servedBy: 'legacy', job: null,
    span: tracing.requestSpan(req.headers, req.method ?? 'GET', route, path), legacySpan: undefined, onClientGone: undefined,
  };
  (req as WithExchange)[EXCHANGE] = exchange;
  res.once('close', () => {
    if (!res.writableFinished) exchange.onClientGone?.();
    metrics.requests.inc({ route, method: methodLabel(req.method), status_class: statusClass(res.statusCode), served_by: exchange.servedBy });
    metrics.requestDuration.observe({ route }, (performance.now() - exchange.t0) / 1000);
    onDone?.(exchange);
    tracing.end(exchange.span, res.statusCode, { 'shadowgate.served_by': exchange.servedBy, ...(exchange.job ? { 'shadowgate.sample_id': exchange.job.id } : {}) });
  });
  return exchange;
}

export function exchangeOf(req: IncomingMessage): Exchange | undefined {
  return (req as WithExchange)[EXCHANGE];
}
