// The request path, as one list of passes run in order (the shape of http-proxy-3's
// web-incoming): a pass may answer and stop the chain, none calls back up.
//   1 target   the request target's path (origin- or absolute-form); anything else is refused
//   2 route    first matching route, or "unmatched"
//   3 headers  legacy's request headers: hop-by-hop out, framing ours, forwarding headers in
//   4 decide   kill / serve / shadow, from the route's flags and state
//   5 forward  to legacy (or the serve path), the shadow copy tee'd on the way
// Everything else — the agent's shadow call, comparison, recording — happens off this path.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import { ShadowgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';
import { normalizeAddress } from '../routing/client-address.js';
import { buildRequestContext } from '../routing/context.js';
import { decideServe, decideShadow } from '../routing/decide.js';
import type { RouteMatcher } from '../routing/match.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { RouteFlags } from '../serve/route-flags.js';
import type { ServePath } from '../serve/serve-path.js';
import type { ShadowDispatcher } from '../shadow/dispatcher.js';
import type { Tracing } from '../tracing/otel.js';
import { Exchange, type RequestTracker } from './exchange.js';
import { forwardedRequestHeaders, unsupportedCodings, type ForwardedRequest } from './headers.js';
import { forwardAsterisk, type LegacyForwarder } from './legacy.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';
import { writeError } from './upstream-errors.js';
import type { UpstreamClient } from './upstream-client.js';

export interface PassDeps {
  config: Config;
  matcher: RouteMatcher<RouteRuntime>;
  flags: RouteFlags;
  legacy: LegacyForwarder;
  serve: ServePath;
  dispatcher: ShadowDispatcher;
  metrics: Metrics;
  /** Metric children for requests no route matches. */
  unmatched: RouteMetrics;
  log: Logger;
  tracing: Tracing;
  requests: RequestTracker;
  agentClient: UpstreamClient;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createRequestHandler(d: PassDeps): RequestHandler {
  const contextConfig = d.config.flags.context;
  const servedByHeader = d.config.server.servedByHeader;
  const onDone = (route: RouteRuntime, byAgent: boolean) => route.control.onServed(byAgent);

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    // 1 target
    const target = parseRequestTarget(method, req.url ?? '/');
    if (!target.ok) { refuse(res, target.reason, target.status, target.message); return; }
    const codings = unsupportedCodings(req.headers['transfer-encoding']);
    if (codings !== null) { refuse(res, 'transfer_coding', 501, `transfer coding "${codings}" is not supported, only chunked (RFC 9112 §6.1)`); return; }
    // 2 route
    const route = d.matcher.match(method, target.path) ?? null;
    const ex = new Exchange(req, res, route, route?.metrics ?? d.unmatched, d.tracing, onDone, d.requests);
    if (d.tracing.enabled) ex.span = d.tracing.requestSpan(req.headers, method, ex.routeName, target.path);
    // 3 headers
    // Each hop appends its own peer (RFC 7239): a trusted proxy's client is already in the header.
    const peer = req.socket.remoteAddress;
    const fwd = forwardedRequestHeaders(req, peer === undefined ? undefined : normalizeAddress(peer) ?? peer, target.authority);
    if (fwd === null) { refuse(res, 'duplicate_host', 400, 'more than one Host header (RFC 9112 §3.2)'); return; }
    if (target.forward === '*') { forwardAsterisk(ex, d.config.legacy.url, fwd, d.config.legacy.timeoutMs, servedByHeader); return; }
    // 4 decide
    if (route !== null && decide(route, ex, target, fwd)) return;
    // 5 forward
    forward(ex, target, fwd);
  }

  /** true when the serve path took the request. */
  function decide(route: RouteRuntime, ex: Exchange, target: Extract<RequestTarget, { ok: true }>, fwd: ForwardedRequest): boolean {
    const { req } = ex;
    const ctx = buildRequestContext(req, contextConfig);
    const state = route.control.state();
    if (d.flags.serve(route, ctx)) {
      const decision = decideServe({ flag: true, ...state, killed: state.killed || d.flags.kill(route, ctx) });
      if (decision.serve) { d.serve(route, ex, target.forward, fwd); return true; }
      route.metrics.fallback(decision.reason);
    }
    const shadow = decideShadow({
      route: route.name, method: req.method ?? 'GET', sideEffects: route.config.shadow.sideEffects, flag: d.flags.shadow(route, ctx),
      percent: route.config.shadow.percent, userKey: ctx.userId ?? ctx.sessionId, circuitOpen: state.circuitOpen,
    });
    if (shadow.mirror) ex.job = d.dispatcher.begin(route, req, target.path, d.agentClient, ex.span);
    else route.metrics.shadowDropped(shadow.reason);
    return false;
  }

  function forward(ex: Exchange, target: Extract<RequestTarget, { ok: true }>, fwd: ForwardedRequest): void {
    const job = ex.job;
    if (job === null) { d.legacy.forward(ex, target.forward, fwd); return; }
    // Calibration asks legacy a second time, with the same headers.
    if (job.route.config.calibration !== undefined) job.legacyHeaders = fwd.headers;
    const mode = d.legacy.forward(ex, target.forward, fwd, undefined, { requestBody: (body) => d.dispatcher.sendWith(job, ex.req, target.forward, body) });
    if (mode === 'none') d.dispatcher.sendWith(job, ex.req, target.forward, null);
    else if (mode === 'stream') d.dispatcher.teeRequest(job, ex.req, target.forward);
  }

  function refuse(res: ServerResponse, reason: string, status: 400 | 405 | 501, message: string): void {
    d.metrics.requestsRejected.inc({ reason });
    const error = new ShadowgateError(status === 405 ? 'SG_METHOD_NOT_ALLOWED' : status === 501 ? 'SG_NOT_IMPLEMENTED' : 'SG_REQUEST_INVALID', message);
    writeError(res, error, status === 405 ? ['allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'] : undefined, true);
  }

  /** The route a request was on, for the guard's log line (the path itself may carry secrets). */
  function routeOf(req: IncomingMessage): string {
    try {
      const target = parseRequestTarget(req.method ?? 'GET', req.url ?? '/');
      return target.ok ? d.matcher.match(req.method ?? 'GET', target.path)?.name ?? 'unmatched' : 'unmatched';
    } catch {
      return 'unknown';
    }
  }

  // Last-resort guard: a bug on this path answers that one client, it never stops the process.
  return function guarded(req, res) {
    try {
      handle(req, res);
    } catch (err) {
      d.metrics.internalErrors.inc({ where: 'request' });
      d.log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, route: routeOf(req), method: req.method }, 'request pass threw; answered 500');
      try {
        if (!res.headersSent) writeError(res, new ShadowgateError('SG_INTERNAL', 'internal error'), undefined, true);
        else res.destroy();
      } catch {
        res.destroy();
      }
    }
  };
}
