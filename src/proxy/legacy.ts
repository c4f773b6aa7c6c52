// The client <-> legacy pass-through on an undici keep-alive pool. Legacy's answer streams to
// the client as it arrives (status, reason phrase, headers in legacy's case and order, body,
// trailers, 102/103), a copy tee'd for the shadow job when there is one. Every way the call
// can end is handled here, once: legacy fails before answering => 502/504 JSON; legacy dies
// mid-body => the client connection is cut (the only honest signal left); the client leaves
// => the legacy call is cancelled; an answer node cannot write (bad status line) => 502 for
// that client only, never an exception (regression: one legacy status line killed the process).
import http from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { ByteBudget } from '../shadow/capture.js';
import type { Tracing } from '../tracing/otel.js';
import { BodyRelay, collectBody } from './body.js';
import type { Exchange } from './exchange.js';
import { clientResponseHeaders, headerObject, type ForwardedRequest } from './headers.js';
import { classify, writeLegacyError, type FailureKind } from './upstream-errors.js';

export interface LegacyOptions {
  timeoutMs: number;
  streamIdleTimeoutMs: number;
  servedByHeader: string | false;
  /** Bodies up to this size (with a declared length) are read whole before legacy is called. */
  maxPrereadBytes: number;
}

/** Hooks for the copy of the exchange the shadow job keeps (set only when there is a job). */
export interface LegacyTee {
  /** The request body, once known in full (pre-read bodies; streamed ones are tee'd by the dispatcher). */
  requestBody?(body: Buffer): void;
}

/** RFC 9112 §4: reason-phrase = *( HTAB / SP / VCHAR / obs-text ). */
const VALID_REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

export class LegacyForwarder {
  readonly idleTimeoutMs: number;

  constructor(
    private readonly pool: Pool,
    readonly options: LegacyOptions,
    private readonly metrics: Metrics,
    readonly log: Logger,
    readonly tracing: Tracing,
    /** Shared bound on pre-read request bodies; past it bodies stream instead. */
    private readonly prereadBudget: ByteBudget,
  ) {
    this.idleTimeoutMs = options.timeoutMs;
  }

  /**
   * Sends the client's request to legacy and its answer back. `body`: the request body when
   * the caller already read it, or a relay of what it read and the rest (serve path); otherwise
   * it is read or streamed from the request.
   */
  forward(ex: Exchange, path: string, fwd: ForwardedRequest, body?: Buffer | BodyRelay, tee?: LegacyTee): 'none' | 'preread' | 'stream' {
    if (body !== undefined || !fwd.hasBody) { this.dispatch(ex, path, fwd, body ?? null, 0); return body === undefined ? 'none' : 'preread'; }
    const declared = ex.req.headers['transfer-encoding'] === undefined ? Number(ex.req.headers['content-length']) : NaN;
    if (declared <= this.options.maxPrereadBytes && this.prereadBudget.tryReserve(declared)) {
      collectBody(ex.req, declared, (buf) => {
        if (buf === null) { this.prereadBudget.release(declared); return; } // the client left mid-upload: legacy never hears of it
        tee?.requestBody?.(buf);
        this.dispatch(ex, path, fwd, buf, declared);
      });
      return 'preread';
    }
    this.dispatch(ex, path, fwd, new BodyRelay(ex.req), 0);
    return 'stream';
  }

  private dispatch(ex: Exchange, path: string, fwd: ForwardedRequest, body: Buffer | BodyRelay | null, reserved: number): void {
    if (ex.clientGone) { this.prereadBudget.release(reserved); return; }
    const call = new LegacyCall(this, ex, reserved);
    ex.onClientGone = () => call.clientGone();
    if (this.tracing.enabled) {
      ex.legacySpan = this.tracing.childSpan(ex.span, 'legacy', { 'shadowgate.upstream': 'legacy', 'shadowgate.route': ex.routeName });
      const carrier: Record<string, string> = {};
      this.tracing.inject(ex.legacySpan, carrier);
      // Our span replaces the client's trace context (it is the legacy call's parent now).
      const headers = fwd.headers;
      for (let i = headers.length - 2; i >= 0; i -= 2) if (headers[i]!.toLowerCase() in carrier) headers.splice(i, 2);
      for (const [k, v] of Object.entries(carrier)) headers.push(k, v);
    }
    try {
      this.pool.dispatch({
        method: (ex.req.method ?? 'GET') as Dispatcher.HttpMethod, path, headers: fwd.headers, body,
        // Both deadlines are the call's own native timer: undici's are FastTimers that outlive
        // the request by up to a second (a WeakRef each), promoted garbage at every request.
        headersTimeout: 0, bodyTimeout: 0,
      }, call);
    } catch (err) {
      call.onError(err as Error);
    }
  }

  /** Gives back the pre-read budget a finished call held. */
  releasePreread(reserved: number): void {
    this.prereadBudget.release(reserved);
  }

  countError(ex: Exchange, kind: FailureKind): void {
    ex.metrics.upstreamError('legacy', kind);
  }

  count5xx(ex: Exchange): void {
    ex.metrics.upstreamError('legacy', 'status_5xx');
  }

  countRepair(ex: Exchange, what: string): void {
    this.metrics.upstreamRepairs.inc({ route: ex.routeName, upstream: 'legacy', kind: what });
  }
}

type Abort = (reason?: Error) => void;
class ClientGoneError extends Error { readonly code = 'UND_ERR_ABORTED'; }
class IdleTimeoutError extends Error { readonly code = 'UND_ERR_BODY_TIMEOUT'; }

/** One legacy call: the undici handler (legacy handler API, which undici runs natively). */
class LegacyCall implements Dispatcher.DispatchHandler {
  private abort: Abort | null = null;
  private resume: (() => void) | null = null;
  /** One native timer per call: legacy.timeoutMs for the answer's head, then the idle timeout between body chunks. */
  private timer: NodeJS.Timeout | null;
  /** Why we cut the call ourselves; the error undici reports next is that. */
  private failure: FailureKind | null = null;
  private gone = false;
  private status = 0;

  constructor(private readonly f: LegacyForwarder, private readonly ex: Exchange, private reserved: number) {
    this.timer = setTimeout(onTimer, f.options.timeoutMs, this);
    this.timer.unref();
  }

  clientGone(): void {
    this.gone = true;
    this.abort?.(new ClientGoneError('client left'));
  }

  onConnect(abort: Abort): void {
    this.abort = abort;
    if (this.gone) abort(new ClientGoneError('client left'));
    else if (this.failure !== null) abort(new Error('legacy did not answer in time')); // the deadline passed while queued
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 100 || status > 599) return this.cut('invalid_response', `legacy answered with status ${status}`);
    if (status < 200) { this.informational(status, raw); return true; }
    const { res } = this.ex;
    const headers = clientResponseHeaders(raw, this.f.options.servedByHeader, 'legacy');
    // A 204 has no content and may not declare a length (RFC 9110 §8.6); node would pass it on.
    if (status === 204) dropHeader(headers, 'content-length');
    let reason: string | undefined = statusText;
    if (!VALID_REASON.test(statusText)) {
      // RFC 9112 §4: clients should ignore the reason phrase; one node cannot write is dropped.
      reason = undefined;
      this.f.countRepair(this.ex, 'reason_phrase');
    }
    try {
      res.writeHead(status, reason, headers);
    } catch (err) {
      return this.cut('invalid_response', (err as Error).message);
    }
    this.status = status;
    this.resume = resume;
    if (status >= 500) this.f.count5xx(this.ex);
    const job = this.ex.job;
    if (job) job.legacyHead(status, headers, this.f.options.servedByHeader === false ? headers.length : headers.length - 2);
    const idleMs = isEventStream(headers) ? this.f.options.streamIdleTimeoutMs : this.f.idleTimeoutMs;
    if (idleMs === this.f.options.timeoutMs) this.timer?.refresh();
    else {
      if (this.timer) clearTimeout(this.timer);
      this.timer = idleMs > 0 ? setTimeout(onTimer, idleMs, this) : null;
      this.timer?.unref();
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.timer?.refresh();
    this.ex.job?.legacyData(chunk);
    if (this.ex.res.write(chunk)) return true;
    this.ex.res.once('drain', this.resume!);
    return false;
  }

  onComplete(trailers: string[] | null): void {
    this.end();
    const { res } = this.ex;
    if (trailers && trailers.length > 0) {
      // Sent only on chunked answers (node's rule); a trailer node cannot write is dropped.
      try { res.addTrailers(headerObject(trailers.map(latin1))); } catch { this.f.countRepair(this.ex, 'trailer'); }
    }
    res.end();
    this.ex.metrics.legacyDuration.observe((performance.now() - this.ex.t0) / 1000);
    this.ex.job?.legacyDone();
    if (this.ex.legacySpan) this.f.tracing.end(this.ex.legacySpan, this.status);
  }

  onError(err: Error): void {
    // No body follows a 204 or 304 (RFC 9112 §6.3 rule 1), but undici holds a 304's Content-Length
    // (RFC 9110 §8.6 allows it) against the bytes that never come: the answer is whole, not failed
    // (regression: the client got a cut connection and no answer).
    if ((this.status === 204 || this.status === 304) && (err as { code?: string }).code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
      this.onComplete(null);
      return;
    }
    this.end();
    if (this.gone) return; // cut because the client left: nobody to blame (the exchange dropped the shadow)
    const { kind } = this.failure ? { kind: this.failure } : classify(err, false, false);
    const { res, req } = this.ex;
    this.f.countError(this.ex, kind);
    this.ex.job?.failLegacy(kind, (err as { code?: string }).code ?? err.message);
    if (this.ex.legacySpan) this.f.tracing.end(this.ex.legacySpan, 'error', { 'error.type': kind });
    this.f.log.warn({ route: this.ex.routeName, kind, code: (err as { code?: string }).code, method: req.method, headersSent: res.headersSent }, res.headersSent ? 'legacy response ended early' : 'legacy request failed');
    if (res.headersSent) { res.destroy(); return; }
    if (!req.complete) req.resume(); // an unread upload must not stall the connection
    try {
      writeLegacyError(res, kind, this.f.options.timeoutMs, this.f.options.servedByHeader);
    } catch {
      res.destroy();
    }
  }

  timedOut(): void {
    this.timer = null;
    this.cut('timeout', this.status === 0 ? 'legacy did not answer within its timeout' : 'legacy went quiet for longer than its idle timeout');
  }

  private end(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    this.f.releasePreread(this.reserved);
    this.reserved = 0;
  }

  private cut(kind: FailureKind, why: string): false {
    this.failure = kind;
    if (this.abort) this.abort(new Error(why));
    return false;
  }

  private informational(status: number, raw: Buffer[]): void {
    const { req, res } = this.ex;
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) return; // RFC 9110 §15.2: never to an HTTP/1.0 client
    try {
      if (status === 102) res.writeProcessing();
      else if (status === 103) {
        const hints = headerObject(clientResponseHeaders(raw, false, ''));
        if (hints.link !== undefined) res.writeEarlyHints(hints);
      }
      // Other 1xx codes have no node API; they are dropped (a client must accept that, RFC 9110 §15.2).
    } catch {
      this.f.countRepair(this.ex, 'informational');
    }
  }
}

function dropHeader(flat: string[], lowerName: string): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i]!.toLowerCase() === lowerName) flat.splice(i, 2);
}

/** undici hands raw header lines as Buffers at run time (its types say strings). */
function latin1(value: string | Buffer): string {
  return typeof value === 'string' ? value : value.toString('latin1');
}

function onTimer(call: LegacyCall): void {
  call.timedOut();
}

function isEventStream(flat: readonly string[]): boolean {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i]!.length === 12 && flat[i]!.toLowerCase() === 'content-type') return flat[i + 1]!.startsWith('text/event-stream');
  }
  return false;
}

/**
 * `OPTIONS *` cannot travel through undici (paths must start with "/"): node's client takes it,
 * with the same rules as every other legacy call: the client's body framed as node parsed it
 * (a chunked upload says so: node's client would send an OPTIONS body unframed, which legacy
 * would read as the next request), and an answer node cannot write is a 502, never a throw.
 */
export function forwardAsterisk(ex: Exchange, legacyUrl: string, fwd: ForwardedRequest, timeoutMs: number, servedByHeader: string | false): void {
  const u = new URL(legacyUrl);
  const chunked = ex.req.headers['transfer-encoding'] !== undefined;
  const headers: string[] = chunked ? [...fwd.headers, 'transfer-encoding', 'chunked'] : fwd.headers;
  const upstream = http.request({ host: u.hostname, port: u.port || 80, method: 'OPTIONS', path: '*', headers, agent: false, timeout: timeoutMs });
  let failed = false;
  const fail = (kind: FailureKind) => {
    if (failed) return;
    failed = true;
    ex.metrics.upstreamError('legacy', kind);
    upstream.destroy();
    if (ex.res.headersSent) { ex.res.destroy(); return; }
    if (!ex.req.complete) ex.req.resume();
    try { writeLegacyError(ex.res, kind, timeoutMs, servedByHeader); } catch { ex.res.destroy(); }
  };
  upstream.on('response', (answer) => {
    const status = answer.statusCode ?? 0;
    if (status < 200 || status > 599) { fail('invalid_response'); return; }
    const raw = answer.rawHeaders.map((s) => Buffer.from(s, 'latin1'));
    const reason = VALID_REASON.test(answer.statusMessage ?? '') ? answer.statusMessage : undefined;
    try { ex.res.writeHead(status, reason, clientResponseHeaders(raw, servedByHeader, 'legacy')); } catch { fail('invalid_response'); return; }
    answer.on('error', () => ex.res.destroy());
    answer.on('aborted', () => ex.res.destroy());
    answer.pipe(ex.res);
  });
  upstream.on('timeout', () => upstream.destroy(new IdleTimeoutError('timeout')));
  upstream.on('error', (err) => {
    if (failed) return;
    fail(classify(err, err instanceof IdleTimeoutError, false).kind);
  });
  ex.onClientGone = () => { failed = true; upstream.destroy(); };
  if (fwd.hasBody) ex.req.pipe(upstream);
  else upstream.end();
}
