// Calls the proxy makes and reads whole (the agent's shadow and serve calls, legacy in
// parallel serving) go through an undici pool with a small handler of our own: no stream,
// no async iterator, one promise per call; bodies are read up to a limit (and a shared byte
// budget for shadows), and every failure is classified so metrics and gates can name it.
import type { Dispatcher, Pool } from 'undici';
import type { ByteBudget } from '../shadow/capture.js';
import { classify, type FailureKind } from './upstream-errors.js';

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

/** Filled in by the client when the call starts; calling it abandons the call (result kind "aborted"). */
export interface Cancellable { cancel: (() => void) | undefined; cancelled?: boolean }

export interface UpstreamRequest {
  method: string;
  path: string;               // path + query, relative to the upstream's base URL
  headers: Record<string, string | string[] | undefined> | string[];
  body?: Buffer | null;
  /** Whole-call deadline. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Shared byte budget the response body is charged to (shadows); over it the read stops. */
  budget?: ByteBudget;
  cancellable?: Cancellable;
}

export class UpstreamClient {
  private readonly basePath: string;
  readonly host: string;

  constructor(private readonly pool: Pool, url: string) {
    const u = new URL(url);
    this.basePath = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
    this.host = u.host;
  }

  request(req: UpstreamRequest): Promise<UpstreamResult> {
    return new Promise((resolve) => {
      const handler = new BufferingHandler(req, resolve);
      const cancellable = req.cancellable;
      if (cancellable) {
        if (cancellable.cancelled) { handler.cancel(); return; }
        cancellable.cancel = () => handler.cancel();
      }
      try {
        this.pool.dispatch({
          method: req.method as Dispatcher.HttpMethod,
          path: this.basePath + req.path,
          headers: req.headers as Record<string, string>,
          body: req.body && req.body.length > 0 ? req.body : null,
          // The handler's own deadline covers the whole call; undici's timers would be FastTimers
          // outliving each call by up to a second (a WeakRef each): garbage promoted per request.
          headersTimeout: 0,
          bodyTimeout: 0,
        }, handler);
      } catch (err) {
        handler.onError(err as Error);
      }
    });
  }
}

type Abort = (reason?: Error) => void;

class CancelledError extends Error { readonly code = 'UND_ERR_ABORTED'; }
class DeadlineError extends Error { readonly code = 'UND_ERR_HEADERS_TIMEOUT'; }
class InvalidStatusError extends Error { readonly code = 'SG_INVALID_STATUS'; }

/** Collects one answer; resolves exactly once. */
class BufferingHandler implements Dispatcher.DispatchHandler {
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;
  private abort: Abort | null = null;
  private status = 0;
  private raw: Buffer[] = [];
  private chunks: Buffer[] = [];
  private size = 0;
  /** Set when we stopped reading on purpose (limit or budget): the error that follows is ours. */
  private stopped: 'limit' | 'budget' | null = null;
  private cancelled = false;
  private timedOut = false;
  private invalid = false;
  private done = false;

  constructor(private readonly req: UpstreamRequest, private readonly resolve: (r: UpstreamResult) => void) {
    // One timer per call (AbortSignal.timeout/any cost far more), cleared as soon as it settles.
    this.timer = setTimeout(() => { this.timedOut = true; this.abort?.(new DeadlineError('deadline')); if (!this.abort) this.fail(new DeadlineError('deadline')); }, req.timeoutMs);
    this.timer.unref();
  }

  cancel(): void {
    if (this.done) return;
    this.cancelled = true;
    if (this.abort) this.abort(new CancelledError('cancelled'));
    else this.fail(new CancelledError('cancelled'));
  }

  onConnect(abort: Abort): void {
    this.abort = abort;
    if (this.cancelled) abort(new CancelledError('cancelled'));
  }

  onHeaders(status: number, raw: Buffer[]): boolean {
    // undici hands on any three digits: outside 100-599 is no HTTP status (099 is not a 1xx to wait past).
    if (status < 100 || status > 599) { this.invalid = true; this.abort?.(new InvalidStatusError(`status ${status}`)); return false; }
    if (status < 200) return true; // informational: the final answer follows
    this.status = status;
    this.raw = raw;
    return true;
  }

  onData(chunk: Buffer): boolean {
    const { maxResponseBytes: max, budget } = this.req;
    if (this.size + chunk.length > max) {
      const part = chunk.subarray(0, max - this.size);
      if (budget && !budget.tryReserve(part.length)) return this.stop('budget');
      this.chunks.push(part);
      this.size = max;
      return this.stop('limit');
    }
    if (budget && !budget.tryReserve(chunk.length)) return this.stop('budget');
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  onComplete(): void {
    this.succeed(false);
  }

  onError(err: Error): void {
    if (this.stopped) { this.succeed(true); return; }
    this.fail(err);
  }

  private stop(why: 'limit' | 'budget'): false {
    // Past the limit the rest of a huge answer is never pulled through: the socket is cut.
    this.stopped = why;
    this.abort?.(new CancelledError('read limit'));
    return false;
  }

  private succeed(truncated: boolean): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.resolve({
      ok: true, status: this.status, headers: parseRawHeaders(this.raw), body, truncated,
      durationMs: performance.now() - this.started, ...(this.stopped === 'budget' ? { overBudget: true } : {}),
    });
  }

  private fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    // Bytes charged before the failure are given back: nobody will hold this body.
    if (this.req.budget && this.size > 0) this.req.budget.release(this.size);
    const failure = this.invalid ? { kind: 'invalid_response' as const, message: (err as Error).message } : classify(err, this.timedOut, this.cancelled);
    this.resolve({ ok: false, ...failure, durationMs: performance.now() - this.started });
  }
}

/** undici's raw header Buffers as a lower-cased object (repeated headers joined, set-cookie kept as a list). */
export function parseRawHeaders(raw: readonly Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = name === 'set-cookie' ? [prev, value] : `${prev}, ${value}`;
  }
  return out;
}
