// Header hygiene for every path that forwards a message (legacy pass-through, serve, shadow
// copy, WebSocket upgrade): hop-by-hop headers never cross the proxy (RFC 9110 §7.6.1), and
// forwarding headers say where the request came from.
//
// A Connection header may nominate more hop-by-hop headers, but never the message's framing
// or routing (content-length, transfer-encoding, host): such nominations are ignored. The
// proxy frames every message it sends from what node parsed, so one client request is
// always exactly one upstream request with exactly the client's body (regression: a client
// nominating content-length made legacy read its body as a second, smuggled request).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Never removed by a Connection nomination: framing and routing. */
export const PROTECTED: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'host']);

/** Header names a Connection header value nominates as hop-by-hop, protected ones left out. */
export function nominated(connection: string | string[] | undefined): Set<string> | null {
  if (connection === undefined) return null;
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  let out: Set<string> | null = null;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'close' || name === 'keep-alive' || PROTECTED.has(name)) continue;
    (out ??= new Set()).add(name);
  }
  return out;
}

/** Removes hop-by-hop headers and the ones the Connection header nominates, in place. */
export function stripHopByHop(headers: IncomingHttpHeaders | Record<string, unknown>): void {
  const names = nominated(headers.connection as string | undefined);
  if (names) for (const name of names) delete headers[name];
  for (const name of HOP_BY_HOP) delete headers[name];
}

/**
 * The transfer codings of a request other than chunked (e.g. "gzip" of "gzip, chunked"), or
 * null. node has already refused a request whose last coding is not chunked; what is left
 * cannot be forwarded: the proxy re-frames every body it sends (RFC 9112 §6.1: 501).
 */
export function unsupportedCodings(te: string | undefined): string | null {
  if (te === undefined) return null;
  const codings = te.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'chunked');
  return codings.length === 0 ? null : codings.join(', ');
}

export function isHopByHop(lowerName: string, nominatedNames: Set<string> | null): boolean {
  return HOP_BY_HOP.has(lowerName) || (nominatedNames !== null && nominatedNames.has(lowerName));
}

export interface ForwardedRequest {
  /** Flat [name, value, …] list for undici, in the client's order and case. */
  headers: string[];
  /** Whether a body follows (RFC 9112 §6.3: transfer-encoding or content-length). */
  hasBody: boolean;
}

/**
 * The headers legacy gets for a client request: the client's, minus hop-by-hop and nominated
 * ones and `expect` (node already answered it), Host kept (or the absolute-form authority),
 * framing set from what node parsed, and x-forwarded-for/-port/-proto appended and
 * x-forwarded-host set as http-proxy's xfwd does, plus an RFC 7239 `forwarded` element.
 * Returns null for a request no proxy may forward (RFC 9112 §3.2: more than one Host).
 */
export function forwardedRequestHeaders(req: IncomingMessage, clientAddress: string | undefined, authority: string | undefined): ForwardedRequest | null {
  const raw = req.rawHeaders;
  const skip = nominated(req.headers.connection);
  const out: string[] = [];
  let host: string | undefined;
  let hosts = 0;
  let xff: string | undefined;
  let xfPort: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let forwarded: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host': hosts++; host = value; continue;
      case 'content-length': case 'expect': continue;
      case 'x-forwarded-for': if (skip?.has(lower)) continue; xff = xff === undefined ? value : `${xff},${value}`; continue;
      case 'x-forwarded-port': if (skip?.has(lower)) continue; xfPort = xfPort === undefined ? value : `${xfPort},${value}`; continue;
      case 'x-forwarded-proto': if (skip?.has(lower)) continue; xfProto = xfProto === undefined ? value : `${xfProto},${value}`; continue;
      case 'x-forwarded-host': if (skip?.has(lower)) continue; xfHost ??= value; continue;
      case 'forwarded': if (skip?.has(lower)) continue; forwarded = forwarded === undefined ? value : `${forwarded}, ${value}`; continue;
      default:
        if (isHopByHop(lower, skip)) continue;
        // x-shadowgate-* on a request are the proxy's own markers (shadow, sample id, calibration): a client cannot send them.
        if (lower.startsWith('x-shadowgate-')) continue;
        out.push(name, value);
    }
  }
  if (hosts > 1) return null;
  const targetHost = authority ?? host;
  if (targetHost !== undefined) out.push('host', targetHost);
  const te = req.headers['transfer-encoding'];
  const length = req.headers['content-length'];
  // Chunked bodies go on chunked (undici frames a stream without a length that way).
  const hasBody = te !== undefined || (length !== undefined && length !== '0');
  if (te === undefined && length !== undefined) out.push('content-length', length);
  const addr = clientAddress ?? '';
  const port = portOf(targetHost);
  out.push(
    'x-forwarded-for', xff === undefined ? addr : `${xff},${addr}`,
    'x-forwarded-port', xfPort === undefined ? port : `${xfPort},${port}`,
    'x-forwarded-proto', xfProto === undefined ? 'http' : `${xfProto},http`,
  );
  if (xfHost !== undefined || targetHost !== undefined) out.push('x-forwarded-host', xfHost ?? targetHost!);
  const element = forwardedElement(addr, targetHost);
  out.push('forwarded', forwarded === undefined ? element : `${forwarded}, ${element}`);
  return { headers: out, hasBody };
}

function portOf(host: string | undefined): string {
  const m = host === undefined ? null : /:(\d+)$/.exec(host);
  return m ? m[1]! : '80';
}

function forwardedElement(addr: string, host: string | undefined): string {
  const forNode = addr === '' ? 'unknown' : addr.includes(':') ? `"[${addr}]"` : addr;
  let element = `for=${forNode};proto=http`;
  if (host) element += `;host="${host.replace(/["\\]/g, '')}"`;
  return element;
}

/**
 * An upstream answer's raw headers (undici: Buffers, name/value alternating) as the flat list
 * the client gets: hop-by-hop and nominated ones dropped; content-length kept (node frames
 * the rest). The served-by header is added last.
 */
export function clientResponseHeaders(raw: readonly Buffer[], servedByHeader: string | false, servedBy: string): string[] {
  let skip: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toString('latin1').toLowerCase() === 'connection') {
      const names = nominated(raw[i + 1]!.toString('latin1'));
      if (names) for (const n of names) (skip ??= new Set()).add(n);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'trailer') { out.push(name, raw[i + 1]!.toString('latin1')); continue; } // end-to-end (RFC 9110 §6.6.2): trailers are forwarded
    if (isHopByHop(lower, skip)) continue;
    if (servedByHeader !== false && lower === servedByHeader) continue;
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  if (servedByHeader !== false) out.push(servedByHeader, servedBy);
  return out;
}

/** Lower-cased header object from a flat name/value list, its first `length` entries (what comparisons and samples read). */
export function headerObject(flat: readonly string[], length = flat.length): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = name === 'set-cookie' ? [prev, value] : `${prev}, ${value}`;
  }
  return out;
}
