// Calls the proxy makes itself go through one undici pool per upstream: keep-alive,
// bounded connections, and every failure classified so metrics and gates can name it.
import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ByteBudget } from './capture.js';

export type FailureKind = 'timeout' | 'connection' | 'reset' | 'invalid_response' | 'aborted';

export interface UpstreamResponse {
  ok: true;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  truncated: boolean;
  durationMs: number;
  /** The read stopped because the shared byte budget was spent (the bytes read are charged to it). */
  overBudget?: boolean;
}
export interface UpstreamFailure { ok: false; kind: FailureKind; message: string; durationMs: number }
export type UpstreamResult = UpstreamResponse | UpstreamFailure;

export interface UpstreamRequest {
  method: string;
  path: string;               // path + query, relative to the upstream's base URL
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  body?: Buffer | null;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Shared byte budget the response body is charged to (shadows); over it the read stops. */
  budget?: ByteBudget;
  signal?: AbortSignal;
}

export class UpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  readonly host: string;

  constructor(url: string, options: { connections: number; keepAliveTimeoutMs?: number }) {
    const u = new URL(url);
    this.pool = new Pool(u.origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
    });
    this.basePath = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
    this.host = u.host;
  }

  async request(req: UpstreamRequest): Promise<UpstreamResult> {
    const started = performance.now();
    // One controller and one timer per call: AbortSignal.timeout/any cost far more on the
    // shadow path, and the timer is cleared as soon as the call settles.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, req.timeoutMs);
    timer.unref();
    const outer = req.signal;
    const onOuterAbort = () => controller.abort();
    if (outer) {
      if (outer.aborted) controller.abort();
      else outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    try {
      const res = await this.pool.request({
        method: req.method as 'GET',
        path: this.basePath + req.path,
        headers: req.headers as Record<string, string>,
        body: req.body && req.body.length > 0 ? req.body : null,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const { body, truncated, overBudget } = await readBounded(res.body, req.maxResponseBytes, req.budget);
      return {
        ok: true, status: res.statusCode, headers: res.headers as UpstreamResponse['headers'],
        body, truncated, durationMs: performance.now() - started, ...(overBudget ? { overBudget } : {}),
      };
    } catch (err) {
      return { ok: false, ...classify(err, timedOut, outer?.aborted ?? false), durationMs: performance.now() - started };
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}

/** Reads a body up to `max` bytes with plain events (cheaper than an async iterator); past
 *  the limit the stream is destroyed so a huge answer is never pulled through. */
function readBounded(stream: Readable, max: number, budget?: ByteBudget): Promise<{ body: Buffer; truncated: boolean; overBudget: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (truncated: boolean, overBudget = false) =>
      resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size), truncated, overBudget });
    const stop = (overBudget: boolean) => {
      stream.removeAllListeners('data');
      stream.on('error', () => {});
      stream.destroy();
      done(true, overBudget);
    };
    stream.on('data', (chunk: Buffer) => {
      if (size + chunk.length > max) {
        const part = chunk.subarray(0, max - size);
        if (budget && !budget.tryReserve(part.length)) { stop(true); return; }
        chunks.push(part);
        size = max;
        stop(false);
        return;
      }
      if (budget && !budget.tryReserve(chunk.length)) { stop(true); return; }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.once('end', () => done(false));
    stream.once('error', reject);
  });
}

export function classify(err: unknown, timedOut: boolean, aborted: boolean): { kind: FailureKind; message: string } {
  const e = err as { code?: string; name?: string; message?: string };
  const code = e.code ?? e.name ?? 'error';
  if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'TimeoutError') {
    return { kind: 'timeout', message: code };
  }
  if (aborted || code === 'AbortError' || code === 'UND_ERR_ABORTED') return { kind: 'aborted', message: code };
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') return { kind: 'connection', message: code };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') return { kind: 'reset', message: code };
  return { kind: 'invalid_response', message: code };
}
