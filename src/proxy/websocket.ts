// WebSocket upgrades: tunnelled to legacy by http-proxy-3 (the maintained TypeScript rewrite
// of http-proxy, which is unmaintained since 2020): tunnels are what it does best. The same
// header rules as every other path: Connection nominations never remove framing or routing,
// forwarding headers are added.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { appendForwarded, nominated } from './headers.js';

export interface WebSocketPass {
  upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer, route: string): void;
  close(): void;
}

export function createWebSocketPass(target: string, metrics: Metrics, log: Logger): WebSocketPass {
  const proxy = createProxyServer({ target, xfwd: true });

  // A tunnel is two sockets; http-proxy ends one when the other ends cleanly, not when it
  // is destroyed (e.g. cut at shutdown), which would leave the legacy side open for good.
  proxy.on('proxyReqWs', (proxyReq, _req, socket) => {
    proxyReq.once('upgrade', (_res: http.IncomingMessage, proxySocket: Socket) => {
      socket.once('close', () => proxySocket.destroy());
      proxySocket.once('close', () => socket.destroy());
    });
  });
  proxy.on('error', () => { /* answered per call below */ });

  return {
    upgrade(req, socket, head, route) {
      const headers = req.headers;
      const hop = nominated(headers.connection);
      // `upgrade` stays: it is what this hop asks legacy for.
      if (hop) for (const name of hop) if (name !== 'upgrade') delete headers[name];
      delete headers['keep-alive'];
      delete headers['proxy-connection'];
      delete headers.te;
      // http-proxy's ws pass adds x-forwarded-for/-port/-proto only: same forwarding story as HTTP.
      appendForwarded(headers, req.socket.remoteAddress);
      proxy.ws(req, socket, head, {}, (err: Error) => {
        metrics.upstreamErrors.inc({ route, upstream: 'legacy', kind: 'connection' });
        log.warn({ route, code: (err as NodeJS.ErrnoException).code }, 'legacy websocket upgrade failed');
        socket.destroy();
      });
    },
    close() {
      proxy.close();
    },
  };
}
