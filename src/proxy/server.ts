// The data-plane listener: a plain node:http server. It owns the connection-level limits
// (head and request timeouts, the connection cap), refuses what cannot be a request with the
// standard status (400, 405, 408, 431), hands requests to the passes and upgrades to the
// WebSocket pass.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { UNMATCHED, type RouteMatcher } from '../routing/match.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { RequestHandler } from './passes.js';
import { parseRequestTarget } from './request-target.js';
import { rawErrorAnswer } from './upstream-errors.js';
import type { WebSocketPass } from './websocket.js';

export interface DataPlane {
  server: http.Server;
  /** Cuts every connection, WebSocket tunnels included (the end of a drain). */
  closeAllConnections(): void;
  /** server.* limits of a reloaded config (ports and hosts need a restart). */
  reconfigure(server: Config['server']): void;
}

/** What the listener asks of the config generation in force, per request. */
export interface PlaneTarget {
  handler: RequestHandler;
  ws: WebSocketPass;
  matcher: RouteMatcher<RouteRuntime>;
}

export function createDataPlane(config: Config, current: () => PlaneTarget, metrics: Metrics, log: Logger): DataPlane {
  const s = config.server;
  const server = http.createServer({
    // Node checks both timeouts on this interval: a tenth of the head timeout keeps the cut close to it.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(s.headersTimeoutMs / 10))),
  }, (req, res) => current().handler(req, res));
  const reconfigure = (c: Config['server']) => {
    server.keepAliveTimeout = c.keepAliveTimeoutMs;
    server.headersTimeout = c.headersTimeoutMs;
    server.requestTimeout = c.requestTimeoutMs;
    server.maxConnections = c.maxConnections;
  };
  reconfigure(s);
  // No count limit, only the size one (431): past maxHeadersCount node drops header lines silently,
  // a Content-Length or Host among them included, while its parser still frames by them.
  server.maxHeadersCount = 0;
  server.on('drop', () => metrics.connectionsRejected.inc());

  let open = 0;
  server.on('connection', (socket: Socket) => {
    metrics.connectionsOpen.set(++open);
    socket.once('close', () => metrics.connectionsOpen.set(--open));
  });

  // Upgraded sockets leave node's HTTP connection tracking: closeAllConnections() would not
  // cut them and close() would wait on them forever.
  const tunnels = new Set<Socket>();
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // Last resort, as for requests (passes.ts): a throw here would come out of node's parser.
    try {
      const target = parseRequestTarget(req.method ?? 'GET', req.url ?? '/');
      if (!target.ok || target.forward === '*') { refuseRaw(socket, 400, 'Bad Request', 'bad_target'); return; }
      req.url = target.forward;
      const { matcher, ws } = current();
      const route = matcher.match(req.method ?? 'GET', target.path);
      tunnels.add(socket);
      socket.once('close', () => tunnels.delete(socket));
      ws.upgrade(req, socket, head, route?.name ?? UNMATCHED, target.authority);
    } catch (err) {
      metrics.internalErrors.inc({ where: 'upgrade' });
      log.error({ err: { message: (err as Error).message, stack: (err as Error).stack }, method: req.method }, 'upgrade pass threw; connection cut');
      socket.destroy();
    }
  });

  // CONNECT reaches no other host through a reverse proxy.
  server.on('connect', (_req: http.IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    refuseRaw(socket, 405, 'Method Not Allowed', 'connect');
  });

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
    // Header overflow has its own status (RFC 6585 §5); a slow head or body is a timeout.
    if (err.code === 'HPE_HEADER_OVERFLOW') refuseRaw(socket, 431, 'Request Header Fields Too Large', 'header_too_large');
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') refuseRaw(socket, 408, 'Request Timeout', 'timeout');
    else refuseRaw(socket, 400, 'Bad Request', 'bad_request');
  });

  function refuseRaw(socket: Socket, status: number, reason: string, label: string): void {
    metrics.requestsRejected.inc({ reason: label });
    const allow = status === 405 ? 'allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n' : '';
    const code = status === 405 ? 'SG_METHOD_NOT_ALLOWED' : status === 408 ? 'SG_REQUEST_TIMEOUT' : status === 431 ? 'SG_HEADERS_TOO_LARGE' : 'SG_REQUEST_INVALID';
    socket.end(rawErrorAnswer(status, code, reason, allow));
    log.debug({ status, reason: label }, 'request refused');
  }

  return {
    server,
    reconfigure,
    closeAllConnections() {
      server.closeAllConnections();
      for (const socket of tunnels) socket.destroy();
    },
  };
}
