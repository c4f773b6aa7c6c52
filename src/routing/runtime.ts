// Per-route state that lives for the process: the compiled comparator, the recent-results
// window, its metric children and its progressive-autonomy control. Built once by the
// composition root, in one pass.
import type { RouteConfig } from '../config/schema.js';
import type { CompareFn } from '../compare/types.js';
import type { RouteEvaluation } from '../evaluation/route-evaluation.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';
import type { UpstreamClient } from '../proxy/upstream-client.js';
import type { RouteControl } from '../serve/route-control.js';
import type { ResultWindow } from '../store/result-window.js';

/** An agent a route shadows or serves with: the top-level agent (named "agent") or one of `candidates`. */
export interface Candidate {
  readonly name: string;
  readonly client: UpstreamClient;
  /** Shadow calls: agent.timeoutMs, or the candidate's timeoutMs. */
  readonly timeoutMs: number;
}

export interface RouteRuntime {
  readonly name: string;
  readonly config: RouteConfig;
  readonly compare: CompareFn;
  readonly window: ResultWindow;
  readonly metrics: RouteMetrics;
  readonly control: RouteControl;
  /** Lifetime counters shown by /api/routes. */
  readonly totals: Record<string, number>;
  /** Agreement, calibration, readiness data (kept across reloads). */
  readonly evaluation: RouteEvaluation;
  /** The route's `candidates` (the first drives the route-level series); null: the top-level agent alone. */
  readonly candidates: readonly Candidate[] | null;
  /** serve.quorum, resolved; null without one. */
  readonly quorum: { readonly candidates: readonly Candidate[]; readonly minAgree: number } | null;
}
