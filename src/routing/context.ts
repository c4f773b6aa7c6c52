// Who is asking: the user key for sticky sampling and the Unleash context, read from
// configured headers/cookies. Values are used for evaluation only, never as labels.
import type { IncomingMessage } from 'node:http';
import type { Config } from '../config/schema.js';

export interface RequestContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  properties?: Record<string, string>;
}

type ContextConfig = Config['flags']['context'];

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

function fromSource(req: IncomingMessage, source: { header?: string; cookie?: string }): string | undefined {
  return firstHeader(req, source.header) ?? (source.cookie ? readCookie(req.headers.cookie, source.cookie) : undefined);
}

export function buildRequestContext(req: IncomingMessage, config: ContextConfig): RequestContext {
  const ctx: RequestContext = { remoteAddress: req.socket.remoteAddress };
  const userId = fromSource(req, config.userId);
  if (userId !== undefined) ctx.userId = userId;
  const sessionId = fromSource(req, config.sessionId);
  if (sessionId !== undefined) ctx.sessionId = sessionId;
  if (config.properties.length > 0) {
    const props: Record<string, string> = {};
    for (const h of config.properties) {
      const v = firstHeader(req, h);
      if (v !== undefined) props[h] = v;
    }
    ctx.properties = props;
  }
  return ctx;
}
