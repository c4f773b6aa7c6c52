// Builds one suite case from what the comparison recorder holds, redacted before anything is
// written: redact.headers dropped, redact.fields masked, redact.patterns masked everywhere.
import type { Redactor } from '../store/redact.js';
import type { Sample } from '../store/samples.js';
import { REDACTED } from '../store/redact.js';
import type { SuiteCase, SuiteHeaders, SuiteResponse, Verdict } from './format.js';

type RawHeaders = Record<string, string | string[] | undefined>;

export interface SuiteRecordInput {
  /** The sample id (ShadowJob.id). */
  id: string;
  route: string;
  /** When the client request arrived (ShadowJob.at). */
  at: Date;
  request: { method: string; path: string; query: string; headers: RawHeaders; body: Buffer };
  /** Legacy's answer; the body content-decoded (Comparison.legacyBody). */
  legacy: { status: number; headers: RawHeaders; body: Buffer };
  /** The agent's answer (Comparison.agentBody), or null when it failed. */
  agent: { status: number; headers: RawHeaders; body: Buffer } | null;
  result: string;
  verdict?: Verdict | null;
}

export type BuiltRecord = { ok: true; record: SuiteCase } | { ok: false; reason: 'body_too_large' };

// Set by whoever sends the request (replay, undici) or about transport, not about the answer.
const REQUEST_DROPPED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);
const RESPONSE_DROPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive', 'trailer']);
const NO_CUT = Number.MAX_SAFE_INTEGER;

export function buildSuiteRecord(input: SuiteRecordInput, redactor: Redactor, maxBodyBytes: number): BuiltRecord {
  const bodies = [input.request.body, input.legacy.body, input.agent?.body];
  // A cut case would replay a different request or judge against a different answer.
  if (bodies.some((b) => b !== undefined && b.length > maxBodyBytes)) return { ok: false, reason: 'body_too_large' };
  const requestBody = redactor.body(input.request.body, input.request.headers['content-type'], NO_CUT);
  return {
    ok: true,
    record: {
      id: input.id,
      route: input.route,
      recordedAt: input.at.toISOString(),
      request: {
        method: input.request.method,
        path: redactor.text(input.request.path),
        query: redactor.query(input.request.query),
        headers: without(redactor.keptHeaders(input.request.headers), REQUEST_DROPPED),
        body: requestBody.body,
        bodyEncoding: requestBody.encoding,
      },
      expected: response(input.legacy, redactor),
      agent: input.agent ? response(input.agent, redactor) : null,
      result: input.result,
      verdict: input.verdict ?? null,
    },
  };
}

function response(message: { status: number; headers: RawHeaders; body: Buffer }, redactor: Redactor): SuiteResponse {
  const body = redactor.body(message.body, message.headers['content-type'], NO_CUT);
  return { status: message.status, headers: without(redactor.keptHeaders(message.headers), RESPONSE_DROPPED), body: body.body, bodyEncoding: body.encoding };
}

function without(headers: SuiteHeaders, dropped: ReadonlySet<string>): SuiteHeaders {
  const out: SuiteHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!dropped.has(name) && !name.startsWith('x-shadowgate-')) out[name] = value;
  return out;
}

/**
 * A case from a stored sample, for a verdict on a case that was not recorded. Samples are
 * already redacted (masked headers are dropped here); null when a body was cut at
 * samples.maxBodyBytes or legacy gave no answer, since such a case cannot be replayed.
 */
export function suiteRecordFromSample(sample: Sample, verdict: Verdict, redactor: Redactor, query = ''): SuiteCase | null {
  const { request, legacy, agent } = sample;
  if (request.truncated || legacy.truncated || legacy.status === undefined || legacy.error) return null;
  const kept = (h: Sample['legacy']['headers'], dropped: ReadonlySet<string>): SuiteHeaders => {
    const out: SuiteHeaders = {};
    for (const [name, value] of Object.entries(h)) {
      if (value === undefined || value === REDACTED || redactor.isRedactedHeader(name)) continue;
      out[name.toLowerCase()] = value;
    }
    return without(out, dropped);
  };
  const answer = (m: Sample['legacy']): SuiteResponse => ({ status: m.status!, headers: kept(m.headers, RESPONSE_DROPPED), body: m.body, bodyEncoding: m.encoding });
  return {
    id: sample.id,
    route: sample.route,
    recordedAt: sample.at,
    request: { method: request.method, path: request.path, query: redactor.query(query), headers: kept(request.headers, REQUEST_DROPPED), body: request.body, bodyEncoding: request.encoding },
    expected: answer(legacy),
    agent: agent.error || agent.truncated || agent.status === undefined ? null : answer(agent),
    result: sample.result,
    verdict,
  };
}
