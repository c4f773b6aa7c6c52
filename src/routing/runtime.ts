// Per-route state that lives for the process: the compiled comparator, the recent-results
// window, its metric children and its progressive-autonomy control. Built once by the
// composition root, in one pass.
import type { RouteConfig } from '../config/schema.js';
import type { CompareFn } from '../compare/types.js';
import type { RouteMetrics } from '../metrics/route-metrics.js';
import type { RouteControl } from '../serve/route-control.js';
import type { ResultWindow } from '../store/result-window.js';

export interface RouteRuntime {
  readonly name: string;
  readonly config: RouteConfig;
  readonly compare: CompareFn;
  readonly window: ResultWindow;
  readonly metrics: RouteMetrics;
  readonly control: RouteControl;
  /** Lifetime counters shown by /api/routes. */
  readonly totals: Record<string, number>;
}
