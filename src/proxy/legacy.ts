// The client <-> legacy path: http-proxy with a keep-alive agent. Legacy's answer reaches
// the client as is (hop-by-hop headers aside); a copy of it is tee'd for the shadow job.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { ShadowgateError } from '../errors.js';
import { exchangeOf } from './exchange.js';
import { stripHopByHop } from './headers.js';
import type { Tracing } from '../tracing/otel.js';

export interface LegacyProxyOptions {
  url: string;
  timeoutMs: number;
  streamIdleTimeoutMs: number;
  maxSockets: number;
  servedByHeader: string | false;
}

export interface LegacyProxy {
  /** `body`: the request body when it was already read from `req` (serve path fallback). */
  web(req: http.IncomingMessage, res: http.ServerResponse, body?: Readable): void;
  ws(req: http.IncomingMessage, socket: Socket, head: Buffer, route: string): void;
  close(): void;
}

export function createLegacyProxy(options: LegacyProxyOptions, metrics: Metrics, log: Logger, tracing: Tracing): LegacyProxy {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 1000 });
  const proxy = httpProxy.createProxyServer({ target: options.url, agent, xfwd: true, proxyTimeout: options.timeoutMs });

  // A client that leaves after sending its request gets no 'aborted' event from node any more,
  // so http-proxy would keep legacy working (and the shadow holding its slot) for an answer
  // nobody will read: cut the legacy call and drop the shadow instead.
  proxy.on('proxyReq', (proxyReq, req) => {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    // Run by the exchange's own 'close' listener (one listener per request, not two).
    exchange.onClientGone = () => {
      if (exchange.job && !exchange.job.legacy?.complete) exchange.job.abandon('client_aborted');
      proxyReq.destroy();
    };
    if (req.socket.destroyed) exchange.onClientGone();
  });

  // A tunnel is two sockets; http-proxy ends one when the other ends cleanly, not when it
  // is destroyed (e.g. cut at shutdown), which would leave the legacy side open for good.
  proxy.on('proxyReqWs', (proxyReq, _req, socket) => {
    proxyReq.once('upgrade', (_res, proxySocket: Socket) => {
      socket.once('close', () => proxySocket.destroy());
      proxySocket.once('close', () => socket.destroy());
    });
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    const exchange = exchangeOf(req);
    if (!exchange) return;
    // http-proxy pipes proxyRes into res but ignores a legacy that dies mid-body: the client
    // would wait forever for the rest. A cut connection is the only honest signal left.
    let stalled = false; // legacy.timeoutMs is an idle timeout: it can also fire mid-body
    (proxyRes as http.IncomingMessage & { req?: http.ClientRequest }).req?.once('timeout', () => { stalled = true; });
    const status = proxyRes.statusCode ?? 0;
    proxyRes.once('close', () => {
      if (proxyRes.complete) {
        metrics.upstreamDuration.observe({ route: exchange.route, upstream: 'legacy' }, (performance.now() - exchange.t0) / 1000);
        tracing.end(exchange.legacySpan, status);
        return;
      }
      if (req.socket.destroyed) return; // cut because the client left
      const kind = stalled ? 'timeout' : 'reset';
      metrics.upstreamErrors.inc({ route: exchange.route, upstream: 'legacy', kind });
      log.warn({ route: exchange.route, kind, method: req.method }, 'legacy response ended early');
      res.destroy();
    });
    const headers = proxyRes.headers;
    if (String(headers['content-type'] ?? '').startsWith('text/event-stream')) {
      // An event stream may stay quiet for long: it gets its own idle timeout (none by default).
      (proxyRes as http.IncomingMessage & { req?: http.ClientRequest }).req?.setTimeout(options.streamIdleTimeoutMs);
    }
    stripHopByHop(headers);
    const captured = exchange.job ? { ...headers } : null; // what legacy said, before our own additions
    // http-proxy copies these to the client; keep the client's own keep-alive choice.
    headers.connection = exchange.clientConnection?.toLowerCase().includes('close') ? 'close' : 'keep-alive';
    if (req.httpVersion === '1.0' && !exchange.clientConnection?.toLowerCase().includes('keep-alive')) headers.connection = 'close';
    if (options.servedByHeader) headers[options.servedByHeader] = 'legacy';
    if (status >= 500) metrics.upstreamErrors.inc({ route: exchange.route, upstream: 'legacy', kind: 'status_5xx' });
    if (captured) exchange.job?.attachLegacy(status, captured, proxyRes);
  });

  const onError = (err: Error, req: http.IncomingMessage, res: http.ServerResponse | Socket) => {
    const exchange = exchangeOf(req);
    const elapsed = exchange ? performance.now() - exchange.t0 : 0;
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    // http-proxy aborts on proxyTimeout with a plain ECONNRESET; elapsed time tells the two apart.
    const timedOut = code === 'ECONNRESET' && elapsed >= options.timeoutMs * 0.98;
    const kind = timedOut ? 'timeout' : code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' ? 'connection' : code === 'ECONNRESET' ? 'reset' : 'invalid_response';
    const route = exchange?.route ?? 'unmatched';
    metrics.upstreamErrors.inc({ route, upstream: 'legacy', kind });
    exchange?.job?.failLegacy(kind, code);
    tracing.end(exchange?.legacySpan, 'error', { 'error.type': kind });
    log.warn({ route, kind, code, method: req.method }, 'legacy request failed');
    if (!('writeHead' in res)) { res.destroy(); return; }
    if (res.headersSent) { res.destroy(); return; } // mid-body: the only honest signal left is a cut connection
    writeLegacyError(res, timedOut, options.timeoutMs, options.servedByHeader, kind);
  };
  proxy.on('error', onError);

  return {
    web(req, res, body) {
      proxy.web(req, res, body ? { buffer: body } : {}, (err) => onError(err, req, res));
    },
    ws(req, socket, head, route) {
      proxy.ws(req, socket, head, {}, (err) => {
        metrics.upstreamErrors.inc({ route, upstream: 'legacy', kind: 'connection' });
        log.warn({ route, code: (err as NodeJS.ErrnoException).code }, 'legacy websocket upgrade failed');
        socket.destroy();
      });
    },
    close() {
      proxy.close();
      agent.destroy();
    },
  };
}

/** The small JSON error a client gets when legacy cannot answer. */
export function writeLegacyError(res: http.ServerResponse, timedOut: boolean, timeoutMs: number, servedByHeader: string | false, kind: string): void {
  const error = timedOut
    ? new ShadowgateError('SG_LEGACY_TIMEOUT', `legacy did not answer within ${timeoutMs} ms`)
    : new ShadowgateError('SG_LEGACY_UNAVAILABLE', `legacy is unavailable (${kind})`);
  const body = JSON.stringify(error.toJSON());
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (servedByHeader) headers[servedByHeader] = 'legacy';
  res.writeHead(error.status, headers);
  res.end(body);
}
