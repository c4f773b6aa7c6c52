// Writing an answer that was read whole (the agent's, or legacy's held in parallel serving)
// to the client: hop-by-hop headers dropped, our own framing, the served-by header once.
import type { ServerResponse } from 'node:http';
import { stripHopByHop } from '../proxy/headers.js';
import type { UpstreamResponse } from '../proxy/upstream-client.js';

/** false when node refused the answer (a status or header it cannot write): the caller falls back. */
export function writeWholeAnswer(res: ServerResponse, answer: UpstreamResponse, method: string, servedByHeader: string | false, servedBy: 'agent' | 'legacy'): boolean {
  const headers: Record<string, string | string[] | undefined> = { ...answer.headers };
  stripHopByHop(headers);
  if (servedByHeader) headers[servedByHeader] = servedBy;
  // No body (and no content-length) for HEAD, 204 and 304; the length of what was read otherwise.
  const bodiless = method === 'HEAD' || answer.status === 204 || answer.status === 304;
  if (bodiless) { if (method !== 'HEAD') delete headers['content-length']; } else headers['content-length'] = String(answer.body.length);
  try {
    res.writeHead(answer.status, headers);
  } catch {
    return false;
  }
  res.end(bodiless ? undefined : answer.body);
  return true;
}
