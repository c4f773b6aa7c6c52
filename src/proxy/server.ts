// The data plane. A request reads top to bottom: match route -> build context -> decide
// (serve / shadow) -> pass to legacy (tee'ing a copy for the shadow) -> respond. All
// comparison work happens later, off this path.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { createRouteMatcher, pathOf, UNMATCHED } from '../routing/match.js';
import { buildRequestContext, type RequestContext } from '../routing/context.js';
import { decideShadow, decideServe } from '../routing/decide.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { ShadowDispatcher } from '../shadow/dispatcher.js';
import { startExchange, type Exchange } from './exchange.js';
import { appendForwarded, stripHopByHop } from './headers.js';
import type { LegacyProxy } from './legacy.js';
import type { Tracing } from '../tracing/otel.js';

/** What the data plane asks of the flag layer and of the serve path (progressive autonomy). */
export interface Autonomy {
  /** undefined when the flag source does not define the flag. */
  shadowFlag(route: RouteRuntime, ctx: RequestContext): boolean | undefined;
  serveFlag(route: RouteRuntime, ctx: RequestContext): boolean;
  /** The route's fleet-wide kill flag for this request; false when the source does not define it. */
  killFlag(route: RouteRuntime, ctx: RequestContext): boolean;
  routeState(route: RouteRuntime): { killed: boolean; demoted: boolean; circuitOpen: boolean };
  serve(route: RouteRuntime, exchange: Exchange, req: http.IncomingMessage, res: http.ServerResponse, ctx: RequestContext): void;
  countFallback(route: RouteRuntime, reason: string): void;
  /** Every answered request of a route, once: feeds the agent's share of traffic. */
  served(route: RouteRuntime, byAgent: boolean): void;
}

export interface DataPlaneDeps {
  config: Config;
  routes: readonly RouteRuntime[];
  legacy: LegacyProxy;
  dispatcher: ShadowDispatcher;
  autonomy: Autonomy;
  metrics: Metrics;
  log: Logger;
  tracing: Tracing;
}

export function createDataPlane(deps: DataPlaneDeps): http.Server {
  const { config, legacy, dispatcher, autonomy, metrics, tracing } = deps;
  const matcher = createRouteMatcher(deps.routes.map((r) => ({ ...r, match: r.config.match })));
  const contextConfig = config.flags.context;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = pathOf(req.url);
    const route = matcher.match(method, path);
    const exchange = startExchange(req, res, route?.name ?? UNMATCHED, path, metrics, tracing,
      route ? (ex) => autonomy.served(route, ex.servedBy === 'agent') : undefined);
    // Chunked framing is hop-by-hop too, but node re-frames the body only if it is told to.
    const transferEncoding = req.headers['transfer-encoding'];
    stripHopByHop(req.headers);
    if (transferEncoding !== undefined) req.headers['transfer-encoding'] = transferEncoding;
    appendForwarded(req);

    if (route) {
      const ctx = buildRequestContext(req, contextConfig);
      const state = autonomy.routeState(route);
      if (autonomy.serveFlag(route, ctx)) {
        // [flags helper, for the lead to port] the fleet-wide kill flag is evaluated only when
        // the agent would serve: it can only take serving away (reason killed), never mirroring.
        const decision = decideServe({ flag: true, ...state, killed: state.killed || autonomy.killFlag(route, ctx) });
        if (decision.serve) return autonomy.serve(route, exchange, req, res, ctx);
        autonomy.countFallback(route, decision.reason);
      }
      const shadow = decideShadow({
        route: route.name, method, sideEffects: route.config.shadow.sideEffects, flag: autonomy.shadowFlag(route, ctx),
        percent: route.config.shadow.percent, userKey: ctx.userId ?? ctx.sessionId, circuitOpen: state.circuitOpen,
      });
      if (shadow.mirror) exchange.job = dispatcher.begin(route, req, path, exchange.span);
      else dispatcher.drop(route.name, shadow.reason);
    }

    if (tracing.enabled) {
      exchange.legacySpan = tracing.childSpan(exchange.span, 'legacy', { 'shadowgate.upstream': 'legacy', 'shadowgate.route': exchange.route });
      tracing.inject(exchange.legacySpan, req.headers);
    }
    legacy.web(req, res);
    // http-proxy has piped the body synchronously above; listening now loses no chunk.
    if (exchange.job) dispatcher.teeRequest(exchange.job, req, req.url ?? '/');
  };

  const server = http.createServer({ keepAliveTimeout: config.server.keepAliveTimeoutMs }, handle);
  server.headersTimeout = Math.max(server.headersTimeout, config.server.keepAliveTimeoutMs + 1000);
  // Upgraded sockets leave node's HTTP connection tracking: closeAllConnections() (the
  // shutdown's last resort) would not cut them and close() would wait on them forever.
  const tunnels = new Set<Socket>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const route = matcher.match(req.method ?? 'GET', pathOf(req.url));
    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    socket.on('error', () => socket.destroy());
    // http-proxy's ws pass adds x-forwarded-for/-port/-proto only: same forwarding story as HTTP.
    if (req.headers.host && !req.headers['x-forwarded-host']) req.headers['x-forwarded-host'] = req.headers.host;
    appendForwarded(req);
    legacy.ws(req, socket, head, route?.name ?? UNMATCHED);
  });
  const closeAllConnections = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeAllConnections();
    for (const socket of tunnels) socket.destroy();
  };
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  return server;
}
