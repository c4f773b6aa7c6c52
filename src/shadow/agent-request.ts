// What the agent sees of a mirrored request: the same method, path, query and body, its
// own Host (the original in x-forwarded-host), a marker header so it can skip side
// effects, and none of the redacted headers unless the route opts in.
import type { IncomingHttpHeaders } from 'node:http';
import { nominated } from '../proxy/headers.js';

export const SHADOW_MARKER = 'x-shadowgate-shadow';
export const SAMPLE_ID_HEADER = 'x-shadowgate-sample-id';
/** On the second legacy and agent calls of a calibration pair. */
export const CALIBRATION_MARKER = 'x-shadowgate-calibration';

// Never forwarded by undici-built requests: it sets these itself or refuses them.
const NOT_FORWARDED = new Set(['host', 'content-length', 'expect', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);

export function buildAgentHeaders(
  req: { readonly headers: IncomingHttpHeaders | Record<string, string | string[] | undefined> }, agentHost: string, redacted: readonly string[], forward: readonly string[], sampleId: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // Headers the client's Connection header nominated are for the first hop only.
  const headers = req.headers;
  const hop = nominated(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || NOT_FORWARDED.has(name) || hop?.has(name) || name.startsWith('x-shadowgate-')) continue;
    if (redacted.length > 0 && redacted.includes(name) && !forward.includes(name)) continue;
    out[name] = value;
  }
  out.host = agentHost;
  if (req.headers.host && !out['x-forwarded-host']) out['x-forwarded-host'] = req.headers.host;
  out[SHADOW_MARKER] = '1';
  out[SAMPLE_ID_HEADER] = sampleId;
  return out;
}
