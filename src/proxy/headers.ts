// Header hygiene shared by the legacy and agent paths: hop-by-hop headers never cross
// the proxy (RFC 9110 §7.6.1), and forwarding headers say where the request came from.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Removes hop-by-hop headers (and those the Connection header names) in place. */
export function stripHopByHop(headers: IncomingHttpHeaders | Record<string, unknown>): void {
  const connection = headers.connection;
  if (typeof connection === 'string') {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && name !== 'close' && name !== 'keep-alive') delete headers[name];
    }
  }
  for (const name of HOP_BY_HOP) delete headers[name];
}

/** Appends an RFC 7239 `forwarded` element for this hop. */
export function appendForwarded(req: IncomingMessage): void {
  const addr = req.socket.remoteAddress ?? 'unknown';
  const forNode = addr.includes(':') ? `"[${addr}]"` : addr;
  const host = req.headers.host;
  let element = `for=${forNode};proto=http`;
  if (host) element += `;host="${host.replace(/["\\]/g, '')}"`;
  const existing = req.headers.forwarded;
  req.headers.forwarded = existing ? `${existing}, ${element}` : element;
}
