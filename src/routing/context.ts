// Who is asking: the user key for sticky sampling and the Unleash context, read from
// configured headers/cookies and the client's address. Values are used for evaluation only,
// never as labels. appName, environment and currentTime are not per request: unleash-client
// adds its static context (flags.appName, flags.environment) and the proxy's clock.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';
import { clientAddress, parseForwarded, parseForwardedFor, parseTrustedProxies, type TrustedProxies } from './client-address.js';

export interface RequestContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  properties?: Record<string, string>;
}

type ContextConfig = Config['flags']['context'];
interface ContextSource { header?: string; cookie?: string }

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponentSafe(part.slice(eq + 1).trim());
  }
  return undefined;
}

function decodeURIComponentSafe(v: string): string {
  try { return decodeURIComponent(v); } catch { return v; }
}

function firstHeader(req: IncomingMessage, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

/** The header when sent and not empty, else the cookie when sent and not empty. */
function fromSource(req: IncomingMessage, source: ContextSource): string | undefined {
  const header = firstHeader(req, source.header);
  if (header !== undefined) return header;
  if (!source.cookie) return undefined;
  const cookie = readCookie(req.headers.cookie, source.cookie);
  return cookie === '' ? undefined : cookie;
}

/** Parsed once per config object (configs are frozen): the request path only looks up. */
const TRUSTED = new WeakMap<object, TrustedProxies>();

function trustedProxiesOf(config: ContextConfig['remoteAddress']): TrustedProxies {
  let trusted = TRUSTED.get(config);
  if (trusted === undefined) {
    trusted = parseTrustedProxies(config.trustedProxies);
    TRUSTED.set(config, trusted);
  }
  return trusted;
}

/**
 * The client's address for this request under `flags.context.remoteAddress`: the socket
 * peer, or, when the peer is a trusted proxy, the right-most untrusted hop of the configured
 * header (`forwarded` is read as RFC 7239, any other header as an x-forwarded-for list).
 */
export function requestClientAddress(req: IncomingMessage, config: ContextConfig['remoteAddress']): string | undefined {
  const trusted = trustedProxiesOf(config);
  const peer = req.socket.remoteAddress;
  if (trusted.empty) return clientAddress(peer, [], trusted);
  const raw = req.headers[config.header];
  const hops = config.header === 'forwarded' ? parseForwarded(raw) : parseForwardedFor(raw);
  return clientAddress(peer, hops, trusted);
}

export function buildRequestContext(req: IncomingMessage, config: ContextConfig): RequestContext {
  const ctx: RequestContext = {};
  const remoteAddress = requestClientAddress(req, config.remoteAddress);
  if (remoteAddress !== undefined) ctx.remoteAddress = remoteAddress;
  const userId = fromSource(req, config.userId);
  if (userId !== undefined) ctx.userId = userId;
  const sessionId = fromSource(req, config.sessionId);
  if (sessionId !== undefined) ctx.sessionId = sessionId;
  let props: Record<string, string> | undefined;
  for (const name in config.properties) {
    const v = fromSource(req, config.properties[name]!);
    if (v !== undefined) (props ??= {})[name] = v;
  }
  if (props !== undefined) ctx.properties = props;
  return ctx;
}
