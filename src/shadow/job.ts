// One mirrored request: the request body, what legacy answered, what the agent answered.
// It completes once both sides are known, exactly once. The legacy side is fed by the
// pass-through as the answer streams to the client (legacyHead/legacyData/legacyDone).
import { randomUUID } from 'node:crypto';
import { BodyCapture, type ByteBudget } from './capture.js';
import { headerObject } from '../proxy/headers.js';
import type { Cancellable, UpstreamClient, UpstreamResult } from '../proxy/upstream-client.js';
import type { Candidate, RouteRuntime } from '../routing/runtime.js';
import type { Span } from '../tracing/otel.js';
import type { AgentReport } from '../tracing/agent-report.js';

type Headers = Record<string, string | string[] | undefined>;

export interface LegacySide {
  readonly status: number;
  readonly headers: Headers;
  readonly body: BodyCapture;
  durationMs: number;
  complete: boolean;         // body fully received
}

/**
 * Legacy's side as the pass-through saw it: the flat header list it wrote to the client is kept,
 * and the header object comparisons and samples read is built from it on first use, off the
 * client's path.
 */
class StreamedLegacy implements LegacySide {
  durationMs = 0;
  complete = false;
  private built: Headers | null = null;

  constructor(readonly status: number, private readonly flat: readonly string[], private readonly flatLength: number, readonly body: BodyCapture) {}

  get headers(): Headers {
    return this.built ??= headerObject(this.flat, this.flatLength);
  }
}

export type AbandonReason = 'body_too_large' | 'buffer_full' | 'client_aborted' | 'circuit_open' | 'draining';

/** A further candidate's call for the same mirrored request (routes with `candidates`). */
export interface CandidateCall {
  readonly candidate: Candidate;
  result: UpstreamResult | null;
  readonly call: Cancellable;
  /** Body bytes charged to the shared budget while it was read. */
  charged: number;
}

export class ShadowJob {
  readonly id = randomUUID();
  readonly at = new Date();
  readonly t0 = performance.now();
  readonly request: BodyCapture;
  /** Cancels the agent call when the job is abandoned. */
  readonly agentCall: Cancellable = { cancel: undefined };
  legacy: LegacySide | null = null;
  legacyError: { kind: string; message: string } | null = null;
  agent: UpstreamResult | null = null;
  abandoned: AbandonReason | null = null;
  /** The shadow call's own span (linked to the client request's span). */
  span: Span | undefined;
  /** Created by the parallel serve path, which already counted the agent call itself. */
  fromServePath = false;
  /** Set when the serve path already extracted (and counted) the agent's report. */
  agentReport: AgentReport | null | undefined;
  /** The client request's span, linked from the shadow span. */
  requestSpan: Span | undefined;
  /** The agent this shadow goes to (its config generation's). */
  agentClient: UpstreamClient | undefined;
  /** Who answered the client (the serve path sets agent when the agent's answer was served). */
  servedBy: 'legacy' | 'agent' = 'legacy';
  /** The request target as sent (path + query), set when the agent call goes out. */
  target = '';
  /** Legacy's request headers, kept only for routes that calibrate (the second legacy call). */
  legacyHeaders: string[] | null = null;
  /** The candidate `agent` is (routes with `candidates`: the first); undefined: the top-level agent. */
  candidate: Candidate | undefined;
  /** The route's further candidates, called with the same request; null for one agent. */
  extra: CandidateCall[] | null = null;
  /** Dispatcher slots this job holds: one per agent call. */
  slots = 1;
  private extraPending = 0;
  private legacyDoneFlag = false;
  private agentDone = false;
  private finished = false;
  /** Agent body bytes charged to the shared budget while it was read. */
  private chargedAgentBytes = 0;

  constructor(
    readonly route: RouteRuntime,
    readonly method: string,
    /** Path without query (what samples store: queries often carry tokens). */
    readonly path: string,
    readonly headers: Record<string, string | string[] | undefined>,
    private readonly budget: ByteBudget,
    private readonly captureLimit: number,
    private readonly onFinish: (job: ShadowJob) => void,
  ) {
    this.request = new BodyCapture(route.config.shadow.maxBodyBytes, budget);
  }

  /** The raw query string without "?" ("" without one). */
  get query(): string {
    const q = this.target.indexOf('?');
    return q === -1 ? '' : this.target.slice(q + 1);
  }

  /** Further candidates to call beside the agent; the job completes once each has answered. */
  withExtra(candidates: readonly Candidate[]): void {
    this.extra = candidates.map((candidate) => ({ candidate, result: null, call: { cancel: undefined }, charged: 0 }));
    this.extraPending = this.extra.length;
    this.slots = 1 + this.extra.length;
  }

  settleExtra(call: CandidateCall, result: UpstreamResult, charged: boolean): void {
    if (this.finished || this.abandoned || call.result !== null) {
      if (charged && result.ok) this.budget.release(result.body.length); // arrived after abandon
      return;
    }
    call.result = result;
    if (charged && result.ok) call.charged = result.body.length;
    this.extraPending--;
    this.finish();
  }

  /** Legacy's side is known: its whole answer, or how it failed. */
  get legacySettled(): boolean {
    return this.legacyDoneFlag;
  }

  /** Legacy's answer head: `flat` is the [name, value, …] list written to the client, of which the first `length` entries are legacy's. */
  legacyHead(status: number, flat: readonly string[], length: number): void {
    if (this.abandoned) return; // released already: capturing now would leak budget
    this.legacy = new StreamedLegacy(status, flat, length, new BodyCapture(this.captureLimit, this.budget));
  }

  legacyData(chunk: Buffer): void {
    const side = this.legacy;
    if (this.abandoned || side === null || side.body.push(chunk)) return;
    // Past the capture limit the comparison sees a marked, cut body; out of shared budget it
    // would see a cut it cannot tell from a real difference, so the shadow is dropped.
    if (side.body.stopped === 'budget') this.abandon('buffer_full');
  }

  legacyDone(): void {
    const side = this.legacy;
    if (this.abandoned || side === null) return;
    side.complete = true;
    side.durationMs = performance.now() - this.t0;
    this.settleLegacy();
  }

  /** Legacy's answer when it was read whole by the proxy itself (parallel serve), not streamed. */
  setLegacy(status: number, headers: Headers, body: Buffer, durationMs: number, truncated: boolean): void {
    const side: LegacySide = { status, headers, body: new BodyCapture(this.captureLimit, this.budget), durationMs, complete: true };
    side.body.push(body);
    if (truncated && !side.body.stopped) side.body.stopped = 'limit';
    this.legacy = side;
    this.settleLegacy();
  }

  failLegacy(kind: string, message: string): void {
    if (this.legacyDoneFlag) return;
    this.legacyError = { kind, message };
    this.settleLegacy();
  }

  /** The agent call won't happen (or won't matter); both sides settle now. */
  abandon(reason: AbandonReason): void {
    if (this.abandoned || this.finished) return;
    this.abandoned = reason;
    this.agentCall.cancelled = true;
    this.agentCall.cancel?.();
    if (this.extra !== null) for (const e of this.extra) { e.call.cancelled = true; e.call.cancel?.(); }
    this.extraPending = 0;
    this.legacyDoneFlag = true;
    this.agentDone = true;
    this.finish();
  }

  /** `charged`: the body was read against the shared budget (shadow calls) and must be given back. */
  settleAgent(result: UpstreamResult, charged = false): void {
    if (this.agentDone) {
      if (charged && result.ok) this.budget.release(result.body.length); // arrived after abandon
      return;
    }
    this.agent = result;
    if (charged && result.ok) this.chargedAgentBytes = result.body.length;
    if (result.ok && result.overBudget) { this.abandon('buffer_full'); return; }
    this.agentDone = true;
    this.finish();
  }

  private settleLegacy(): void {
    this.legacyDoneFlag = true;
    this.finish();
  }

  private finish(): void {
    if (this.finished || !this.legacyDoneFlag || !this.agentDone || this.extraPending > 0) return;
    this.finished = true;
    this.onFinish(this);
  }

  /** Returns every captured byte to the shared budget. */
  release(): void {
    this.request.release();
    this.legacy?.body.release();
    this.budget.release(this.chargedAgentBytes);
    this.chargedAgentBytes = 0;
    if (this.extra !== null) for (const e of this.extra) { this.budget.release(e.charged); e.charged = 0; }
  }
}
