// Sends every suite case to a candidate agent and judges the answer against the reference the
// case's verdict names, with a bounded number of calls in flight. Outcomes keep input order,
// so the report does not depend on which call finished first.
import { Agent, request } from 'undici';
import type { Readable } from 'node:stream';
import type { CapturedResponse, CompareFn } from '../compare/types.js';
import { decodeBody } from '../shadow/decode.js';
import { decodeBody as decodeSuiteBody, type SuiteCase, type SuiteResponse } from '../suites/format.js';
import type { LoadedCase } from '../suites/read.js';
import type { CaseOutcome } from './report.js';

export const REPLAY_HEADER = 'x-shadowgate-replay';
const NOT_SENT = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);

export interface ReplayOptions {
  agentUrl: string;
  concurrency: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Only this route's cases are replayed; the others count as skipped. */
  route?: string;
  /** The comparator for a route. */
  comparatorFor(route: string): CompareFn;
  /** Called once per case as it completes (progress). */
  onCase?: (outcome: CaseOutcome) => void;
}

type Answer = { ok: true; response: CapturedResponse; durationMs: number; startedAt: number; finishedAt: number }
  | { ok: false; durationMs: number; startedAt: number; finishedAt: number };

export async function replayCases(cases: readonly LoadedCase[], options: ReplayOptions): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = new Array(cases.length);
  const dispatcher = new Agent({ connections: options.concurrency, keepAliveTimeout: 4000 });
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const index = next++;
      const outcome = await replayOne(cases[index]!, options, dispatcher);
      outcomes[index] = outcome;
      options.onCase?.(outcome);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, cases.length)) }, worker));
  } finally {
    await dispatcher.close();
  }
  return outcomes;
}

async function replayOne(loaded: LoadedCase, options: ReplayOptions, dispatcher: Agent): Promise<CaseOutcome> {
  const c = loaded.case;
  const base = { id: c.id, route: c.route, differences: [] as string[], durationMs: null, startedAt: null, finishedAt: null };
  if (options.route !== undefined && c.route !== options.route) return { ...base, result: 'skipped' };
  if (loaded.verdict === 'legacy_correct' || loaded.verdict === 'both_wrong') return { ...base, result: 'excluded' };
  const references = referencesOf(c, loaded.verdict);
  // Without a reference answer (or with a broken one) there is nothing to judge against.
  if (references.length === 0 || references[0]!.status >= 500) return { ...base, result: 'skipped' };

  const answer = await send(c, options, dispatcher);
  const timing = { durationMs: answer.durationMs, startedAt: answer.startedAt, finishedAt: answer.finishedAt };
  if (!answer.ok || answer.response.status >= 500) return { ...base, ...timing, result: 'agent_error' };
  const ctx = { route: c.route, method: c.request.method, path: c.request.path };
  const compare = options.comparatorFor(c.route);
  let differences: string[] | null = null;
  for (const reference of references) {
    let outcome;
    try {
      outcome = await compare(captured(reference), answer.response, ctx);
    } catch {
      return { ...base, ...timing, result: 'skipped' }; // as in live shadowing: a failing comparator judges nothing
    }
    if (outcome.result === 'match') return { ...base, ...timing, result: 'match' };
    differences ??= outcome.differences.map((d) => d.pointer || d.field);
  }
  return { ...base, ...timing, result: 'mismatch', differences: differences ?? [] };
}

/** agent_correct: the agent's answer that was judged correct; both_ok: either answer; else legacy's. */
function referencesOf(c: SuiteCase, verdict: LoadedCase['verdict']): SuiteResponse[] {
  if (verdict === 'agent_correct') return c.agent ? [c.agent] : [];
  if (verdict === 'both_ok') return c.agent ? [c.expected, c.agent] : [c.expected];
  return [c.expected];
}

function captured(r: SuiteResponse): CapturedResponse {
  return { status: r.status, headers: r.headers, body: decodeSuiteBody(r.body, r.bodyEncoding), truncated: false };
}

async function send(c: SuiteCase, options: ReplayOptions, dispatcher: Agent): Promise<Answer> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(c.request.headers)) if (!NOT_SENT.has(name)) headers[name] = value;
  headers[REPLAY_HEADER] = '1';
  const body = decodeSuiteBody(c.request.body, c.request.bodyEncoding);
  const url = new URL(options.agentUrl);
  const basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const path = `${basePath}${c.request.path}${c.request.query ? `?${c.request.query}` : ''}`;
  const startedAt = performance.timeOrigin + performance.now();
  const t0 = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const done = () => ({ durationMs: performance.now() - t0, startedAt, finishedAt: performance.timeOrigin + performance.now() });
  try {
    const res = await request(new URL(path, url.origin), {
      dispatcher, method: c.request.method as 'GET', headers, body: body.length > 0 ? body : null,
      signal: controller.signal, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs,
    });
    const read = await readBounded(res.body, options.maxResponseBytes);
    const responseHeaders = res.headers as CapturedResponse['headers'];
    const decoded = read.truncated ? read.body : decodeBody(read.body, responseHeaders, options.maxResponseBytes * 4);
    const { 'content-encoding': _e, 'content-length': _l, ...rest } = responseHeaders;
    return {
      ok: true, ...done(),
      // An undecodable body is judged as sent: it will not match a decoded reference.
      response: { status: res.statusCode, headers: decoded === null ? responseHeaders : rest, body: decoded ?? read.body, truncated: read.truncated },
    };
  } catch {
    return { ok: false, ...done() };
  } finally {
    clearTimeout(timer);
  }
}

function readBounded(stream: Readable, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        stream.removeAllListeners('data');
        stream.on('error', () => {});
        stream.destroy();
        resolve({ body: Buffer.concat(chunks, size), truncated: true });
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.once('end', () => resolve({ body: Buffer.concat(chunks, size), truncated: false }));
    stream.once('error', reject);
  });
}
