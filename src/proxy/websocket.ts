// WebSocket (and any other Upgrade) requests: tunnelled to legacy over a connection of their
// own. The same header rules as every other path: Connection nominations never remove framing
// or routing, hop-by-hop headers stay behind, forwarding headers are added, an absolute-form
// authority is the Host. An upgrade request that declares a body is refused: its bytes would
// be read both as the body and as the tunnel. Legacy's answer is checked before the client
// sees a byte of it: a 101 opens the tunnel; any other answer is relayed with framing of our
// own, then the connection closes (it has left node's HTTP parser); a status line or header
// node could not write is a 502 (regression: http-proxy copied legacy's status line, hop-by-hop
// headers and Transfer-Encoding raw onto the client socket over a de-chunked body).
import http, { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import { normalizeAddress } from '../routing/client-address.js';
import { clientResponseHeaders, forwardedRequestHeaders } from './headers.js';
import { classify, rawErrorAnswer, type FailureKind } from './upstream-errors.js';

export interface WebSocketPass {
  /** `authority`: the absolute-form target's authority, which replaces Host (RFC 9112 §3.2.2). */
  upgrade(req: http.IncomingMessage, socket: Socket, head: Buffer, route: string, authority?: string): void;
  close(): void;
}

/** RFC 9112 §4: reason-phrase = *( HTAB / SP / VCHAR / obs-text ). */
const VALID_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/** `handshakeTimeoutMs`: how long legacy may take to answer the upgrade request (none when unset). */
export function createWebSocketPass(target: string, metrics: Metrics, log: Logger, handshakeTimeoutMs?: number): WebSocketPass {
  const u = new URL(target);
  const pending = new Set<http.ClientRequest>();

  return {
    upgrade(req, socket, head, route, authority) {
      const refuse = (label: string, message: string) => {
        metrics.requestsRejected.inc({ reason: label });
        socket.end(rawErrorAnswer(400, 'SG_REQUEST_INVALID', message));
      };
      const length = req.headers['content-length'];
      if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
        refuse('upgrade_body', 'an upgrade request cannot carry a body: its bytes would be read both as the body and as the tunnel');
        return;
      }
      const peer = req.socket.remoteAddress;
      const fwd = forwardedRequestHeaders(req, peer === undefined ? undefined : normalizeAddress(peer) ?? peer, authority);
      if (fwd === null) { refuse('duplicate_host', 'more than one Host header (RFC 9112 §3.2)'); return; }
      // The upgrade is what this hop asks legacy for: the only hop-by-hop headers that go on.
      fwd.headers.push('connection', 'upgrade', 'upgrade', String(req.headers.upgrade));

      const upstream = http.request({
        host: u.hostname, port: u.port || 80, method: req.method, path: req.url, headers: fwd.headers, agent: false,
        ...(handshakeTimeoutMs ? { timeout: handshakeTimeoutMs } : {}),
      });
      pending.add(upstream);
      let answered = false;
      const fail = (kind: FailureKind, code?: string) => {
        if (answered) { socket.destroy(); return; }
        answered = true;
        metrics.upstreamErrors.inc({ route, upstream: 'legacy', kind });
        log.warn({ route, kind, code }, 'legacy websocket upgrade failed');
        upstream.destroy();
        socket.end(rawErrorAnswer(kind === 'timeout' ? 504 : 502, kind === 'timeout' ? 'SG_LEGACY_TIMEOUT' : 'SG_LEGACY_UNAVAILABLE', `legacy is unavailable (${kind})`));
      };

      upstream.on('upgrade', (res: http.IncomingMessage, tunnel: Socket, tunnelHead: Buffer) => {
        pending.delete(upstream);
        answered = true;
        tunnel.on('error', () => tunnel.destroy());
        socket.once('close', () => tunnel.destroy());
        tunnel.once('close', () => socket.destroy());
        const lines = ['HTTP/1.1 101 Switching Protocols'];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
        if (tunnelHead.length > 0) socket.write(tunnelHead);
        if (head.length > 0) tunnel.write(head);
        tunnel.pipe(socket);
        socket.pipe(tunnel);
      });

      upstream.on('response', (res: http.IncomingMessage) => {
        pending.delete(upstream);
        const answer = declinedAnswer(req.method ?? 'GET', res);
        if (answer === null) { res.destroy(); fail('invalid_response'); return; }
        if (answer.repaired) metrics.upstreamRepairs.inc({ route, upstream: 'legacy', kind: 'reason_phrase' });
        answered = true;
        res.on('error', () => socket.destroy());
        res.on('aborted', () => socket.destroy());
        socket.write(answer.head, 'latin1');
        res.pipe(socket);
      });

      upstream.on('timeout', () => upstream.destroy(Object.assign(new Error('legacy did not answer the upgrade'), { code: 'UND_ERR_HEADERS_TIMEOUT' })));
      upstream.on('error', (err: NodeJS.ErrnoException) => { pending.delete(upstream); fail(classify(err, false, false).kind, err.code); });
      socket.once('close', () => { if (!answered) { answered = true; upstream.destroy(); } });
      upstream.end();
    },
    close() {
      for (const upstream of pending) upstream.destroy();
      pending.clear();
    },
  };
}

/**
 * Legacy declined the upgrade: its answer as the head the client gets (or null when node could
 * not write it). Framing is ours: Content-Length when legacy gave one (node's parser holds the
 * body to it), otherwise the body runs to the close (RFC 9112 §6.3 rule 8); the connection closes.
 */
function declinedAnswer(method: string, res: http.IncomingMessage): { head: string; repaired: boolean } | null {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 599) return null;
  const message = res.statusMessage ?? '';
  const repaired = !VALID_REASON.test(message);
  const reason = repaired ? STATUS_CODES[status] ?? '' : message;
  const flat = clientResponseHeaders(res.rawHeaders.map((s) => Buffer.from(s, 'latin1')), false, '');
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  const bodiless = method === 'HEAD' || status === 204 || status === 304;
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!;
    const value = flat[i + 1]!;
    if (!bodiless && name.toLowerCase() === 'content-length' && res.headers['transfer-encoding'] !== undefined) continue;
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      return null;
    }
    lines.push(`${name}: ${value}`);
  }
  lines.push('connection: close');
  return { head: `${lines.join('\r\n')}\r\n\r\n`, repaired };
}
