// Per-route state that lives for the process: the compiled comparator, the recent-results
// window, and (for serving) breaker and guardrail. Built once by the composition root.
import type { RouteConfig } from '../config/schema.js';
import type { CompareFn } from '../compare/types.js';
import type { ResultWindow } from '../store/result-window.js';

export interface RouteRuntime {
  readonly name: string;
  readonly config: RouteConfig;
  readonly compare: CompareFn;
  readonly window: ResultWindow;
  /** Lifetime counters shown by /api/routes. */
  readonly totals: Record<string, number>;
}
